// Issue 11, cross-language: the guide's own Python patterns (test/support/guide_apps.py: EventStore, EventMonitor,
// EventDeduplicator, publish_json, Saga, as the guide writes them, on Debian's redis-py under /usr/bin/python3) and
// the `ucore` CLI (dist/cli.js) on one private redis-server, both directions:
//   1. their events (XADD event_store * event <json>, no index) are found by `store get --entity/--type` and replayed;
//   2. ours (`store append`, `publish --store`) are read by their full scan with the same fields;
//   3. duplicates are seen across languages, and `dedup check --offline` fingerprints equal generate_fingerprint's;
//   4. their counters (INCR event_counts:{channel}:{type}) show in `ucore stats`;
//   5. their saga events on saga_events arrive parsed in `ucore tail`.
// Values are what a Python service produces: 12.0, 1e+21, ints beyond 2^53, non-ASCII and astral text (sent as
// \uXXXX by json.dumps), nested objects. `node scripts/ensure-setup.mjs` installs python3-redis.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ExactNumber, parseJsonExact } from '../../src/core/dedup';
import { RedisTransport } from '../../src/core/transport/redis';
import { REPO_ROOT } from '../e2e/lib/paths';
import { runCli, startCli, type CliResult } from '../e2e/lib/ui';
import { MessageRecorder } from '../support/message-recorder';
import { waitUntil } from '../support/redis-cluster';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const PYTHON = '/usr/bin/python3'; // Debian's, with python3-redis (a pyenv python3 on PATH lacks it)
const GUIDE_APPS = join(REPO_ROOT, 'test', 'support', 'guide_apps.py');

interface Child { stdout(): string; stderr(): string; done: Promise<string> }

/** Starts `guide_apps.py action ...args`; `done` gives its stdout, or rejects with its stderr on a non-zero exit. */
function startGuide(action: string, args: string[], timeoutMs = 15_000): Child {
  const child = spawn(PYTHON, [GUIDE_APPS, action, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<string>((resolve, reject) => child.on('close', (code, signal) => {
    clearTimeout(timer);
    if (code === 0) resolve(out);
    else reject(new Error(`guide_apps.py ${action} exited ${code ?? signal}: ${err.trim()}`));
  }));
  return { stdout: () => out, stderr: () => err, done };
}

/** Runs one guide action to its end and parses its JSON (numbers exact when `exact`). */
async function guide(action: string, args: string[], exact = false): Promise<any> {
  const out = await startGuide(action, args).done;
  return exact ? parseJsonExact(out) : JSON.parse(out);
}

const events = (texts: string[]) => texts.flatMap((t) => ['--event', t]);

/** The NDJSON records of a `ucore … --json` run, after asserting it exited 0 (numbers exact when `exact`). */
function records(r: CliResult, what: string, exact = false): any[] {
  assert.equal(r.code, 0, `ucore ${what}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => (exact ? parseJsonExact(l) : JSON.parse(l)));
}

/** `ucore ...args --json`: asserts exit 0 and gives the records. */
async function ucoreJson(args: string[], exact = false): Promise<any[]> {
  return records(await runCli([...args, '--json']), args.join(' '), exact);
}

/** Runs `fn` over `items`, at most `limit` at a time (each is a process), results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i]); }
  }));
  return out;
}

/**
 * Python's `==` on what json.loads makes of two values parsed with parseJsonExact: ints exact (no 2^53 limit), key
 * order ignored. `kinds`: also an int must stay an int and a float a float (12 vs 12.0), as json.dumps and the
 * fingerprint see them.
 */
function samePython(a: unknown, b: unknown, kinds = false): boolean {
  if (a instanceof ExactNumber && b instanceof ExactNumber) {
    if (kinds && a.isFloat !== b.isFloat) return false;
    if (!a.isFloat && !b.isFloat) return BigInt(a.text) === BigInt(b.text);
    const [f, other] = a.isFloat ? [a, b] : [b, a];
    if (other.isFloat) return f.toNumber() === other.toNumber();
    return Number.isInteger(f.toNumber()) && BigInt(f.toNumber()) === BigInt(other.text); // float vs int: exact
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => samePython(x, b[i], kinds));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && samePython((a as any)[k], (b as any)[k], kinds));
  }
  return a === b;
}

// Their events, as JSON text a Python service's json.loads reads (then save_event json.dumps them): 12.0, 1e+21,
// ints beyond 2^53, non-ASCII raw and as \uXXXX, astral emoji, nested objects; one without entity_id; order:10 is
// not order:1.
const THEIRS_BEFORE = [
  String.raw`{"event_id":"py-0001","event_type":"order_created","entity_id":"order:0","user_id":12345,"timestamp":"2025-09-12T10:30:00.123456","data":{"order_id":9007199254740993,"items":[{"product_id":456,"quantity":2,"unit_price":12.0}],"total_price":24.0}}`,
  String.raw`{"event_id":"py-0002","event_type":"order_created","entity_id":"order:1","user_id":777,"timestamp":"2025-09-12T10:31:00.000001","data":{"order_id":1,"total_price":1e+21,"note":"caf\u00e9 \u65e5\u672c \ud83d\ude00"}}`,
  String.raw`{"event_id":"py-0003","event_type":"payment_processed","entity_id":"order:0","timestamp":"2025-09-12T10:32:00","data":{"amount":24.0,"payment_method":"credit_card","ref":123456789012345678}}`,
  `{"event_id":"py-0004","event_type":"order_created","entity_id":"order:2","timestamp":"2025-09-12T10:33:00","data":{"address":{"city":"Zürich","lines":["Bahnhofstraße 1","日本 😀"]},"total_price":0.1}}`,
  `{"event_id":"py-0005","event_type":"user_registration","user_id":12345,"email":"user@example.com","timestamp":"2025-09-12T10:34:00"}`,
  `{"event_id":"py-0006","event_type":"order_paid","entity_id":"order:1","timestamp":"2025-09-12T10:35:00","data":{"amount":1e+21,"fee":-0.5}}`,
];
const OURS_BETWEEN = '{"event_type":"order_note_added","entity_id":"order:1","data":{"note":"written by ucore between theirs"}}';
const THEIRS_AFTER = [
  `{"event_id":"py-0007","event_type":"order_shipped","entity_id":"order:0","timestamp":"2025-09-12T10:36:00","data":{"carrier":"DHL","tracking":{"id":"1Z999","legs":[{"from":"Köln","to":"Paris"}]}}}`,
  `{"event_id":"py-0008","event_type":"order_created","entity_id":"order:10","timestamp":"2025-09-12T10:37:00","data":{"total_price":5.0}}`,
  `{"event_id":"py-0009","event_type":"order_shipped","entity_id":"order:1","timestamp":"2025-09-12T10:38:00","data":{"carrier":"UPS"}}`,
  `{"event_id":"py-0010","event_type":"order_delivered","entity_id":"order:0","timestamp":"2025-09-12T10:39:00","data":{"signed_by":"Zoë 😀","ok":true,"proof":null}}`,
];

describe("the guide's Python patterns (redis-py) and ucore on one redis-server", () => {
  let srv: RedisServerHandle;
  let url: string;
  const u = (...args: string[]) => [...args, '--url', url];

  before(async () => {
    const probe = spawnSync(PYTHON, ['-c', 'import redis'], { encoding: 'utf8' });
    assert.equal(probe.status, 0, `redis-py for ${PYTHON} is missing (run \`node scripts/ensure-setup.mjs\` as root): ${probe.stderr ?? probe.error}`);
    srv = await startRedisServer();
    url = srv.url;
  });
  after(async () => { await srv?.stop(); });

  describe('1. their events (EventStore.save_event) are found by ucore', () => {
    /** Every entry in stream order: {id, event (parsed), text (as stored), theirs}. */
    const stored: Array<{ id: string; event: any; text: string; theirs: boolean }> = [];
    const ENTITIES = ['order:0', 'order:1', 'order:2'];
    let byEntity: CliResult[];
    let byType: CliResult;
    let all: CliResult;
    let replayed: CliResult;
    let replayedPayloads: string[];

    before(async () => {
      const save = async (texts: string[]) => {
        for (const s of await guide('save', ['--url', url, ...events(texts)])) stored.push({ id: s.id, event: JSON.parse(s.event), text: s.event, theirs: true });
      };
      await save(THEIRS_BEFORE);
      const [ours] = await ucoreJson(u('store', 'append', OURS_BETWEEN));
      stored.push({ id: ours.id, event: ours.event, text: '', theirs: false });
      await save(THEIRS_AFTER);
      // Every query at once (each is a process); the tests below look at the results.
      const sub = new RedisTransport({ url });
      await sub.connect();
      try {
        const rec = await MessageRecorder.start(sub, ['replayed_orders']);
        [byEntity, byType, all, replayed] = await Promise.all([
          Promise.all(ENTITIES.map((e) => runCli(u('store', 'get', '--entity', e, '--json')))),
          runCli(u('store', 'get', '--type', 'order_created', '--json')),
          runCli(u('store', 'get', '--limit', '1000', '--json')),
          runCli(u('replay', '--entity', 'order:0', '--to-channel', 'replayed_orders', '--json')),
        ]);
        await rec.waitFor(4, 'replayed_orders', 1000).catch(() => undefined); // what arrived is asserted below
        replayedPayloads = rec.on('replayed_orders').map((m) => m.payload);
      } finally {
        await sub.close();
      }
    });

    it('store get --entity finds exactly the events of each entity, whoever wrote them, in stream order', () => {
      ENTITIES.forEach((entity, i) => {
        assert.deepEqual(records(byEntity[i], `store get --entity ${entity}`).map((r) => `${r.id} ${r.event.event_id}`),
          stored.filter((s) => s.event.entity_id === entity).map((s) => `${s.id} ${s.event.event_id}`), `ucore store get --entity ${entity}`);
      });
    });

    it('store get --type finds their events of that type', () => {
      assert.deepEqual(records(byType, 'store get --type order_created').map((r) => r.id),
        stored.filter((s) => s.event.event_type === 'order_created').map((s) => s.id));
    });

    it('replay --entity sends their events to a channel, in order, byte for byte as they stored them', () => {
      const [summary] = records(replayed, 'replay --entity order:0');
      const want = stored.filter((s) => s.event.entity_id === 'order:0').map((s) => s.text);
      assert.equal(want.length, 4);
      assert.deepEqual([summary.matched, summary.sent], [want.length, want.length], `replay summary: ${JSON.stringify(summary)}`);
      assert.deepEqual(replayedPayloads, want);
    });

    it("store get --json shows their values as Python's == compares them: ints beyond 2^53 exact, 1e+21, \\uXXXX text, nested", () => {
      const byId = new Map(records(all, 'store get --limit 1000', true).map((r) => [String(r.id), r.event]));
      for (const s of stored.filter((x) => x.theirs)) {
        const shown = byId.get(s.id);
        assert.ok(shown, `${s.id} (${s.event.event_id}) is listed`);
        assert.ok(samePython(shown, parseJsonExact(s.text)), `${s.event.event_id}: ucore shows ${JSON.stringify(shown, exactReplacer)}\n  they stored ${s.text}`);
      }
    });
  });

  describe('2. ours (store append, publish --store) are read by their full scan', () => {
    // invoice:7: values JS keeps exactly; invoice:8: 12.0 and ints beyond 2^53, which JSON.parse would change.
    const OURS = {
      'invoice:7': [
        '{"event_type":"invoice_issued","entity_id":"invoice:7","user_id":42,"data":{"lines":[{"sku":"A-1","qty":3,"price":19.99}],"total":59.97,"customer":{"name":"Zoë Ærø","city":"東京"},"paid":false,"coupon":null}}',
        '{"event_type":"invoice_paid","entity_id":"invoice:7","data":{"amount":59.97,"method":"card 💳","meta":{"attempt":1}}}',
      ],
      'invoice:8': [
        '{"event_type":"invoice_adjusted","entity_id":"invoice:8","data":{"qty":12.0,"ref":123456789012345678,"order_id":9007199254740993,"limit":1e+21}}',
        '{"event_type":"invoice_adjusted","entity_id":"invoice:8","user_id":9007199254740993,"data":{"amount":100.0}}',
      ],
    };
    let found: Record<string, any[]>;
    before(async () => {
      // Per entity: the first by `store append`, the second by `publish --store`, one after the other (order checked).
      await Promise.all(Object.values(OURS).map(async ([appended, published]) => {
        await ucoreJson(u('store', 'append', appended));
        await ucoreJson(u('publish', 'ecommerce_events', published, '--store'));
      }));
      found = await guide('entity', ['--url', url, '--entity', 'invoice:7', '--entity', 'invoice:8'], true);
    });

    /** Every field we gave is there as Python reads it (int/float kind included), plus an event_id and a timestamp. */
    const assertTheyRead = (entity: keyof typeof OURS) => {
      const got = found[entity];
      assert.equal(got.length, 2, `their scan found ${got.length} of our 2 events of ${entity}`);
      OURS[entity].forEach((text, i) => {
        for (const [k, v] of Object.entries(parseJsonExact(text) as Record<string, unknown>)) {
          assert.ok(samePython(got[i][k], v, true), `${entity} event ${i} field ${k}: they read ${JSON.stringify(got[i][k], exactReplacer)}, we were given ${JSON.stringify(v, exactReplacer)}`);
        }
        assert.equal(typeof got[i].event_id, 'string');
        assert.equal(typeof got[i].timestamp, 'string');
      });
      assert.notEqual(got[0].event_id, got[1].event_id);
    };

    it('get_events_for_entity finds both with every field we gave, plus an event_id and a timestamp', () => assertTheyRead('invoice:7'));
    it('they read 12.0 as a float and ints beyond 2^53 exactly, as we were given them', () => assertTheyRead('invoice:8'));
  });

  describe('3. duplicates are seen across languages', () => {
    // One text per value kind; `dedup check --offline` must give generate_fingerprint's answer for each.
    const KINDS: Array<[string, string]> = [
      ['integral float 12.0', '{"event_type":"t","user_id":5,"entity_id":"x","data":{"v":12.0}}'],
      ['float 1e+21', '{"event_type":"t","data":{"v":1e+21}}'],
      ['int 123456789012345678', '{"event_type":"t","data":{"v":123456789012345678}}'],
      ['int 9007199254740993 (2^53+1) as user_id', '{"event_type":"t","user_id":9007199254740993}'],
      ['floats as repr writes them: 1.5e-07, -0.0, 0.30000000000000004', '{"event_type":"t","data":{"a":1.5e-07,"b":-0.0,"c":0.30000000000000004}}'],
      ['non-ASCII text, astral emoji', '{"event_type":"t","entity_id":"café","data":{"s":"é 日本 Ærø 😀 𝄞"}}'],
      ['\\uXXXX escapes as json.dumps writes them', String.raw`{"event_type":"t","data":{"s":"caf\u00e9 \u65e5\u672c \ud83d\ude00","q":"\"\\\/\n\t"}}`],
      ['nested objects, unsorted and non-ASCII keys', '{"event_type":"t","data":{"b":{"z":1,"a":[{"y":2.5,"x":null}]},"é":{"c":[1,[2,{"e":3.0}]]},"😀":true,"ｚ":false}}'],
    ];

    it('ucore dedup check --offline gives generate_fingerprint\'s fingerprint for every value kind', async () => {
      const [python, ours] = await Promise.all([
        guide('fingerprint', events(KINDS.map(([, t]) => t))) as Promise<string[]>,
        mapLimit(KINDS, 6, async ([, t]) => (await ucoreJson(['dedup', 'check', t, '--offline']))[0].fingerprint as string),
      ]);
      const table = (fps: string[]) => Object.fromEntries(KINDS.map(([kind], i) => [kind, fps[i]]));
      assert.deepEqual(table(ours), table(python));
    });

    it("Python's EventDeduplicator marks, ucore dedup check says duplicate (same key)", async () => {
      const marked: Array<{ fingerprint: string; duplicate: boolean; text: string }> = await guide('dedup', ['--url', url, ...events([
        '{"event_id":"x1","event_type":"order_paid","entity_id":"order:5","user_id":12345,"data":{"amount":12.0,"order_id":123456789012345678}}',
        '{"event_type":"user_registered","user_id":9007199254740993,"data":{"name":"José 日本 😀"}}',
        '{"event_type":"order_created","entity_id":"order:6","data":{"total":1e+21,"items":[{"sku":"ß","qty":2}]}}',
      ])]);
      assert.deepEqual(marked.map((m) => m.duplicate), [false, false, false], 'new to Python');
      // The text a Python publisher sends (json.dumps: \uXXXX, ", " separators) is what ucore is given.
      const checks = await Promise.all(marked.map(async (m) => (await ucoreJson(u('dedup', 'check', m.text)))[0]));
      assert.deepEqual(checks.map((c) => [c.key, c.duplicate]), marked.map((m) => [`event_idempotent:${m.fingerprint}`, true]));
    });

    it("ucore dedup check marks, Python's EventDeduplicator says duplicate", async () => {
      const texts = [
        '{"event_id":"x2","event_type":"order_paid","entity_id":"order:7","user_id":12345,"data":{"amount":13.0,"order_id":123456789012345679}}',
        '{"event_type":"user_registered","user_id":9007199254740995,"data":{"name":"Zoë 東京 🎉"}}',
        String.raw`{"event_type":"order_created","entity_id":"order:8","data":{"total":2e+21,"note":"caf\u00e9","items":[{"sku":"ß","qty":2.0}]}}`,
      ];
      const checks = await Promise.all(texts.map(async (t) => (await ucoreJson(u('dedup', 'check', t)))[0]));
      assert.deepEqual(checks.map((c) => c.duplicate), [false, false, false], 'new to ucore');
      const python: Array<{ fingerprint: string; duplicate: boolean }> = await guide('dedup', ['--url', url, ...events(texts)]);
      assert.deepEqual(python.map((p) => [`event_idempotent:${p.fingerprint}`, p.duplicate]), checks.map((c) => [c.key, true]));
    });
  });

  it("4. their EventMonitor's counters (event_counts:{channel}:{type}) show in ucore stats", async () => {
    const monitor = startGuide('monitor', ['--url', url, '--count', '5']);
    await waitUntil('the Python EventMonitor subscribed', 10_000, async () => (monitor.stdout().includes('"ready"') ? null : `stdout: ${monitor.stdout()} stderr: ${monitor.stderr()}`));
    await Promise.all([
      ucoreJson(u('publish', 'orders', '{"event_type":"order_created","entity_id":"order:1","data":{"total_price":12.0}}')),
      guide('publish', ['--url', url, '--channel', 'ecommerce_events', ...events([
        '{"event_type":"order_created","user_id":12345,"data":{"total_price":99.99}}',
        '{"event_type":"order_created","user_id":12346,"data":{"total_price":1e+21}}',
        '{"event_type":"payment_processed","data":{"amount":99.99}}',
        '{"note":"no event_type: the guide counts it as None"}',
      ])]),
    ]);
    const theirs = JSON.parse((await monitor.done).trim().split('\n').at(-1)!);
    const want = { orders: { order_created: 1 }, ecommerce_events: { order_created: 2, payment_processed: 1, None: 1 } };
    assert.deepEqual(theirs.stats, want, "the guide's own get_event_statistics");
    const [[stats], human] = await Promise.all([ucoreJson(u('stats')), runCli(u('stats'))]);
    assert.deepEqual(stats.counters, want, 'ucore stats --json counters');
    assert.equal(human.code, 0, human.stderr);
    const section = human.stdout.slice(human.stdout.indexOf('Monitor counters'));
    for (const [channel, types] of Object.entries(want)) {
      for (const [type, n] of Object.entries(types)) assert.match(section, new RegExp(`^${channel} +${type} +${n}$`, 'm'), `ucore stats shows ${channel} ${type} ${n}`);
    }
  });

  it('5. their saga events on saga_events arrive parsed in ucore tail', async () => {
    const tail = startCli(u('tail', 'saga_events', '--count', '4', '--json'));
    try {
      await waitUntil('ucore tail subscribed', 10_000, async () => (/listening on saga_events/.test(tail.stderr()) ? null : tail.stderr()));
      const [ok, failed] = await Promise.all([
        guide('saga', ['--url', url, '--saga-id', 'order-saga-1', '--steps', 'reserve_inventory,charge_payment,ship_order']),
        guide('saga', ['--url', url, '--saga-id', 'order-saga-2', '--steps', 'reserve_inventory,charge_payment', '--fail-at', 'charge_payment']),
      ]);
      assert.deepEqual([ok.ok, failed.ok, failed.compensated], [true, false, ['reserve_inventory']]);
      const r = await tail.done(10_000);
      assert.equal(r.code, 0, r.stderr);
      const got = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      // The two sagas ran at once: each one's events in its order, and nothing else.
      const ofSaga = (id: string) => got.filter((g) => g.event?.saga_id === id);
      assert.equal(got.length, 4, r.stdout);
      assert.deepEqual(ofSaga('order-saga-1'), ok.published.map((event: unknown) => ({ channel: 'saga_events', event })));
      assert.deepEqual(ofSaga('order-saga-2'), failed.published.map((event: unknown) => ({ channel: 'saga_events', event })));
      assert.deepEqual(got.map((g) => `${g.event.saga_id} ${g.event.step} ${g.event.status}`).sort(), [
        'order-saga-1 charge_payment step_completed', 'order-saga-1 reserve_inventory step_completed', 'order-saga-1 ship_order step_completed',
        'order-saga-2 reserve_inventory step_completed',
      ]);
    } finally {
      tail.kill();
    }
  });
});

/** JSON.stringify replacer that prints an ExactNumber as the digits it holds (for failure messages). */
function exactReplacer(_k: string, v: unknown): unknown {
  return v instanceof ExactNumber ? `#${v.text}` : v;
}

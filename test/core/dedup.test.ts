import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  canonicalJson, Deduplicator, fingerprint, fingerprintCanonical, fingerprintCanonicalJson, fingerprintJson, parseJsonExact,
} from '../../src/core/dedup/index';
import { BadInputError, NotJsonError } from '../../src/core/errors';
import { RedisTransport } from '../../src/core/transport/redis';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';
import { startRedisServer } from '../support/redis-server';

interface Vector { event: Record<string, unknown>; canonical: string; fingerprint: string }
interface TextVector { text: string; canonical: string; fingerprint: string }
// A copy of shared/testdata/dedup-fingerprints.json (the guide's fingerprints), so the repo's tests stand alone, plus
// `text_cases`: one event text per value kind a Python service writes, with what Python made of it.
const vectorFile = join(__dirname, '../../../test/fixtures/dedup-fingerprints.json');
const fixture = JSON.parse(readFileSync(vectorFile, 'utf8')) as { cases: Vector[]; text_cases: Array<TextVector & { kind: string }> };
const vectors = fixture.cases;
const textCases = fixture.text_cases;

/** The guide's generate_fingerprint run by real Python (Debian's python3: json and hashlib are always there). */
function python(args: string[], input?: string): TextVector[] {
  const exe = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = join(__dirname, '../../../test/support/python_fingerprints.py');
  const r = spawnSync(exe, [script, ...args], { input, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr || String(r.error)}`);
  return JSON.parse(r.stdout) as TextVector[];
}

// Made with CPython 3 from the guide's generate_fingerprint over `json.loads(text)`: the cases where the JSON text
// matters (float-ness, ints beyond 2^53, NaN/Infinity, code-point key order, lone surrogates, repeated keys).
const pythonTextVectors: Array<{ text: string; canonical: string; fingerprint: string }> = [
  {
    text: '{"event_type":"order_created","data":{"price":100.0,"qty":100,"big":1e16,"small":1e-05,"neg0":-0.0,"negint0":-0}}',
    canonical: '{"data": {"big": 1e+16, "neg0": -0.0, "negint0": 0, "price": 100.0, "qty": 100, "small": 1e-05}, "entity_id": null, "event_type": "order_created", "user_id": null}',
    fingerprint: '17ec83355c7e2efe69396e2aa311c799',
  },
  {
    text: '{"event_type":"big_int","user_id":123456789012345678901234567890,"data":{"n":9007199254740993,"f":1.2345678901234568e+20}}',
    canonical: '{"data": {"f": 1.2345678901234568e+20, "n": 9007199254740993}, "entity_id": null, "event_type": "big_int", "user_id": 123456789012345678901234567890}',
    fingerprint: '17754378104a8008a846a06543ae328c',
  },
  {
    text: '{"event_type":"non_finite","data":{"a":NaN,"b":Infinity,"c":-Infinity,"d":1e400}}',
    canonical: '{"data": {"a": NaN, "b": Infinity, "c": -Infinity, "d": Infinity}, "entity_id": null, "event_type": "non_finite", "user_id": null}',
    fingerprint: '522f0ec50253305e345b0e085ca52397',
  },
  {
    text: '{"event_type":"astral_keys","data":{"\\uff01":1,"\\ud83d\\ude00":2,"a":3,"\\u00e9":4,"":5}}',
    canonical: '{"data": {"": 5, "a": 3, "\\u00e9": 4, "\\uff01": 1, "\\ud83d\\ude00": 2}, "entity_id": null, "event_type": "astral_keys", "user_id": null}',
    fingerprint: 'b4d41581d691905eb0554d7413b8b27a',
  },
  {
    text: '{"event_type":"lone_surrogate","data":{"s":"\\ud800x","del":"\\u007f","nul":"\\u0000","bs":"\\b\\f/"}}',
    canonical: '{"data": {"bs": "\\b\\f/", "del": "\\u007f", "nul": "\\u0000", "s": "\\ud800x"}, "entity_id": null, "event_type": "lone_surrogate", "user_id": null}',
    fingerprint: '054d36c6d9c180e8a6a61e336c07148b',
  },
  {
    text: '{"event_type":"data_null","data":null,"entity_id":42}',
    canonical: '{"data": null, "entity_id": 42, "event_type": "data_null", "user_id": null}',
    fingerprint: '578b74e1898f8ddf0aceb897b71f8027',
  },
  {
    text: '{"event_type":"__proto__","data":{"__proto__":{"x":1},"constructor":2}}',
    canonical: '{"data": {"__proto__": {"x": 1}, "constructor": 2}, "entity_id": null, "event_type": "__proto__", "user_id": null}',
    fingerprint: '23f53741ccdd6382b54886b4192abbb5',
  },
  {
    text: '{"event_type":"repeated","data":{"k":1,"k":2}}',
    canonical: '{"data": {"k": 2}, "entity_id": null, "event_type": "repeated", "user_id": null}',
    fingerprint: 'ec5a33ab5b887a307fb3ae3bcaafbdce',
  },
];

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe('dedup fingerprint (the guide\'s generate_fingerprint, bit-exact)', () => {
  it('has the vectors file', () => assert.ok(vectors.length >= 9, `only ${vectors.length} vectors`));

  for (const v of vectors) {
    it(`matches Python for ${String(v.event.event_type)}`, () => {
      assert.equal(fingerprintCanonical(v.event), v.canonical);
      assert.equal(fingerprint(v.event), v.fingerprint);
      assert.equal(fingerprintCanonicalJson(JSON.stringify(v.event)), v.canonical);
      assert.equal(fingerprintJson(JSON.stringify(v.event)), v.fingerprint);
    });
  }

  for (const v of pythonTextVectors) {
    it(`matches Python on the JSON text of ${v.text.slice(15, 40)}…`, () => {
      assert.equal(fingerprintCanonicalJson(v.text), v.canonical);
      assert.equal(fingerprintJson(v.text), v.fingerprint);
    });
  }

  it('equals the fingerprints Python made for 17 value kinds, from the text (the fixture\'s text_cases)', () => {
    assert.equal(textCases.length, 17);
    for (const v of textCases) {
      assert.equal(fingerprintCanonicalJson(v.text), v.canonical, v.kind);
      assert.equal(fingerprintJson(v.text), v.fingerprint, v.kind);
    }
  });

  it('equals Python run now: on the 17 kinds, and on 1,000 random texts Python wrote and read', () => {
    assert.deepEqual(python([], JSON.stringify(textCases.map((v) => v.text))), textCases.map(({ kind: _, ...v }) => v),
      'the fixture is what Python makes');
    const random = python(['--random', '1000', '20261127']);
    assert.equal(random.length, 1000);
    const differing = random.filter((v) => fingerprintCanonicalJson(v.text) !== v.canonical || fingerprintJson(v.text) !== v.fingerprint);
    assert.deepEqual(differing.slice(0, 3), []);
  });

  it('the object form differs from Python only where its docs say: numbers JSON.parse has changed', () => {
    const differs = textCases
      .filter((v) => !/NaN/.test(v.text) && fingerprint(JSON.parse(v.text) as Record<string, unknown>) !== v.fingerprint)
      .map((v) => v.kind.split(' ')[0]);
    // 12.0, -0.0, 1e+21 / 2.5e3, 1e-400 (0.0), ints beyond 2^53 and 2.0 in an array; the text form gets all right.
    assert.deepEqual(differs, ['integral', 'negative', 'exponent', '1E400', 'int', 'int', 'big', 'arrays']);
  });

  it('agrees with Python on objects for everything but integral floats and ints beyond 2^53', () => {
    for (const v of pythonTextVectors.slice(3)) {
      assert.equal(fingerprint(JSON.parse(v.text)), v.fingerprint, v.text);
    }
    // The documented limitation: once parsed, 100.0 is 100, so the object form writes a Python int.
    const parsed = JSON.parse('{"event_type":"x","data":{"price":100.0}}');
    assert.equal(fingerprintCanonical(parsed), '{"data": {"price": 100}, "entity_id": null, "event_type": "x", "user_id": null}');
    assert.equal(fingerprintCanonicalJson('{"event_type":"x","data":{"price":100.0}}'),
      '{"data": {"price": 100.0}, "entity_id": null, "event_type": "x", "user_id": null}');
  });

  it('ignores the fields Python ignores and treats undefined as missing', () => {
    const base = { event_type: 'a', user_id: 1, data: { x: 1 } };
    const other = { ...base, event_id: 'different', timestamp: '2020-01-01T00:00:00Z', entity_id: undefined, metadata: { m: 1 } };
    assert.equal(fingerprint(other), fingerprint(base));
    assert.notEqual(fingerprint({ ...base, data: { x: 2 } }), fingerprint(base));
    assert.notEqual(fingerprint({ ...base, data: null }), fingerprint({ event_type: 'a', user_id: 1 }));
  });

  it('writes bigints exactly and skips undefined/function values as JSON.stringify does', () => {
    assert.equal(canonicalJson({ b: 123456789012345678901234567890n, a: [undefined, () => 1], u: undefined }),
      '{"a": [null, null], "b": 123456789012345678901234567890}');
    assert.equal(canonicalJson({ d: new Date(Date.UTC(2025, 8, 12, 10, 30)) }), '{"d": "2025-09-12T10:30:00.000Z"}');
    assert.equal(canonicalJson(1e21), '1000000000000000000000');
    assert.equal(canonicalJson([0.1, -2.5e-7, 123.456, -0]), '[0.1, -2.5e-07, 123.456, 0]');
  });

  it('reports hostile nesting and non-objects as errors, never a stack overflow', () => {
    assert.throws(() => fingerprintJson(`{"event_type":"x","data":${nested(200_000)}}`), BadInputError);
    assert.throws(() => parseJsonExact(nested(1_001)), BadInputError);
    assert.deepEqual(parseJsonExact(nested(3)), [[[]]]);
    const deep = JSON.parse(nested(100_000)) as unknown;
    assert.throws(() => fingerprint({ event_type: 'x', data: { deep } }), BadInputError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.throws(() => fingerprint({ event_type: 'x', data: circular }), BadInputError);
    assert.throws(() => fingerprint([] as never), BadInputError);
    assert.throws(() => fingerprintJson('"just a string"'), BadInputError);
  });

  it('reports malformed JSON text as NotJsonError with the position', () => {
    for (const bad of ['', '{', '{"a":}', '{"a":1,}', '[1 2]', '{"a":"\u0001"}', '{"a":01}', '{"a":1} x', '\ufeff{}', '{"a":"\\x"}']) {
      assert.throws(() => fingerprintJson(bad), (e: unknown) => e instanceof NotJsonError && /position \d+/.test(e.message), JSON.stringify(bad));
    }
  });
});

const transports = transportTargets('dedup-test');

for (const t of transports) {
  describe(`Deduplicator on the ${t.name} transport`, () => {
    let transport: Transport;
    let done: () => Promise<void>;
    before(async () => ({ transport, done } = await t.make()));
    after(async () => done?.());

    const order = { event_type: 'order_created', user_id: 12345, data: { order_id: 789, items: [{ product_id: 456, quantity: 2 }], total_price: 99.99 } };

    it('stores the guide\'s key with a token and a 3600 s TTL, and says duplicate the second time', async () => {
      const dedup = new Deduplicator(transport);
      const key = 'event_idempotent:864d2006d2e71eeaa9291b2cce2d4590';
      assert.equal(dedup.key(order), key);
      const first = await dedup.check(order);
      assert.deepEqual([first.duplicate, first.key, first.fingerprint, first.ownMark, first.attempts], [false, key, '864d2006d2e71eeaa9291b2cce2d4590', false, 1]);
      assert.match(first.token, /^[0-9a-f]{16}$/);
      assert.equal(await dedup.isDuplicate({ ...order, event_id: 'another-id' }), true);
      assert.equal(await transport.get(key), first.token);
      assert.equal(await transport.exists([key]), 1, 'the guide\'s EXISTS check sees the mark');
      const ttl = await transport.ttl(key);
      assert.ok(ttl >= 3598 && ttl <= 3600, `ttl ${ttl}`);
    });

    it('a mark the guide\'s Python wrote (SETEX key 3600 "1") is a duplicate', async () => {
      const dedup = new Deduplicator(transport);
      const text = '{"event_type":"t","user_id":5,"entity_id":"x","data":{"v":12.0}}';
      await transport.set(`event_idempotent:${textCases[0]!.fingerprint}`, '1', { ttlSeconds: 3600 });
      assert.equal(dedup.key(text), `event_idempotent:${textCases[0]!.fingerprint}`);
      assert.equal(await dedup.isDuplicate(text), true);
    });

    it('a check sent again with its token after a lost reply finds its own mark: "new"; another check: "duplicate"', async () => {
      const dedup = new Deduplicator(transport, { keyPrefix: 'token:' });
      const event = { event_type: 'payment_processed', entity_id: 'order:9', data: { amount: 12.5 } };
      const token = 'a1b2c3d4e5f60718';
      // The first send: Redis applies the mark. Say its reply was lost; the retry sends the same command again.
      assert.equal(await transport.setNxGet(dedup.key(event), token, dedup.ttlSeconds), null);
      const retry = await dedup.check(event, { token });
      assert.deepEqual([retry.duplicate, retry.ownMark], [false, true]);
      const other = await dedup.check(event);
      assert.deepEqual([other.duplicate, other.ownMark], [true, false]);
      assert.equal(await transport.get(dedup.key(event)), token, 'the mark is not replaced');
      assert.equal(await dedup.isDuplicate(event, { token: 'ffffffffffffffff' }), true);
      await assert.rejects(dedup.check(event, { token: '1' }), BadInputError);
    });

    it('a batch sent again with its token recognises its own marks and still sees repeats', async () => {
      const dedup = new Deduplicator(transport, { keyPrefix: 'token-batch:' });
      const events = [{ event_type: 'a' }, { event_type: 'b' }, { event_type: 'a' }];
      const token = '0123456789abcdef';
      // The first send applied the marks; its reply was lost.
      assert.deepEqual(await transport.setNxGetBatch(events.map((e, i) => [dedup.key(e), `${token}:${i}`] as const), dedup.ttlSeconds), [null, null, `${token}:0`]);
      assert.deepEqual(await dedup.checkBatch(events, { token }), [false, false, true]);
      assert.deepEqual(await dedup.checkBatch(events), [true, true, true]);
    });

    if (t.name === 'redis') {
      it('sends again while Redis refuses without running the mark (READONLY on a replica), then gives up at retryForMs', async () => {
        const primary = await startRedisServer();
        const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
        const rt = new RedisTransport({ url: replica.url });
        await rt.connect();
        try {
          const dedup = new Deduplicator(rt, { retryForMs: 400 });
          const started = Date.now();
          await assert.rejects(dedup.check({ event_type: 'ro' }), /READONLY/);
          const ms = Date.now() - started;
          assert.ok(ms >= 150 && ms < 2000, `gave up after ${ms} ms`);
          await assert.rejects(new Deduplicator(rt, { retryForMs: 0 }).check({ event_type: 'ro' }), /READONLY/);
        } finally {
          await rt.close();
          await replica.stop();
          await primary.stop();
        }
      });

      it('on a server older than Redis 7 (SET NX GET refused), the Lua form gives the same answers', async () => {
        const server = await startRedisServer();
        const old = new RedisTransport({ url: server.url });
        await old.connect();
        try {
          (old as unknown as { setNxGetByScript: boolean }).setNxGetByScript = true;
          const dedup = new Deduplicator(old, { keyPrefix: 'lua:', ttlSeconds: 77 });
          const a = await dedup.check({ event_type: 'lua' });
          assert.equal(a.duplicate, false);
          assert.deepEqual(await dedup.check({ event_type: 'lua' }, { token: a.token }).then((c) => [c.duplicate, c.ownMark]), [false, true]);
          assert.equal(await dedup.isDuplicate({ event_type: 'lua' }), true);
          assert.equal(await old.get(a.key), a.token);
          const ttl = await old.ttl(a.key);
          assert.ok(ttl >= 76 && ttl <= 77, `ttl ${ttl}`);
          assert.deepEqual(await dedup.checkBatch([{ event_type: 'x' }, { event_type: 'lua' }, { event_type: 'x' }]), [false, true, true]);
        } finally {
          await old.close();
          await server.stop();
        }
      });
    }

    it('lets exactly one of 100 concurrent checks of the same event through', async () => {
      const dedup = new Deduplicator(transport);
      const event = { event_type: 'payment_processed', entity_id: 'order:race', data: { amount: 5 } };
      const results = await Promise.all(Array.from({ length: 100 }, () => dedup.isDuplicate(event)));
      assert.equal(results.filter((d) => !d).length, 1);
      assert.equal(results.filter((d) => d).length, 99);
    });

    it('checks a batch in order, a repeat inside the batch included', async () => {
      const dedup = new Deduplicator(transport, { keyPrefix: 'batch:' });
      const a = { event_type: 'a' };
      const b = { event_type: 'b' };
      const c = { event_type: 'c' };
      assert.deepEqual(await dedup.checkBatch([a, b, a, c]), [false, false, true, false]);
      assert.deepEqual(await dedup.checkBatch([c, { event_type: 'd' }]), [true, false]);
      assert.deepEqual(await dedup.checkBatch([]), []);
      const many = Array.from({ length: 12_000 }, (_, i) => ({ event_type: 'many', data: { i } }));
      const first = await dedup.checkBatch(many);
      assert.equal(first.filter((d) => d).length, 0);
      const again = await dedup.checkBatch(many);
      assert.equal(again.filter((d) => d).length, 12_000);
      const ttl = await transport.ttl(dedup.key(many[11_999]!));
      assert.ok(ttl > 3590, `ttl ${ttl}`);
    });

    it('forgets an event, uses a custom TTL and prefix, and treats JSON text like the object', async () => {
      const dedup = new Deduplicator(transport, { ttlSeconds: 60, keyPrefix: 'myapp:seen:' });
      const text = '{"event_type":"order_created","data":{"price":100.0}}';
      assert.equal(await dedup.isDuplicate(text), false);
      assert.equal(await dedup.isDuplicate(text), true);
      assert.equal(dedup.key(text), `myapp:seen:${fingerprintJson(text)}`);
      const ttl = await transport.ttl(dedup.key(text));
      assert.ok(ttl > 55 && ttl <= 60, `ttl ${ttl}`);
      await dedup.forget(text);
      assert.equal(await dedup.isDuplicate(text), false);
      assert.throws(() => new Deduplicator(transport, { ttlSeconds: 0 }), BadInputError);
      assert.throws(() => new Deduplicator(transport, { ttlSeconds: 1.5 }), BadInputError);
    });
  });
}

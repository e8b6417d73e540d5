// Issue 17: filter expressions (CEL), history search and seek by time, on a private redis-server holding events
// written the guide's way by another app (guide_apps.py on redis-py: XADD event_store * event <json>, Python's
// json.dumps text) and on the embedded transport.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { BadInputError } from '../../src/core/errors';
import { EventFilter, FilterStats, searchHistory, searchStream, pageAt, pageAfter, pageBefore, pageFirst, pageLast, patternProblem, type SearchBatch } from '../../src/core/search/index';
import type { Transport } from '../../src/core/transport/types';
import { REPO_ROOT } from '../e2e/lib/paths';
import { transportTargets } from '../support/each-transport';
import { hostileString, PROTO_KEYS } from '../support/hostile';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer } from '../support/redis-server';

const PYTHON = '/usr/bin/python3';
const GUIDE_APPS = join(REPO_ROOT, 'test', 'support', 'guide_apps.py');

describe('EventFilter (CEL)', () => {
  const order = { event_type: 'order_created', entity_id: 'o1', data: { total_price: 150.5, items: [{ sku: 'a' }], n: 3 } };
  it('evaluates the issue example and the usual forms', () => {
    const f = EventFilter.compile('event_type == "order_created" && data.total_price > 100');
    assert.equal(f.evaluate(order), true);
    assert.equal(f.evaluate({ ...order, data: { total_price: 99 } }), false);
    assert.equal(EventFilter.compile('data.items.exists(i, i.sku == "a")').evaluate(order), true);
    assert.equal(EventFilter.compile('event_type.startsWith("order") && has(data.n) && data.n == 3').evaluate(order), true);
    assert.equal(EventFilter.compile('_id.startsWith("17") && _stream == "s"').evaluate(order, { _id: '17-0', _stream: 's' }), true);
  });
  it('counts an event it cannot evaluate instead of throwing, with a bounded sample of reasons', () => {
    const f = EventFilter.compile('data.total_price > 100');
    const stats = new FilterStats();
    for (let i = 0; i < 50; i++) stats.add(f.evaluate({ data: { ['k' + i]: 1 } }));
    stats.add(f.evaluate({ nodata: true }));
    stats.add(f.evaluate('not an object'));
    assert.equal(stats.errors, 52);
    assert.equal(stats.matched, 0);
    assert.ok(stats.errorKinds.size <= 10);
    assert.match(stats.summary()!, /52 events could not be evaluated/);
    const notBool = EventFilter.compile('data').evaluate(order);
    assert.ok(typeof notBool === 'object' && /not true or false/.test(notBool.error));
  });
  it('refuses what could run long or is not an expression, before any event is read', () => {
    const bad = ['', ' ', 'x'.repeat(3000), '1 +', 'a.map(x, b.map(y, y))', 'a.exists(x, x.all(y, y))', 's.matches("(a+)+$")', 's.matches(p)',
      's.matches("\\\\1")', 's.matches("a*b*")', 'matches(s, "(x|y)*")', '[' + '1,'.repeat(300) + '1]', '('.repeat(100) + '1' + ')'.repeat(100)];
    for (const text of bad) assert.throws(() => EventFilter.compile(text), BadInputError, text.slice(0, 40));
    assert.equal(patternProblem('^order_.*$'), null);
    assert.ok(EventFilter.compile('event_type.matches("^order_[a-z]+$")').evaluate(order));
  });
  it('reads the texts a match must contain, and only from a top-level && chain of the event\'s fields', () => {
    assert.deepEqual(EventFilter.compile('event_type == "order_created" && data.sku.contains("AB-1") && data.x > 1').required, ['"order_created"', 'AB-1']);
    assert.deepEqual(EventFilter.compile('event_type == "a" || x == "b"').required, []);
    assert.deepEqual(EventFilter.compile('!(event_type == "a")').required, []);
    assert.deepEqual(EventFilter.compile('_id == "1-0" && a == "ü/x"').required, []);
    const f = EventFilter.compile('event_type == "order_created"');
    assert.equal(f.mayMatchText('{"event_type": "user_created"}'), false);
    // Escaped text may spell the value: the check steps aside.
    assert.equal(f.mayMatchText('{"event_type": "\\u006frder_created"}'), true);
    assert.equal(f.evaluate(JSON.parse('{"event_type": "\\u006frder_created"}')), true);
  });
  it('never throws or hangs on random expressions and hostile events (fast-check)', () => {
    const atoms = fc.constantFrom('event_type', 'data', 'data.total_price', 'data.items', 'x', '_id', '1', '1.5', '"s"', 'true', 'null', '[]', '{}',
      'size(data)', 'data.items[0]', '-1', 'b"x"', '__proto__', 'constructor', 'data.constructor', 'timestamp("2026-01-01T00:00:00Z")');
    const ops = fc.constantFrom('==', '!=', '<', '>', '&&', '||', '+', '-', '*', '/', '%', 'in', '.', '[', '(', ')', '?', ':', '!', ',');
    const expr = fc.array(fc.oneof(atoms, ops, fc.constantFrom(...PROTO_KEYS), hostileString.map((x) => JSON.stringify(x))), { maxLength: 12 }).map((parts) => parts.join(' '));
    const event = fc.oneof(fc.jsonValue(), fc.record({ event_type: fc.string(), data: fc.jsonValue() }), fc.constant(JSON.parse('{"__proto__": {"x": 1}, "constructor": 1}')));
    fc.assert(fc.property(fc.oneof(expr, fc.string({ maxLength: 200 })), event, (text, e) => {
      let f: EventFilter;
      try {
        f = EventFilter.compile(text);
      } catch (err) {
        assert.ok(err instanceof BadInputError, `compile threw ${(err as Error)?.constructor?.name}: ${(err as Error).message}`);
        return;
      }
      const started = performance.now();
      const r = f.evaluate(e, { _id: '1-0' });
      assert.ok(r === true || r === false || typeof r.error === 'string');
      assert.ok(performance.now() - started < 200, `slow: ${text}`);
    }), { numRuns: 3000 });
  });
});

// The redis target keeps its URL for the Python writer.
const targets = [
  { name: 'redis', make: async () => {
    const server = await startRedisServer();
    const transport = new RedisTransport({ url: server.url });
    await transport.connect();
    return { transport, url: server.url, done: async () => { await transport.close(); await server.stop(); } };
  } },
  ...transportTargets('search').filter((x) => x.name === 'embedded').map((x) => ({ name: x.name, make: async () => ({ ...(await x.make()), url: '' }) })),
];

for (const target of targets) {
  describe(`history search and seek [${target.name}]`, () => {
    let t: Transport;
    let done: () => Promise<void>;
    let url = '';
    before(async () => {
      ({ transport: t, done, url } = await target.make());
    });
    after(async () => { await done(); });

    /** `n` orders, total_price = i, written raw as the guide's apps write them. */
    async function orders(stream: string, n: number): Promise<void> {
      for (let i = 0; i < n; i += 1000) {
        await t.xaddBatch(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
          key: stream, fields: { event: JSON.stringify({ event_type: (i + k) % 2 ? 'order_created' : 'order_paid', entity_id: `o${i + k}`, data: { total_price: i + k } }) },
        })));
      }
    }

    it('streams matches page by page with scanned of total, and stops at the limit', async () => {
      await orders('s1', 5000);
      const f = EventFilter.compile('event_type == "order_created" && data.total_price > 4000');
      const batches: SearchBatch[] = [];
      const r = await searchStream(t, 's1', f, { pageSize: 500, limit: 10_000, onBatch: (b) => batches.push(b) });
      assert.equal(r.ended, 'end');
      assert.equal(r.scanned, 5000);
      assert.equal(r.total, 5000);
      assert.equal(r.matched, 500);
      assert.equal(batches.length, 10);
      assert.deepEqual(batches.map((b) => b.progress.scanned), [500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000]);
      assert.equal(batches.flatMap((b) => b.matches).length, 500);
      const limited = await searchStream(t, 's1', f, { limit: 5, reverse: true });
      assert.equal(limited.ended, 'limit');
      assert.equal(limited.matched, 5);
      assert.ok(limited.scanned < 20);
    });

    it('keeps to the scan budget and stops between pages when cancelled', async () => {
      const f = EventFilter.compile('data.total_price < 0');
      const budget = await searchStream(t, 's1', f, { maxScan: 1200, pageSize: 500 });
      assert.equal(budget.ended, 'budget');
      assert.equal(budget.scanned, 1200);
      const ac = new AbortController();
      const r = await searchStream(t, 's1', f, { pageSize: 100, onBatch: (b) => { if (b.progress.scanned >= 300) ac.abort(); }, signal: ac.signal });
      assert.equal(r.ended, 'aborted');
      assert.equal(r.scanned, 300);
      // Going on from where it stopped.
      const rest = await searchStream(t, 's1', f, { start: `${r.lastId!.split('-')[0]}`, pageSize: 1000 });
      assert.ok(rest.scanned >= 4700);
    });

    it('counts entries that are not JSON or lack a field, and matches plain field streams', async () => {
      await t.xaddBatch([
        { key: 's2', fields: { event: 'not json {' } },
        { key: 's2', fields: { event: '{"event_type": "x"}' } },
        { key: 's2', fields: { event: '{"event_type": "order_created", "data": {"total_price": 101.0}}' } },
        { key: 's2', fields: { kind: 'plain', n: '7' } },
      ]);
      const r = await searchStream(t, 's2', EventFilter.compile('data.total_price > 100'));
      assert.equal(r.matched, 1);
      assert.equal(r.errors, 3);
      assert.match(r.errorSummary!, /not JSON/);
      const plain = await searchStream(t, 's2', EventFilter.compile('kind == "plain" && int(n) == 7'));
      assert.equal(plain.matched, 1);
      // The plain entry on a later page than the first: the search reads field maps from there on, no entry twice.
      const paged = await searchStream(t, 's2', EventFilter.compile('kind == "plain" || data.total_price > 100'), { pageSize: 2 });
      assert.deepEqual([paged.scanned, paged.matched, paged.errors], [4, 2, 2]);
      // A match gives the event parsed from its text (read on demand) or the plain entry's fields, also as JSON.
      const found: SearchBatch['matches'] = [];
      await searchStream(t, 's2', EventFilter.compile('data.total_price > 100 || kind == "plain"'), { onBatch: (b) => found.push(...b.matches) });
      assert.deepEqual(found.map((m) => JSON.parse(JSON.stringify(m.event))), [{ event_type: 'order_created', data: { total_price: 101 } }, { kind: 'plain', n: '7' }]);
      assert.equal(found[0].event, found[0].event, 'parsed once');
      assert.deepEqual(JSON.parse(JSON.stringify(found[1])), { id: found[1].id, raw: null, event: { kind: 'plain', n: '7' } });
    });

    it('finds what the guide\'s Python EventStore wrote (json.dumps text: 12.0, \\u escapes, big ints)', { skip: target.name !== 'redis' }, async () => {
      // Texts, so Python reads 120.0 as a float and json.dumps writes it back as 120.0.
      const events = [
        '{"event_id": "e1", "timestamp": "2026-12-01T10:00:00", "event_type": "order_created", "entity_id": "py-1", "data": {"total_price": 120.0, "note": "café"}}',
        '{"event_id": "e2", "timestamp": "2026-12-01T10:00:01", "event_type": "order_created", "entity_id": "py-2", "data": {"total_price": 12.0}}',
        '{"event_id": "e3", "timestamp": "2026-12-01T10:00:02", "event_type": "order_created", "entity_id": "py-3", "data": {"total_price": 9007199254740993, "note": "große"}}',
      ];
      const args = ['save', '--url', url, ...events.flatMap((e) => ['--event', e])];
      const py = spawnSync(PYTHON, [GUIDE_APPS, ...args], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(py.status, 0, py.stderr);
      const found: string[] = [];
      const r = await searchStream(t, 'event_store', EventFilter.compile('event_type == "order_created" && data.total_price > 100'), { onBatch: (b) => found.push(...b.matches.map((m) => m.raw!)) });
      assert.equal(r.matched, 2);
      assert.deepEqual(found.map((raw) => JSON.parse(raw).entity_id), ['py-1', 'py-3']);
      assert.match(found[0], /120\.0/); // the stored text, untouched
      const accents = await searchStream(t, 'event_store', EventFilter.compile('data.note == "café"'));
      assert.equal(accents.matched, 1, 'json.dumps wrote caf\\u00e9: the text check must step aside');
    });

    it('seeks to a time at the start, in a gap, between entries and past the end, and pages both ways', async () => {
      const base = Date.UTC(2026, 11, 1, 10, 0, 0);
      for (let i = 0; i < 10; i++) await t.xadd('s3', { event: `{"i": ${i}}` }, { id: `${base + i * 1000}-0` });
      // A gap of an hour, then ten more.
      for (let i = 0; i < 10; i++) await t.xadd('s3', { event: `{"i": ${10 + i}}` }, { id: `${base + 3_600_000 + i * 1000}-0` });
      const is = (p: { entries: Array<{ fields: Record<string, string> }> }) => p.entries.map((e) => JSON.parse(e.fields.event!).i);
      const start = await pageAt(t, 's3', '2026-12-01T09:00:00Z', 5);
      assert.deepEqual(is(start), [0, 1, 2, 3, 4]);
      assert.equal(start.hasOlder, false);
      assert.equal(start.hasNewer, true);
      const gap = await pageAt(t, 's3', '2026-12-01T10:30:00Z', 5);
      assert.deepEqual(is(gap), [10, 11, 12, 13, 14]);
      assert.equal(gap.hasOlder, true);
      const exact = await pageAt(t, 's3', new Date(base + 3000), 3);
      assert.deepEqual(is(exact), [3, 4, 5]);
      const older = await pageBefore(t, 's3', exact.entries[0].id, 2);
      assert.deepEqual(is(older), [1, 2]);
      assert.equal(older.hasOlder, true);
      assert.equal(older.hasNewer, true);
      const newer = await pageAfter(t, 's3', exact.entries[2].id, 100);
      assert.equal(newer.entries.length, 14);
      assert.equal(newer.hasNewer, false);
      const past = await pageAt(t, 's3', '2027-01-01T00:00:00Z');
      assert.deepEqual(past.entries, []);
      assert.equal(past.hasOlder, true);
      assert.deepEqual(is(await pageBefore(t, 's3', past.position, 2)), [18, 19]);
      await assert.rejects(pageAt(t, 's3', 'not a date'), BadInputError);
      // The ends: the oldest and the newest page, each saying there is more on the other side only.
      const first = await pageFirst(t, 's3', 3);
      assert.deepEqual([is(first), first.hasOlder, first.hasNewer], [[0, 1, 2], false, true]);
      const last = await pageLast(t, 's3', 3);
      assert.deepEqual([is(last), last.hasOlder, last.hasNewer], [[17, 18, 19], true, false]);
      const all = await pageLast(t, 's3', 100);
      assert.deepEqual([all.entries.length, all.hasOlder], [20, false]);
      assert.deepEqual(await pageFirst(t, 'no-such-stream', 3), { entries: [], hasOlder: false, hasNewer: false });
    });

    it('searches through searchHistory lazily: breaking out stops the reads', async () => {
      const it = searchHistory(t, 's1', EventFilter.compile('true'), { pageSize: 100, limit: 100_000 });
      const first = await it.next();
      assert.equal(first.done, false);
      await it.return(undefined as never);
    });
  });
}

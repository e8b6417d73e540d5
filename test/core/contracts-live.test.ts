// Contracts on live traffic in the core: the EventMonitor hands every message it counts (already parsed) to the
// LiveContractChecker through a LiveContractWatch, which also reads the contract's streams. Traffic comes from
// another app the guide's way (raw ioredis PUBLISH of JSON text, XADD event_store * event <json>); counts, sampling,
// the violation ring and hostile schemas stay bounded.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import {
  createContractSet, EventMonitor, LiveContractChecker, LiveContractWatch, loadContract, type ContractSet, type Transport,
} from '../../src/core/index';
import { privateRedis } from '../support/private-redis';
import { untilSubscribed } from '../support/subscribed';

const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'contracts', 'asyncapi.yaml');
const TEXT = readFileSync(FIXTURE, 'utf8');
const lineOf = (needle: string) => TEXT.slice(0, TEXT.indexOf(needle)).split('\n').length;

const order = (id: string, data: Record<string, unknown> = {}, over: Record<string, unknown> = {}) => JSON.stringify({
  event_type: 'order_created', event_id: id, timestamp: '2026-12-01T10:00:00Z',
  data: { total_price: 5, status: 'pending', items: [{ sku: 'A-1', quantity: 1 }], ...data }, ...over,
});

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setOf(text: string, file = 'c.yaml'): Promise<ContractSet> {
  return createContractSet([await loadContract(file, text)]);
}

describe('contracts live: the monitor checks what other apps publish', () => {
  const r = privateRedis();

  it('checks pub/sub messages and stream entries written with plain PUBLISH and XADD, per channel and type', async () => {
    const set = await setOf(TEXT, FIXTURE);
    const monitor = new EventMonitor(r.t, { patterns: ['*'] });
    const checker = new LiveContractChecker(set);
    const watch = new LiveContractWatch(monitor, r.t, checker, { pollMs: 50 });
    assert.deepEqual(watch.streams, ['event_store']);
    const app = new Redis(r.url);
    try {
      await app.xadd('event_store', '*', 'event', order('before-start', { total_price: -1 })); // already there: not live
      await monitor.start();
      await watch.start();
      await untilSubscribed(r.url, { patternClients: 1 });
      await app.publish('ecommerce_events', order('ok-1'));
      await app.publish('ecommerce_events', order('bad-1', { total_price: 0, status: 'lost' }));
      await app.publish('ecommerce_events', 'this is not json {');
      await app.publish('ecommerce_events', order('typo', {}, { event_type: 'order_lost' }));
      await app.publish('not_in_the_contract', order('free', { total_price: -5 }));
      await app.publish('user.42', JSON.stringify({ event_type: 'user_registered', user_id: 'not-a-uuid' }));
      const entryId = await app.xadd('event_store', '*', 'event', order('s-bad', { total_price: -2 }));
      await app.xadd('event_store', '*', 'event', order('s-ok'));
      await until('every event checked', () => checker.snapshot().checked >= 7);
      const s = checker.snapshot();
      assert.deepEqual([s.covered, s.checked, s.violating, s.sampledShare], [7, 7, 5, 1]);
      const counts = s.counts.map((c) => `${c.kind} ${c.channel} ${c.eventType || '-'} ${c.checked}/${c.violating}`).sort();
      assert.deepEqual(counts, [
        'channel ecommerce_events - 1/1',
        'channel ecommerce_events order_created 2/1',
        'channel ecommerce_events order_lost 1/1',
        'channel user.42 user_registered 1/1',
        'stream event_store order_created 2/1',
      ]);
      const price = s.violations.find((v) => v.eventId === 'bad-1' && v.pointer === '/data/total_price')!;
      assert.equal(price.schema?.line, lineOf('exclusiveMinimum'));
      assert.equal(price.schema?.file, FIXTURE);
      assert.equal(JSON.parse(price.payload!).event_id, 'bad-1', 'the event is kept to be opened');
      assert.ok(s.violations.some((v) => v.eventId === 'bad-1' && v.pointer === '/data/status' && /one of/.test(v.message)));
      const rule = s.rules.find((x) => x.schema.line === lineOf('exclusiveMinimum'))!;
      assert.deepEqual([rule.count, rule.last.eventId], [2, 's-bad'], 'one rule broken on the channel and on the stream');
      const stream = s.violations.find((v) => v.kind === 'stream')!;
      assert.deepEqual([stream.channel, stream.eventId, stream.entryId, stream.pointer], ['event_store', 's-bad', entryId, '/data/total_price']);
      assert.ok(s.violations.some((v) => v.code === 'unknown_event_type' && v.eventType === 'order_lost'));
      assert.ok(s.violations.some((v) => v.payload === 'this is not json {' && /not JSON/.test(v.message)));
      assert.ok(s.violations.some((v) => v.channel === 'user.42' && v.pointer === '/user_id'));
      assert.ok(!s.violations.some((v) => v.eventId === 'before-start' || v.channel === 'not_in_the_contract'));
      assert.deepEqual(s.violations.map((v) => v.seq), s.violations.map((_, i) => i + 1), 'rows are numbered in order');
      watch.stop();
      await app.publish('ecommerce_events', order('after-stop', { total_price: -1 }));
      await app.xadd('event_store', '*', 'event', order('after-stop-s', { total_price: -1 }));
      await until('the monitor counted it', () => monitor.eventsSeen >= 7);
      await watch.poll();
      assert.equal(checker.snapshot().checked, 7, 'a stopped watch checks nothing');
    } finally {
      watch.stop();
      await monitor.stop();
      app.disconnect();
    }
  });

  it('reads past a stream that grows faster than a page per poll and counts what it skipped as not checked', async () => {
    const set = await setOf(TEXT, FIXTURE);
    const monitor = new EventMonitor(r.t, { patterns: ['nothing-here'] });
    const checker = new LiveContractChecker(set);
    const watch = new LiveContractWatch(monitor, r.t, checker, { pollMs: 3_600_000, maxEntriesPerPoll: 50 });
    const app = new Redis(r.url);
    try {
      await app.del('event_store');
      await watch.start();
      const p = app.pipeline();
      for (let i = 0; i < 1000; i++) p.xadd('event_store', `${1_800_000_000_000 + i}-0`, 'event', order(`e${i}`));
      await p.exec();
      await watch.poll();
      const s = checker.snapshot();
      assert.equal(s.checked, 50);
      assert.ok(s.covered > 900 && s.covered < 1100, `about 1000 covered, got ${s.covered}`);
      assert.ok(s.sampledShare < 0.1);
      await app.xadd('event_store', '*', 'event', order('next', { total_price: -1 }));
      await watch.poll();
      assert.equal(checker.snapshot().checked, 51, 'the next poll goes on from the newest entry');
      assert.equal(checker.snapshot().violations.at(-1)?.eventId, 'next');
    } finally {
      watch.stop();
      app.disconnect();
    }
  });
});

describe('contracts live: bounded whatever arrives (no connection, injected clock)', () => {
  const transport = { status: 'closed' } as Transport; // never asked: no stream in these contracts, no start()

  it('checks every event up to the rate, samples above it with the share shown, and keeps the newest violations only', async () => {
    const set = await setOf(TEXT, FIXTURE);
    let now = 1_700_000_000_000;
    const monitor = new EventMonitor(transport, { now: () => now });
    const checker = new LiveContractChecker(set, { maxChecksPerSecond: 200, maxCheckMsPerSecond: Number.POSITIVE_INFINITY, maxViolations: 25, maxRowsPerEvent: 2, maxPayloadChars: 100, now: () => now });
    const watch = new LiveContractWatch(monitor, transport, checker);
    await watch.start();
    for (let i = 0; i < 150; i++) monitor.ingest('ecommerce_events', order(`a${i}`, { total_price: -1, status: 'lost' }), '*');
    let s = checker.snapshot();
    assert.deepEqual([s.covered, s.checked, s.violating, s.sampledShare], [150, 150, 150, 1]);
    assert.equal(s.violations.length, 25, 'the ring is bounded');
    assert.deepEqual(s.violations.map((v) => v.seq), Array.from({ length: 25 }, (_, i) => 276 + i), 'the newest, oldest first');
    assert.ok(s.violations.every((v) => v.payload!.length === 100 && v.payloadTruncated));
    assert.deepEqual(s.rules.map((x) => x.count), [150, 150], 'rules are counted over every violation, not only the kept ones');
    assert.equal(s.violations.filter((v) => v.eventId === 'a149').length, 2, 'at most maxRowsPerEvent rows per event');
    for (let i = 0; i < 850; i++) monitor.ingest('ecommerce_events', order(`b${i}`), '*');
    s = checker.snapshot();
    assert.deepEqual([s.covered, s.checked], [1000, 200], 'over the budget the rest of the second is not checked');
    now += 1000; // 1000 seen in the last second with a budget of 200: one in five
    for (let i = 0; i < 1000; i++) monitor.ingest('ecommerce_events', order(`c${i}`), '*');
    s = checker.snapshot();
    assert.deepEqual([s.covered, s.checked], [2000, 400]);
    assert.equal(s.sampledShare, 0.2);
    monitor.ingest('ecommerce_events', 'x'.repeat(2 * 1024 * 1024), '*'); // too big for the monitor to parse
    assert.equal(checker.snapshot().covered, 2001, 'counted, not checked');
    monitor.ingest('elsewhere', order('z', { total_price: -1 }), '*');
    assert.equal(checker.snapshot().covered, 2001, 'a channel no contract names costs nothing');
    checker.clear();
    assert.deepEqual([checker.snapshot().covered, checker.snapshot().violations.length], [0, 0]);
    watch.stop();
  });

  it('counts per channel and type up to maxCounters; the rest of a kind under one (other) row', async () => {
    const set = await setOf(TEXT, FIXTURE);
    const checker = new LiveContractChecker(set, { maxChecksPerSecond: Number.POSITIVE_INFINITY, maxCounters: 4 });
    const user = (i: number) => JSON.stringify({ event_type: 'user_registered', user_id: i % 2 ? 'not-a-uuid' : '3f0e9d4c-8a8b-4c1e-9a57-2b0f3c4d5e6f' });
    for (let i = 0; i < 10; i++) for (let k = 0; k < 2; k++) checker.offer({ kind: 'channel', name: `user.${i}` }, user(i));
    checker.offer({ kind: 'stream', name: 'event_store' }, order('s1'));
    const s = checker.snapshot();
    assert.deepEqual(s.counts.map((c) => [c.kind, c.channel, c.eventType, c.checked, c.violating]), [
      ['channel', 'user.0', 'user_registered', 2, 0], ['channel', 'user.1', 'user_registered', 2, 2],
      ['channel', 'user.2', 'user_registered', 2, 0], ['channel', 'user.3', 'user_registered', 2, 2],
      ['channel', '(other)', '(other)', 12, 6], ['stream', '(other)', '(other)', 1, 0],
    ]);
    assert.deepEqual([s.checked, s.violating], [21, 10]);
    checker.clear();
    checker.offer({ kind: 'channel', name: 'user.9' }, user(9));
    assert.deepEqual(checker.snapshot().counts.map((c) => [c.channel, c.checked]), [['user.9', 1]], 'clear() forgets the rows and the (other) ones');
  });

  it('samples sooner when checking takes longer than its time budget, with the share shown', async () => {
    const set = await setOf(TEXT, FIXTURE);
    let now = 1_700_000_000_000;
    const monitor = new EventMonitor(transport, { now: () => now });
    // A budget no check fits in: one check per second, then the rest of that second goes unchecked.
    const checker = new LiveContractChecker(set, { maxChecksPerSecond: 5000, maxCheckMsPerSecond: 1e-9, now: () => now });
    const watch = new LiveContractWatch(monitor, transport, checker);
    await watch.start();
    for (let i = 0; i < 100; i++) monitor.ingest('ecommerce_events', order(`a${i}`), '*');
    assert.deepEqual([checker.snapshot().covered, checker.snapshot().checked], [100, 1]);
    now += 1000; // last second allowed one check for 100 events: one in 100 now
    for (let i = 0; i < 100; i++) monitor.ingest('ecommerce_events', order(`b${i}`), '*');
    const s = checker.snapshot();
    assert.deepEqual([s.covered, s.checked, s.sampledShare], [200, 2, 0.01]);
    watch.stop();
  });

  it('hostile schemas on the live path: a backtracking pattern, a huge enum and a $ref cycle stay fast and bounded', async () => {
    const text = `asyncapi: 3.0.0
channels:
  c:
    address: hostile
    messages:
      M:
        payload:
          type: object
          properties:
            s: { type: string, pattern: '^(a+)+$' }
            e: { enum: [${Array.from({ length: 20_000 }, (_, i) => `v${i}`).join(', ')}] }
            n: { $ref: '#/components/schemas/Node' }
  loop:
    address: hostile-loop
    messages:
      L:
        payload: { $ref: '#/components/schemas/A' }
components:
  schemas:
    Node:
      type: object
      properties:
        v: { type: integer }
        next: { $ref: '#/components/schemas/Node' }
    A: { $ref: '#/components/schemas/B' }
    B: { $ref: '#/components/schemas/A' }
`;
    const set = await setOf(text, 'hostile.yaml');
    const monitor = new EventMonitor(transport, { maxPayloadBytes: 8 * 1024 * 1024 });
    const checker = new LiveContractChecker(set, { maxChecksPerSecond: Number.POSITIVE_INFINITY, maxViolations: 100 });
    const watch = new LiveContractWatch(monitor, transport, checker);
    await watch.start();
    let deep: Record<string, unknown> = { v: 'x' };
    for (let i = 0; i < 200; i++) deep = { v: i, next: deep };
    const deeper = `${'{"next":'.repeat(5000)}{"v":1}${'}'.repeat(5000)}`; // too deep for JSON.stringify, not for a sender
    const payloads = [
      JSON.stringify({ s: `${'a'.repeat(100_000)}!` }), // would take forever if the pattern ran
      JSON.stringify({ e: 'v19999' }),
      JSON.stringify({ e: 'not-in-the-enum' }),
      JSON.stringify({ n: deep }),
      `{"n":${deeper}}`,
    ];
    const started = performance.now();
    for (let i = 0; i < 300; i++) {
      for (const p of payloads) monitor.ingest('hostile', p, '*');
      monitor.ingest('hostile-loop', '{"any":1}', '*'); // A → B → A: refused once by the compiler, then accepts all
    }
    const ms = performance.now() - started;
    const s = checker.snapshot();
    assert.equal(s.checked, 1800);
    assert.ok(ms < 20_000, `1800 hostile events took ${Math.round(ms)} ms`);
    assert.equal(s.violations.length, 100, 'bounded');
    const codes = new Set(s.violations.map((v) => v.code));
    assert.ok(codes.has('invalid_value'), [...codes].join());
    assert.ok(s.violations.some((v) => v.pointer.startsWith('/n/next') && v.code === 'invalid_type'), 'the deep recursive payload is checked');
    assert.ok(!s.violations.some((v) => v.pointer === '/s'), 'the backtracking pattern is not run');
    watch.stop();
  });
});

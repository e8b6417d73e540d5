import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventMonitor, getEventStatistics, type MonitorAlert, type RecentEvent } from '../../src/core/monitor/index';
import { BadInputError } from '../../src/core/errors';
import { RedisTransport } from '../../src/core/transport/redis';
import { EmbeddedTransport } from '../../src/core/transport/embedded/transport';
import type { Transport } from '../../src/core/transport/types';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const T0 = 1_700_000_000_000; // a whole second, so second boundaries are easy to reason about

function clock(start = T0) {
  let t = start;
  return { now: () => t, set: (ms: number) => { t = ms; }, advance: (ms: number) => { t += ms; } };
}

function event(type: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ event_id: `id-${Math.random()}`, event_type: type, timestamp: '2025-09-12T10:30:00Z', data: {}, ...extra });
}

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('EventMonitor counting (injected clock, no connection)', () => {
  const transport = {} as Transport; // never touched unless started

  it('counts per channel and type and computes 1 s / 10 s / 60 s rates over completed seconds', () => {
    const c = clock();
    const m = new EventMonitor(transport, { now: c.now });
    for (let i = 0; i < 10; i++) m.ingest('orders', event('order_created'), '*');
    for (let i = 0; i < 5; i++) m.ingest('payments', event('payment_processed'), '*');
    m.ingest('orders', 'this is not json {', '*');
    m.ingest('orders', '[1,2,3]', '*');

    let s = m.snapshot();
    assert.equal(s.total.total, 17);
    assert.equal(s.total.rate1s, 0, 'the current second is not complete yet');

    c.advance(1000);
    s = m.snapshot();
    assert.equal(s.total.rate1s, 17);
    assert.equal(s.total.rate10s, 1.7);
    assert.equal(s.total.rate60s, 17 / 60);
    assert.deepEqual(s.channels.map((r) => [r.name, r.total, r.rate1s]), [['orders', 12, 12], ['payments', 5, 5]]);
    assert.deepEqual(Object.fromEntries(s.types.map((r) => [r.name, r.total])),
      { order_created: 10, payment_processed: 5, '(malformed)': 1, '(none)': 1 });

    c.advance(5000);
    s = m.snapshot();
    assert.equal(s.total.rate1s, 0);
    assert.equal(s.total.rate10s, 1.7);
    c.advance(10_000);
    assert.equal(m.snapshot().total.rate10s, 0);
    assert.equal(m.snapshot().total.rate60s, 17 / 60);
    c.advance(60_000);
    assert.equal(m.snapshot().total.rate60s, 0);
    assert.equal(m.snapshot().total.total, 17, 'totals outlive the window');
  });

  it('spreads events over seconds correctly and ranks the top channels, the rest as (other)', () => {
    const c = clock();
    const m = new EventMonitor(transport, { now: c.now });
    for (let sec = 0; sec < 10; sec++) {
      for (let ch = 0; ch < 6; ch++) for (let k = 0; k <= ch; k++) m.ingest(`ch${ch}`, event('tick'));
      c.advance(1000);
    }
    const s = m.snapshot({ top: 2 });
    assert.deepEqual(s.channels.map((r) => [r.name, r.rate10s, r.total]), [['ch5', 6, 60], ['ch4', 5, 50], ['(other)', 10, 100]]);
    assert.equal(s.total.rate10s, 21);
    assert.equal(s.types[0]!.rate1s, 21);
  });

  it('keeps at most maxChannels / maxTypes names and counts the rest as (other)', () => {
    const m = new EventMonitor(transport, { maxChannels: 5, maxTypes: 3, now: clock().now });
    for (let i = 0; i < 20; i++) m.ingest(`channel-${i}`, event(`type-${i}`));
    const s = m.snapshot({ top: 100 });
    assert.equal(s.trackedChannels, 5);
    assert.equal(s.trackedTypes, 3);
    assert.equal(s.channels.length, 6);
    assert.deepEqual(s.channels.at(-1), { name: '(other)', total: 15, rate1s: 0, rate10s: 0, rate60s: 0 });
    assert.equal(s.types.find((r) => r.name === '(other)')!.total, 17);
  });

  it('evicts names idle for a whole window when full, so later channels get tracked', () => {
    const c = clock();
    const m = new EventMonitor(transport, { maxChannels: 2, windowSeconds: 10, now: c.now });
    m.ingest('old-1', event('a'));
    m.ingest('old-2', event('a'));
    c.advance(12_000);
    m.tick();
    m.ingest('new-1', event('a'));
    assert.deepEqual(m.snapshot().channels.map((r) => r.name), ['new-1']);
    assert.equal(m.snapshot().total.total, 3);
  });

  it('fires an alert once when a rate crosses above its threshold and resolves it once when it falls back', () => {
    const c = clock();
    const m = new EventMonitor(transport, {
      now: c.now,
      alerts: [
        { id: 'orders-hot', scope: 'channel', match: 'orders:*', eventsPerSecond: 5, windowSeconds: 2 },
        { id: 'all', scope: 'total', match: '', eventsPerSecond: 100 },
        { id: 'cancel', scope: 'type', match: 'order_cancelled', eventsPerSecond: 0 },
      ],
    });
    const alerts: MonitorAlert[] = [];
    m.onAlert((a) => alerts.push(a));
    for (let i = 0; i < 20; i++) m.ingest('orders:eu', event('order_created'));
    for (let i = 0; i < 4; i++) m.ingest('orders:us', event('order_created'));
    m.ingest('payments', event('order_cancelled'));
    c.advance(1000);
    m.tick();
    assert.deepEqual(alerts.map((a) => [a.ruleId, a.key, a.rate, a.state]), [
      ['orders-hot', 'orders:eu', 10, 'firing'],
      ['cancel', 'order_cancelled', 0.1, 'firing'],
    ]);
    assert.equal(alerts[0]!.threshold, 5);
    assert.equal(alerts[0]!.at, T0 + 1000);
    c.advance(500);
    m.tick();
    assert.equal(alerts.length, 2, 'no repeat while still above');
    assert.equal(m.snapshot().activeAlerts.length, 2);
    c.advance(1500); // second T0+3: orders:eu's 2 s window is empty
    m.tick();
    assert.deepEqual(alerts.slice(2).map((a) => [a.ruleId, a.key, a.rate, a.state]), [['orders-hot', 'orders:eu', 0, 'resolved']]);
    c.advance(10_000);
    m.tick();
    assert.deepEqual(alerts.slice(3).map((a) => [a.ruleId, a.state]), [['cancel', 'resolved']]);
    assert.deepEqual(m.snapshot().activeAlerts, []);

    for (let i = 0; i < 30; i++) m.ingest('orders:eu', event('order_created'));
    c.advance(1000);
    m.tick();
    assert.equal(alerts.at(-1)!.state, 'firing');
    m.setAlertRules([]);
    assert.deepEqual([alerts.at(-1)!.ruleId, alerts.at(-1)!.state], ['orders-hot', 'resolved']);
    assert.throws(() => m.setAlertRules([{ id: 'x', scope: 'channel', match: 'a', eventsPerSecond: 1, windowSeconds: 600 }]), BadInputError);
    assert.throws(() => m.setAlertRules([{ id: 'x', scope: 'nope' as never, match: 'a', eventsPerSecond: 1 }]), BadInputError);
  });

  it('keeps the newest events, newest first, filtered by channel, type or text', () => {
    const c = clock();
    const m = new EventMonitor(transport, { recentCapacity: 3, now: c.now });
    const seen: RecentEvent[] = [];
    m.onEvent((e) => seen.push(e));
    for (let i = 0; i < 5; i++) {
      m.ingest(i % 2 ? 'odd' : 'even', event(i % 2 ? 'odd_happened' : 'even_happened', { entity_id: `e-${i}`, data: { i } }), '*');
      c.advance(10);
    }
    const r = m.recent();
    assert.equal(r.length, 3);
    assert.deepEqual(r.map((e) => [e.channel, e.entity, e.receivedAt]), [['even', 'e-4', T0 + 40], ['odd', 'e-3', T0 + 30], ['even', 'e-2', T0 + 20]]);
    assert.equal(r[0]!.pattern, '*');
    assert.equal(r[0]!.sizeBytes, Buffer.byteLength(r[0]!.payload));
    assert.equal(r[0]!.truncated, false);
    assert.deepEqual(m.recent(10, { channel: 'odd' }).map((e) => e.entity), ['e-3']);
    assert.deepEqual(m.recent(10, { type: 'even_happened' }).map((e) => e.entity), ['e-4', 'e-2']);
    assert.deepEqual(m.recent(10, { text: '"i":2' }).map((e) => e.entity), ['e-2']);
    assert.equal(m.recent(1).length, 1);
    assert.equal(seen.length, 5);
    assert.equal(m.eventsSeen, 5);
    assert.equal(seen[4]!.entity, 'e-4');
    assert.equal(m.snapshot({ recent: 2 }).recent.length, 2);
    m.clear();
    assert.equal(m.recent().length, 0);
    assert.equal(m.snapshot().total.total, 0);
  });

  it('survives malformed and 10 MB payloads: nothing crashes, big ones are truncated, their type still found', () => {
    const m = new EventMonitor(transport, { now: clock().now });
    const bigJson = `{"event_type":"bulk_import","entity_id":"batch-7","data":{"blob":"${'x'.repeat(10 * 1024 * 1024)}"}}`;
    const bigGarbage = Buffer.alloc(10 * 1024 * 1024, 0xff).toString('latin1');
    const nested = '['.repeat(100_000) + ']'.repeat(100_000);
    const started = Date.now();
    m.ingest('bulk', bigJson);
    m.ingest('bulk', bigGarbage);
    m.ingest('bulk', nested);
    m.ingest('bulk', '\u0000\u0001binary\ud800');
    m.ingest('bulk', '');
    m.ingest('bulk', '{"event_type": 42}');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    const [odd, empty, bin, deep, garbage, big] = m.recent();
    assert.equal(big!.type, 'bulk_import');
    assert.equal(big!.entity, 'batch-7');
    assert.equal(big!.truncated, true);
    assert.equal(big!.payload.length, 64 * 1024);
    assert.equal(big!.sizeBytes, bigJson.length);
    assert.ok(big!.payload.startsWith('{"event_type":"bulk_import"'));
    assert.equal(garbage!.type, '(unknown)');
    assert.equal(garbage!.sizeBytes, 20 * 1024 * 1024, 'each 0xff char is two UTF-8 bytes');
    assert.equal(deep!.type, '(none)');
    assert.equal(bin!.type, '(malformed)');
    assert.equal(empty!.type, '(malformed)');
    assert.equal(odd!.type, '42');
    assert.equal(m.snapshot().total.total, 6);
  });

  it('does not keep big payloads alive: 30 payloads of 10 MB cost the recent buffer about 64 KiB each', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const m = new EventMonitor(transport, { now: clock().now });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 30; i++) {
      const big = `{"event_type":"big_${i}","entity_id":"e-${i}","data":"${String(i).repeat(10 * 1024 * 1024 / String(i).length)}"}`;
      m.ingest(`channel-${i}`, big);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 40 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(0)} MB`);
    assert.equal(m.recent().length, 30);
    assert.equal(m.recent()[0]!.type, 'big_29');
    assert.equal(m.snapshot({ top: 100 }).types.length, 30);
  });

  it('keeps counter increments across a failed flush and caps the distinct keys it buffers', async () => {
    const sent: Array<Array<readonly [string, number]>> = [];
    let failNext = true;
    const fake = {
      status: 'ready',
      async incrByBatch(items: ReadonlyArray<readonly [string, number]>) {
        if (failNext) { failNext = false; throw new Error('connection lost'); }
        sent.push(items.map(([k, n]) => [k, n] as const));
      },
    } as unknown as Transport;
    const m = new EventMonitor(fake, { counters: true, maxCounterKeys: 3, now: clock().now });
    for (const [ch, type] of [['a', 't1'], ['a', 't1'], ['a', 't2'], ['b', 't1'], ['c', 't1'], ['d', 't9'], ['a', 't1']]) {
      m.ingest(ch!, event(type!));
    }
    await m.flushCounters();
    assert.deepEqual(m.snapshot().counters, { pendingKeys: 4, flushed: 0, overflowed: 2, failures: 1, lastError: 'connection lost' });
    m.ingest('a', event('t1'));
    await m.flushCounters();
    assert.deepEqual(sent, [[
      ['event_counts:a:t1', 4], ['event_counts:a:t2', 1], ['event_counts:b:t1', 1], ['event_counts:(other):(other)', 2],
    ]]);
    assert.deepEqual(m.snapshot().counters, { pendingKeys: 0, flushed: 8, overflowed: 2, failures: 1 });
  });

  it('rejects bad options with a clear error', () => {
    assert.throws(() => new EventMonitor(transport, { windowSeconds: 5 }), BadInputError);
    assert.throws(() => new EventMonitor(transport, { maxChannels: 0 }), BadInputError);
    assert.throws(() => new EventMonitor(transport, { patterns: [] }), BadInputError);
    assert.throws(() => new EventMonitor(transport, { alerts: [{ id: 'a', scope: 'total', match: '*', eventsPerSecond: -1 }] }), BadInputError);
  });

  it('keeps the hot path close to a bare JSON.parse handler', (t) => {
    const payloads = Array.from({ length: 2000 }, (_, i) => event(i % 3 ? 'order_created' : 'payment_processed', { entity_id: `order-${i}`, data: { order_id: i, total: 99.99 } }));
    const channels = ['orders', 'payments', 'users', 'orders:eu'];
    const m = new EventMonitor(transport);
    const n = 50_000;
    let sink = 0;
    const bare = (): number => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) sink += (JSON.parse(payloads[i % 2000]!) as { data: object }).data ? 1 : 0;
      return Number(process.hrtime.bigint() - t);
    };
    const monitored = (): number => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) m.ingest(channels[i & 3]!, payloads[i % 2000]!, '*');
      return Number(process.hrtime.bigint() - t);
    };
    bare(); monitored(); // warm up
    const ratios: number[] = [];
    for (let k = 0; k < 5; k++) ratios.push(bare() / monitored());
    const best = Math.max(...ratios);
    assert.ok(sink > 0);
    t.diagnostic(`ingest at ${ratios.map((r) => r.toFixed(2)).join(' / ')} x the speed of a bare JSON.parse loop`);
    // Against a bare parse loop, not a subscriber: delivery through a client costs several times the parse, so
    // this is the harshest comparison. Twice the parse work (or O(n) work per event) would fall below it.
    assert.ok(best > 0.5, `monitor ingest runs at ${best.toFixed(2)}x of bare JSON.parse`);
  });
});

const transports: Array<{ name: string; make: (args?: string[]) => Promise<{ transport: Transport; server?: RedisServerHandle; done: () => Promise<void> }> }> = [
  {
    name: 'redis',
    async make(args) {
      const server = await startRedisServer({ args });
      const transport = new RedisTransport({ url: server.url, maxReconnectDelayMs: 100 });
      await transport.connect();
      return { transport, server, done: async () => { await transport.close(); await server.stop(); } };
    },
  },
  {
    name: 'embedded',
    async make() {
      const transport = new EmbeddedTransport({ name: `monitor-test-${process.pid}-${Math.random()}` });
      await transport.connect();
      return { transport, done: () => transport.close() };
    },
  },
];

for (const t of transports) {
  describe(`EventMonitor on the ${t.name} transport`, () => {
    let transport: Transport;
    let done: () => Promise<void>;
    before(async () => ({ transport, done } = await t.make()));
    after(async () => done?.());

    it('counts what is published on any channel, malformed messages as (malformed)', async () => {
      const m = new EventMonitor(transport);
      await m.start();
      assert.equal(m.running, true);
      await transport.publishBatch([
        ['orders', event('order_created')], ['orders', event('order_created')], ['users', event('user_registered')],
        ['orders', '{not json'],
      ]);
      await waitUntil('4 events', () => m.snapshot().total.total === 4);
      const s = m.snapshot();
      assert.equal(s.connection, 'ready');
      assert.equal(s.gaps, 0);
      assert.deepEqual(s.channels.map((r) => [r.name, r.total]), [['orders', 3], ['users', 1]]);
      assert.deepEqual(s.types.map((r) => [r.name, r.total]).sort(), [['(malformed)', 1], ['order_created', 2], ['user_registered', 1]]);
      assert.equal(s.recent[0]!.payload, '{not json');
      assert.equal(s.recent[0]!.pattern, '*');
      await m.stop();
      assert.equal(m.running, false);
      await transport.publish('orders', event('order_created'));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(m.snapshot().total.total, 4, 'nothing counted after stop');
    });

    it('only counts its own patterns, not other subscriptions on the same transport', async () => {
      const m = new EventMonitor(transport, { patterns: ['orders*'] });
      await m.start();
      await transport.subscribe(['users']);
      await transport.publishBatch([['orders', event('a')], ['users', event('b')], ['orders:eu', event('c')]]);
      await waitUntil('2 events', () => m.snapshot().total.total === 2);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(m.snapshot().channels.map((r) => r.name).sort(), ['orders', 'orders:eu']);
      await m.stop();
      await transport.unsubscribe(['users']);
    });

    it('flushes the guide\'s event_counts counters in batches, readable with getEventStatistics', async () => {
      let batches = 0;
      let singles = 0;
      const spy = new Proxy(transport, {
        get(target, prop) {
          if (prop === 'incrByBatch') batches++;
          if (prop === 'incr' || prop === 'incrBy') singles++;
          const v = Reflect.get(target, prop);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      const m = new EventMonitor(spy, { counters: true, patterns: ['shop:*', 'stats:*'] });
      await m.start();
      const msgs: Array<[string, string]> = [];
      for (let i = 0; i < 300; i++) msgs.push(['shop:orders', event('order_created')]);
      for (let i = 0; i < 7; i++) msgs.push(['shop:orders', event('order_paid')]);
      msgs.push(['stats:users', event('user_registered')], ['stats:users', 'garbage']);
      await transport.publishBatch(msgs);
      await waitUntil('309 events', () => m.snapshot().total.total === 309);
      await m.flushCounters();
      // One pipelined batch (two if the once-a-second flush ran while the messages were arriving), never one per event.
      assert.ok(batches >= 1 && batches <= 2, `${batches} batches for 309 events`);
      assert.equal(singles, 0);
      assert.deepEqual(m.snapshot().counters, { pendingKeys: 0, flushed: 309, overflowed: 0, failures: 0 });

      // What the guide's own monitor writes is read too; foreign keys under the prefix are skipped.
      await transport.incr('event_counts:user_events:user_registration');
      await transport.set('event_counts:broken:value', 'not a number');
      await transport.hset('event_counts:a:hash', { f: '1' });
      const stats = await getEventStatistics(transport);
      assert.equal(Object.getPrototypeOf(stats), null);
      assert.deepEqual({ ...stats }, {
        'shop:orders': Object.assign(Object.create(null), { order_created: 300, order_paid: 7 }),
        'stats:users': Object.assign(Object.create(null), { user_registered: 1, '(malformed)': 1 }),
        user_events: Object.assign(Object.create(null), { user_registration: 1 }),
      });

      await transport.publish('shop:orders', event('order_created'));
      await waitUntil('310 events', () => m.snapshot().total.total === 310);
      await m.stop(); // the last increments are flushed on stop
      assert.equal(await transport.get('event_counts:shop:orders:order_created'), '301');
      const paged = await getEventStatistics(transport, { pageSize: 1 });
      assert.equal(paged['shop:orders']!.order_created, 301);
    });

    it('samples streams: length, new entries since the last sample, group lag and pending', async () => {
      const c = clock(Date.now());
      const m = new EventMonitor(transport, { streams: ['event_store', 'missing_stream'], now: c.now });
      for (let i = 0; i < 5; i++) await transport.xadd('event_store', { event: event('order_created') });
      await transport.xgroupCreate('event_store', 'projector', '0');
      await transport.xreadgroup({ group: 'projector', consumer: 'c1', streams: [{ key: 'event_store', id: '>' }], count: 2 });
      await m.sampleStreams();
      const [first, missing] = m.snapshot().streams;
      let store = first;
      assert.deepEqual([store!.stream, store!.exists, store!.length, store!.newEntries, store!.entriesPerSecond], ['event_store', true, 5, 0, null]);
      assert.deepEqual(store!.groups.map((g) => [g.name, g.consumers, g.pending]), [['projector', 1, 2]]);
      assert.equal(store!.groups[0]!.lag, 3, 'Redis 7 reports lag; so does the embedded transport');
      assert.deepEqual([missing!.exists, missing!.length, missing!.groups.length], [false, 0, 0]);
      for (let i = 0; i < 4; i++) await transport.xadd('event_store', { event: event('order_paid') });
      c.advance(2000);
      await m.sampleStreams();
      store = m.snapshot().streams[0];
      assert.deepEqual([store!.length, store!.newEntries, store!.entriesPerSecond], [9, 4, 2]);
    });

    it('stays bounded: 200k messages on 50k distinct channels', async () => {
      const m = new EventMonitor(transport, { patterns: ['flood:*'], maxChannels: 500, recentCapacity: 500 });
      await m.start();
      const payload = event('flood');
      for (let base = 0; base < 200_000; base += 10_000) {
        const batch: Array<[string, string]> = [];
        for (let i = base; i < base + 10_000; i++) batch.push([`flood:${i % 50_000}`, payload]);
        await transport.publishBatch(batch);
      }
      await waitUntil('200k events', () => m.snapshot().total.total === 200_000, 15_000);
      const s = m.snapshot({ top: 1000 });
      assert.ok(s.trackedChannels + 1 <= 501, `${s.trackedChannels} channels tracked`);
      assert.equal(s.trackedChannels, 500);
      assert.equal(s.channels.reduce((sum, r) => sum + r.total, 0), 200_000);
      assert.equal(s.channels.at(-1)!.name, '(other)');
      assert.ok(m.recentCount <= 500);
      assert.equal(m.recent().length, 500);
      await m.stop();
    });
  });
}

describe('EventMonitor and a lost Redis connection', () => {
  it('shows reconnecting and a gap when the server dies, and counts again after it is back', async () => {
    let server = await startRedisServer();
    const transport = new RedisTransport({ url: server.url, maxReconnectDelayMs: 100 });
    await transport.connect();
    const m = new EventMonitor(transport);
    try {
      await m.start();
      await transport.publish('orders', event('order_created'));
      await waitUntil('first event', () => m.snapshot().total.total === 1);
      await server.kill();
      await waitUntil('reconnecting', () => m.snapshot().connection === 'reconnecting');
      assert.equal(m.snapshot().gaps, 1);
      assert.ok(m.snapshot().lastGapAt! > 0);
      server = await server.restart();
      await waitUntil('ready again', () => m.snapshot().connection === 'ready', 15_000);
      // The transport resubscribes by itself; publish until the resubscription has landed.
      await waitUntil('counting again', () => {
        void transport.publish('orders', event('order_created')).catch(() => undefined);
        return m.snapshot().total.total >= 2;
      }, 10_000);
      assert.equal(m.snapshot().gaps, 1);
      assert.equal(m.snapshot().channels[0]!.name, 'orders');
    } finally {
      await m.stop();
      await transport.close();
      await server.stop();
    }
  });

  it('reports a gap when Redis drops the subscriber for falling behind (output buffer limit)', async () => {
    const server = await startRedisServer({ args: ['--client-output-buffer-limit', 'pubsub', '256kb', '128kb', '60'] });
    const transport = new RedisTransport({ url: server.url, maxReconnectDelayMs: 100 });
    await transport.connect();
    const statuses: string[] = [];
    transport.onStatus((s) => statuses.push(s));
    const m = new EventMonitor(transport);
    try {
      await m.start();
      await transport.publish('big', 'x'.repeat(1024 * 1024)); // more than the subscriber may have queued at once
      await waitUntil('a gap', () => m.snapshot().gaps === 1);
      await waitUntil('ready again', () => m.snapshot().connection === 'ready');
      assert.ok(statuses.includes('reconnecting'), statuses.join(','));
      await waitUntil('counting again', () => {
        void transport.publish('small', event('after_gap')).catch(() => undefined);
        return m.snapshot().types.some((r) => r.name === 'after_gap');
      });
    } finally {
      await m.stop();
      await transport.close();
      await server.stop();
    }
  });
});

describe('EventMonitor behind a burst', () => {
  it('reads a backlog in slices: other work runs between them, every event counted in order', async () => {
    // A flood of messages from one Lua script (about 250 bytes each), twice. The first, read at full speed, lets the
    // kernel grow the socket's receive buffer (TCP autotuning: megabytes at the bench's 25 MB/s). In the second each
    // event costs the inspector 20 µs (a slow contract check) and the first one stalls the process for 300 ms (a GC,
    // the scheduler on a busy machine): megabytes pile up in the socket. Read in one go (libuv's 32 reads of 64 KiB
    // per poll, every buffered chunk per flow), thousands of events ran between two turns of the event loop; sliced,
    // a few hundred (8 ms of reading).
    const server = await startRedisServer();
    const transport = new RedisTransport({ url: server.url });
    const publisher = new Redis(server.url);
    const m = new EventMonitor(transport, { patterns: ['burst:*'] });
    let turnsDone = false;
    let sinceTurn = 0;
    let mostBetweenTurns = 0;
    const turn = () => { sinceTurn = 0; if (!turnsDone) setImmediate(turn); };
    let slow = false;
    let stalled = false;
    const seqs: number[] = [];
    const body = JSON.stringify({ event_id: 'e', event_type: 'burst_tested', timestamp: '2025-09-12T10:30:00Z', data: { n: 0, pad: 'x'.repeat(150) } });
    const cut = body.indexOf('"n":0') + 4;
    const flood = (channel: string, n: number) => publisher.eval(
      `local a, b = ARGV[1], ARGV[2] for i = 1, tonumber(ARGV[3]) do redis.call('PUBLISH', KEYS[1], a .. i .. b) end return 1`,
      1, channel, body.slice(0, cut), body.slice(cut + 1), String(n),
    );
    try {
      await transport.connect();
      await m.start();
      m.inspect((channel, _pattern, value) => {
        if (channel !== 'burst:slow') return;
        const until = performance.now() + (stalled ? 0.02 : 300);
        stalled = true;
        while (performance.now() < until) { /* the check's cost, or the stall */ }
        seqs.push((value as { data: { n: number } }).data.n);
        mostBetweenTurns = Math.max(mostBetweenTurns, ++sinceTurn);
      });
      const WARM = 100_000;
      await flood('burst:warm', WARM);
      await waitUntil('the first flood counted', () => m.eventsSeen >= WARM, 60_000);
      const N = 30_000;
      slow = true;
      turn();
      await flood('burst:slow', N);
      await waitUntil('every event counted', () => m.eventsSeen >= WARM + N, 60_000);
      turnsDone = true;
      assert.ok(slow);
      assert.equal(m.eventsSeen, WARM + N);
      assert.ok(seqs.length === N && seqs.every((n, i) => n === i + 1), 'in order, none lost');
      assert.ok(mostBetweenTurns < 2000, `at most ${mostBetweenTurns} events between two turns of the event loop (8 ms of reading ≈ 400 here)`);
    } finally {
      turnsDone = true;
      await m.stop();
      publisher.disconnect();
      await transport.close();
      await server.stop();
    }
  });
});

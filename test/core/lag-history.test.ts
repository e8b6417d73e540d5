// Issue 17: lag over time and a stuck consumer, on a private redis-server: consumer "a" reads and stops (as a killed
// worker does), "b" keeps reading; once a's entries age past the threshold it is reported, and claimStuck moves them.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { LagHistory, claimStuck, compactTrend, lagTrend, type LagSample } from '../../src/core/lag/index';
import type { RedisTransport } from '../../src/core/transport/redis';
import { privateRedis } from '../support/private-redis';

describe('lag history and stuck consumers', () => {
  const redis = privateRedis();
  let t: RedisTransport;
  before(() => { t = redis.t; });

  it('keeps a bounded history, reports the consumer that stopped while another moves, and claims its entries', async () => {
    const add = (n: number) => t.xaddBatch(Array.from({ length: n }, (_, i) => ({ key: 'jobs', fields: { event: `{"i": ${i}}` } })));
    await add(20);
    await t.xgroupCreate('jobs', 'workers', '0');
    const history = new LagHistory(t, { capacity: 3, stuckAfterMs: 300 });
    assert.deepEqual(await history.sample('jobs'), []);
    await t.xreadgroup({ group: 'workers', consumer: 'a', streams: [{ key: 'jobs', id: '>' }], count: 5 });
    assert.deepEqual(await history.sample('jobs'), [], 'young pending entries are not stuck');
    await new Promise((r) => setTimeout(r, 400));
    const read = await t.xreadgroup({ group: 'workers', consumer: 'b', streams: [{ key: 'jobs', id: '>' }], count: 5 });
    await t.xack('jobs', 'workers', read![0].entries.map((e) => e.id));
    await add(10);
    const stuck = await history.sample('jobs');
    assert.equal(stuck.length, 1);
    assert.equal(stuck[0].consumer, 'a');
    assert.equal(stuck[0].healthy, 'b');
    assert.equal(stuck[0].pending, 5);
    assert.ok(stuck[0].oldestPendingMs >= 300);
    await history.sample('jobs');
    const h = history.history('jobs', 'workers');
    assert.equal(h.length, 3, 'bounded');
    assert.equal(h[h.length - 1].lag, 20);
    assert.ok(h[h.length - 1].oldestPendingMs >= 300);
    assert.match(history.trend('jobs', 'workers')!, /^lag \d+ → 20 over 1 min$/);
    assert.deepEqual(await claimStuck(t, stuck[0], 300), { claimed: 5, skipped: 0, pages: 1, more: false });
    const left = await t.xpendingRange('jobs', 'workers', { count: 100, consumer: 'a' });
    assert.equal(left.length, 0);
    assert.equal((await t.xpendingRange('jobs', 'workers', { count: 100, consumer: 'b' })).length, 5);
    assert.deepEqual(await history.sample('jobs'), [], 'after the claim nothing is stuck');
  });

  it('works on a group another app made with plain XGROUP / XREADGROUP: the worker that stops is stuck, claims go in pages, a second claim takes nothing', async () => {
    // The guide's workers: ioredis, XGROUP CREATE … MKSTREAM, XREADGROUP, XACK; nothing of ours wrote these entries.
    const app = new Redis(redis.url, { lazyConnect: true });
    await app.connect();
    try {
      const stream = 'orders-app';
      await app.xgroup('CREATE', stream, 'fulfilment', '$', 'MKSTREAM');
      const pipe = app.pipeline();
      for (let i = 0; i < 1200; i++) pipe.xadd(stream, '*', 'event', `{"event_type": "order_created", "data": {"order_id": "${i}"}}`);
      await pipe.exec();
      const history = new LagHistory(t, { capacity: 10, stuckAfterMs: 250 });
      // worker-1 reads 1,100 entries and dies without acknowledging them.
      await app.xreadgroup('GROUP', 'fulfilment', 'worker-1', 'COUNT', 1100, 'STREAMS', stream, '>');
      assert.deepEqual(await history.sample(stream), [], 'nothing is old yet');
      await new Promise((r) => setTimeout(r, 300));
      // worker-2 keeps going: reads and acknowledges what is left.
      const read = (await app.xreadgroup('GROUP', 'fulfilment', 'worker-2', 'COUNT', 50, 'STREAMS', stream, '>')) as Array<[string, Array<[string, string[]]>]>;
      await app.xack(stream, 'fulfilment', ...read[0][1].map(([id]) => id));
      const stuck = await history.sample(stream);
      assert.deepEqual(stuck.map((s) => [s.stream, s.group, s.consumer, s.pending, s.healthy]), [[stream, 'fulfilment', 'worker-1', 1100, 'worker-2']]);
      const [latest] = history.latest(stream);
      assert.equal(latest[0], 'fulfilment');
      assert.equal(latest[1].pending, 1100);
      assert.equal(latest[1].lag, 50);
      assert.ok(latest[1].oldestPendingMs >= 250);
      // Pages of 500, at most 1,000 this run: the rest waits for the next one.
      const first = await claimStuck(t, { ...stuck[0] }, 250, { pageSize: 500, max: 1000 });
      assert.deepEqual(first, { claimed: 1000, skipped: 0, pages: 2, more: true });
      const second = await claimStuck(t, stuck[0], 250, { pageSize: 500, max: 1000 });
      assert.deepEqual(second, { claimed: 100, skipped: 0, pages: 1, more: false });
      assert.deepEqual(await claimStuck(t, stuck[0], 250), { claimed: 0, skipped: 0, pages: 0, more: false }, 'safe to repeat');
      const pending = (await app.xpending(stream, 'fulfilment')) as [number, string, string, Array<[string, string]>];
      assert.deepEqual(pending[3], [['worker-2', '1100']], 'worker-2 owns them all (the app sees it too)');
      assert.deepEqual(await history.sample(stream), [], 'nobody is stuck after the claim');
      // An entry deleted meanwhile is not claimed but counted (XCLAIM drops its id from the group).
      await app.xreadgroup('GROUP', 'fulfilment', 'worker-3', 'COUNT', 10, 'STREAMS', stream, '0');
      await app.xadd(stream, '*', 'event', '{}');
      const [[, [[gone]]]] = (await app.xreadgroup('GROUP', 'fulfilment', 'worker-3', 'COUNT', 1, 'STREAMS', stream, '>')) as Array<[string, Array<[string, string[]]>]>;
      await app.xdel(stream, gone);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await claimStuck(t, { stream, group: 'fulfilment', consumer: 'worker-3', healthy: 'worker-2' }, 250), { claimed: 0, skipped: 1, pages: 1, more: false });
      await assert.rejects(claimStuck(t, { stream, group: 'fulfilment', consumer: 'worker-2', healthy: 'worker-2' }, 250), /another consumer/);
      // A destroyed group takes its history with it.
      await app.xgroup('DESTROY', stream, 'fulfilment');
      await history.sample(stream);
      assert.deepEqual(history.latest(stream), []);
    } finally {
      app.disconnect();
    }
  });

  it('sums a history up as a sparkline, a delta and min / max / now', () => {
    const at = (i: number, lag: number | null, oldestPendingMs = 0): LagSample => ({ at: 1_000_000 + i * 5000, lag, pending: 0, oldestPendingMs });
    assert.equal(lagTrend([at(0, 3)]), null, 'one sample is no trend');
    assert.equal(lagTrend([at(0, null), at(1, 4)]), null, 'unknown lags do not count');
    const t1 = lagTrend([at(0, 0), at(1, 5, 1000), at(2, 10, 6000), at(3, 20, 2000), at(4, 20, 7000)])!;
    assert.deepEqual({ ...t1 }, { sparkline: '▁▃▅██', delta: 20, arrow: '↑', min: 0, max: 20, now: 20, spanMs: 20_000, samples: 5, oldestPendingMs: 7000, maxOldestPendingMs: 7000 });
    assert.equal(compactTrend(t1), '▁▃▅██ ↑+20');
    const down = lagTrend([at(0, 9), at(1, 3)])!;
    assert.equal(compactTrend(down), '█▁ ↓-6');
    const flat = lagTrend(Array.from({ length: 20 }, (_, i) => at(i, 7)))!;
    assert.equal(flat.sparkline, '▁▁▁▁▁▁▁▁', 'the newest 8 samples');
    assert.equal(compactTrend(flat), '→', 'a lag that never moved takes no room in the row');
    const back = lagTrend([at(0, 5), at(1, 9), at(2, 5)])!;
    assert.equal(compactTrend(back), '▁█▁ →', 'moved and came back');
  });
});

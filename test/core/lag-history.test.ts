// Issue 17: lag over time and a stuck consumer, on a private redis-server: consumer "a" reads and stops (as a killed
// worker does), "b" keeps reading; once a's entries age past the threshold it is reported, and claimStuck moves them.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { LagHistory, claimStuck } from '../../src/core/lag/index';
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
    assert.equal(await claimStuck(t, stuck[0], 300), 5);
    const left = await t.xpendingRange('jobs', 'workers', { count: 100, consumer: 'a' });
    assert.equal(left.length, 0);
    assert.equal((await t.xpendingRange('jobs', 'workers', { count: 100, consumer: 'b' })).length, 5);
    assert.deepEqual(await history.sample('jobs'), [], 'after the claim nothing is stuck');
  });
});

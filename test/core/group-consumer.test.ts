import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GroupConsumer } from '../../src/core/store/group-consumer';
import { RedisTransport } from '../../src/core/transport/redis';
import type { StreamEntry, Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';
import { startRedisServer } from '../support/redis-server';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await wait(10);
  }
}

async function fill(t: Transport, stream: string, n: number, from = 0): Promise<string[]> {
  const ids = await t.xaddBatch(Array.from({ length: n }, (_, i) => ({ key: stream, fields: { event: JSON.stringify({ event_type: 'job', data: { n: from + i } }) } })));
  return ids.map(String);
}

for (const target of transportTargets('group-consumer')) {
  describe(`group consumer [${target.name}]`, () => {
    let t: Transport;
    let done: () => Promise<void>;
    let seq = 0;
    const fresh = () => `gc-${++seq}`;

    before(async () => ({ transport: t, done } = await target.make()));
    after(async () => done());

    it('processes every entry once and acknowledges it', async () => {
      const stream = fresh();
      await fill(t, stream, 500);
      const seen: string[] = [];
      const c = new GroupConsumer(t, { stream, group: 'g', consumer: 'c1', blockMs: 100, handler: async (e) => { seen.push(e.id); } });
      const running = c.start();
      await until(() => seen.length >= 500, 5000, '500 entries');
      await fill(t, stream, 20, 500);
      await until(() => seen.length >= 520, 5000, '20 more entries');
      await c.stop();
      await running;
      assert.equal(new Set(seen).size, 520);
      assert.equal(seen.length, 520);
      assert.equal(c.stats.acked, 520);
      assert.equal((await t.xpendingSummary(stream, 'g')).count, 0);
    });

    it('a consumer that died before acking: its entries are claimed by another after claimIdleMs, none lost', async () => {
      const stream = fresh();
      const ids = await fill(t, stream, 300);
      await t.xgroupCreate(stream, 'g', '0');
      // Consumer A reads 50 and dies without acknowledging them.
      const taken = await t.xreadgroup({ group: 'g', consumer: 'A', streams: [{ key: stream, id: '>' }], count: 50 });
      assert.equal(taken?.[0].entries.length, 50);

      const counts = new Map<string, number>();
      const b = new GroupConsumer(t, {
        stream, group: 'g', consumer: 'B', blockMs: 100, claimIdleMs: 300,
        handler: async (e) => { counts.set(e.id, (counts.get(e.id) ?? 0) + 1); },
      });
      const started = Date.now();
      void b.start();
      await until(() => counts.size >= 250, 5000, 'the 250 unread entries');
      assert.ok(!counts.has(ids[0]), 'A\'s entries are not taken while they are fresh');
      await until(() => counts.size === 300, 5000, 'A\'s 50 entries to be claimed');
      const claimedAfter = Date.now() - started;
      await b.stop();
      assert.ok(claimedAfter >= 250, `claimed after ${claimedAfter} ms, before they were idle 300 ms`);
      assert.deepEqual([...counts.keys()].sort(), [...ids].sort(), 'every entry processed, 0 lost');
      assert.ok([...counts.values()].every((n) => n >= 1));
      assert.equal(b.stats.claimed, 50);
      assert.equal((await t.xpendingSummary(stream, 'g')).count, 0);
    });

    it('re-reads its own pending entries first after a restart (crash recovery)', async () => {
      const stream = fresh();
      const ids = await fill(t, stream, 30);
      await t.xgroupCreate(stream, 'g', '0');
      await t.xreadgroup({ group: 'g', consumer: 'same', streams: [{ key: stream, id: '>' }], count: 10 });
      const order: string[] = [];
      const c = new GroupConsumer(t, { stream, group: 'g', consumer: 'same', blockMs: 100, count: 4, handler: async (e) => { order.push(e.id); } });
      void c.start();
      await until(() => order.length >= 30, 5000, 'all 30');
      await c.stop();
      assert.deepEqual(order, ids, 'own pending first (in pages of 4), then new ones, in order');
      assert.equal(c.stats.claimed, 0);
      assert.equal((await t.xpendingSummary(stream, 'g')).count, 0);
    });

    it('leaves an entry whose handler failed pending, reports it, and goes on', async () => {
      const stream = fresh();
      const ids = await fill(t, stream, 10);
      const errors: Array<{ message: string; id?: string }> = [];
      let handled = 0;
      const c = new GroupConsumer(t, {
        stream, group: 'g', consumer: 'c', blockMs: 50,
        handler: async (e) => {
          handled++;
          if (e.id === ids[3]) throw new Error('boom');
        },
      });
      c.onError((err, entry) => errors.push({ message: err.message, id: entry?.id }));
      void c.start();
      await until(() => handled >= 10, 3000, 'all entries handled');
      await c.stop();
      assert.deepEqual(errors, [{ message: 'boom', id: ids[3] }]);
      const pending = await t.xpendingRange(stream, 'g', { count: 10 });
      assert.deepEqual(pending.map((p) => p.id), [ids[3]]);
      assert.equal(c.stats.processed, 9);
      assert.equal(c.stats.failed, 1);
    });

    it('retries a failed entry once it has been idle claimIdleMs', async () => {
      const stream = fresh();
      const [id] = await fill(t, stream, 1);
      const attempts: number[] = [];
      const t0 = Date.now();
      const c = new GroupConsumer(t, {
        stream, group: 'g', consumer: 'c', blockMs: 50, claimIdleMs: 200,
        handler: async () => {
          attempts.push(Date.now() - t0);
          if (attempts.length === 1) throw new Error('transient');
        },
      });
      void c.start();
      await until(() => attempts.length >= 2, 3000, 'a second attempt');
      await until(async () => (await t.xpendingSummary(stream, 'g')).count === 0, 2000, 'the ack');
      await c.stop();
      assert.ok(attempts[1] - attempts[0] >= 190, `retried after ${attempts[1] - attempts[0]} ms`);
      assert.deepEqual([c.stats.failed, c.stats.processed, c.stats.claimed], [1, 1, 1]);
      assert.equal((await t.xrange(stream, id, id)).length, 1);
    });

    it('stops promptly while blocked, and on its AbortSignal', async () => {
      const stream = fresh();
      const c = new GroupConsumer(t, { stream, group: 'g', consumer: 'c', blockMs: 5000, handler: async () => undefined });
      const running = c.start();
      await wait(100);
      const t0 = Date.now();
      await c.stop();
      await running;
      assert.ok(Date.now() - t0 < 500, `stop took ${Date.now() - t0} ms`);

      const ac = new AbortController();
      const seen: StreamEntry[] = [];
      const d = new GroupConsumer(t, { stream, group: 'g2', consumer: 'd', blockMs: 5000, signal: ac.signal, handler: async (e) => { seen.push(e); } });
      const r2 = d.start();
      await fill(t, stream, 3);
      await until(() => seen.length === 3, 3000, '3 entries');
      const t1 = Date.now();
      ac.abort();
      await r2;
      assert.ok(Date.now() - t1 < 500);
    });
  });
}

describe('group consumer across a redis-server restart', () => {
  it('keeps consuming after the server comes back, with backoff instead of a tight loop', async () => {
    let server = await startRedisServer();
    const t = new RedisTransport({ url: server.url, maxReconnectDelayMs: 200 });
    await t.connect();
    const stream = 'restart-stream';
    const seen = new Set<number>();
    const errors: string[] = [];
    const c = new GroupConsumer(t, {
      stream, group: 'g', consumer: 'c', blockMs: 200, claimIdleMs: 1000,
      handler: async (e) => { seen.add(JSON.parse(e.fields.event).data.n); },
    });
    c.onError((err) => errors.push(err.message));
    try {
      void c.start();
      await fill(t, stream, 20);
      await until(() => seen.size === 20, 3000, 'first 20');
      await server.kill();
      await wait(1500);
      const duringOutage = errors.length;
      server = await server.restart();
      // No persistence: the stream and group are gone; the consumer re-creates the group and reads from 0.
      await until(() => t.status === 'ready', 5000, 'the transport to reconnect');
      await fill(t, stream, 20, 100);
      await until(() => seen.size === 40, 8000, '20 after the restart');
      assert.ok(duringOutage >= 1, 'the outage is reported');
      assert.ok(duringOutage <= 15, `${duringOutage} errors in 1.5 s: backoff, not a tight loop`);
      assert.ok([...seen].filter((n) => n >= 100).length === 20);
    } finally {
      await c.stop();
      await t.close();
      await server.stop();
    }
  });
});

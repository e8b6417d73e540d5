// The monitor follows shard channels (SSUBSCRIBE; no patterns exist for them). On a connection shared with tails
// that subscribe to the same shard channels, it subscribes through their adapter, so neither side's unsubscribe
// cuts the other off. Runs on a standalone redis-server: Redis 7 has shard channels outside a cluster too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventAdapter } from '../../src/core/adapter';
import { EventMonitor } from '../../src/core/monitor/index';
import { createTransport } from '../../src/core/transport/factory';
import type { Transport } from '../../src/core/transport/types';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const channelTotal = (m: EventMonitor, name: string) => m.snapshot().channels.find((c) => c.name === name)?.total ?? 0;

describe('EventMonitor and shard channels', () => {
  let server: RedisServerHandle;
  const opened: Transport[] = [];
  const connect = async () => {
    const t = createTransport({ url: server.url });
    opened.push(t);
    await t.connect();
    return t;
  };

  before(async () => { server = await startRedisServer(); });
  after(async () => {
    await Promise.all(opened.map((t) => t.close()));
    await server?.stop();
  });

  it('counts shard channels that have subscribers, and only those matching its patterns', async () => {
    const publisher = await connect();
    const service = await connect();
    await service.ssubscribe(['orders.eu', 'audit.log']);
    const monitor = new EventMonitor(await connect(), { patterns: ['orders.*'], shardChannels: true, shardDiscoveryMs: 100 });
    await monitor.start();
    try {
      assert.equal(monitor.shardChannelsFollowed, 1);
      for (let i = 0; i < 5; i++) {
        await publisher.spublish('orders.eu', JSON.stringify({ event_type: 'order_created' }));
        await publisher.spublish('audit.log', '{}');
      }
      await waitUntil('5 shard events counted', () => channelTotal(monitor, 'orders.eu') === 5);
      assert.equal(channelTotal(monitor, 'audit.log'), 0, 'not one of its patterns');
    } finally {
      await monitor.stop();
    }
  });

  it('shares a connection with tails through the adapter: closing one side keeps the other subscribed', async () => {
    const publisher = await connect();
    const shared = await connect();
    const adapter = new EventAdapter(shared);
    const tailed: unknown[] = [];
    const tail = await adapter.ssubscribe('orders.us', (e) => { tailed.push(e); });
    const monitor = new EventMonitor(shared, { patterns: ['orders.us'], shardChannels: true, shardDiscoveryMs: 100, shardSubscriber: adapter });
    await monitor.start();
    const send = (n: number) => publisher.spublish('orders.us', JSON.stringify({ event_type: 'order_created', n }));
    assert.equal(monitor.shardChannelsFollowed, 1);
    assert.equal(await send(1), 1, 'one subscription on the shared connection');
    await waitUntil('the tail got the first event', () => tailed.length === 1);

    // The tail goes: the monitor's own registration keeps the channel subscribed.
    await tail.unsubscribe();
    await send(2);
    await waitUntil('both events counted after the tail closed', () => channelTotal(monitor, 'orders.us') === 2);

    // A new tail, then the monitor stops: the tail keeps receiving.
    const tail2 = await adapter.ssubscribe('orders.us', (e) => { tailed.push(e); });
    await monitor.stop();
    await send(3);
    await waitUntil('the tail still receives after the monitor stopped', () => tailed.length === 2);
    assert.deepEqual(tailed.map((e) => (e as { n: number }).n), [1, 3]);
    await tail2.unsubscribe();
    assert.equal(await send(4), 0, 'nobody left subscribed');
  });
});

// Sentinel failover as an app sees it: one EventAdapter on a redis+sentinel:// URL publishes and subscribes, and an
// event store on its transport appends, all the time; the master is SIGKILLed and nothing else is done. The adapter
// must follow the master the sentinels promote: publishes, deliveries and appends succeed again, and topology()
// names the new master as the one this connection uses. Prints how long each took after the kill.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { EventAdapter, EventStore } from '../../src/core/index';
import { startRedisSentinel, type RedisSentinelHandle } from '../support/redis-sentinel';

const EVERY_MS = 25;
const RETRY_PAUSE_MS = 50;
const RUN_BEFORE_KILL_MS = 500;
/** After the sentinels have switched: how long publish, delivery and append get to work again. */
const RECOVERY_LIMIT_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

function errorKind(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  return `${typeof code === 'string' ? code : (e as Error)?.name ?? 'Error'}: ${String((e as Error)?.message ?? e).split('\n')[0].slice(0, 200)}`;
}

/** Calls `op` again and again (each call started after the previous one settled) and records when each started and how it ended. */
function keepCalling(op: (n: number) => Promise<unknown>, pauseMs: number) {
  const calls: Array<{ n: number; startedAt: number; ok: boolean; kind?: string }> = [];
  let stopped = false;
  const done = (async () => {
    for (let n = 0; !stopped; n++) {
      const startedAt = now();
      try {
        await op(n);
        calls.push({ n, startedAt, ok: true });
        await sleep(EVERY_MS);
      } catch (e) {
        calls.push({ n, startedAt, ok: false, kind: errorKind(e) });
        await sleep(pauseMs);
      }
    }
  })();
  return { calls, stop: async () => { stopped = true; await done; } };
}

describe('sentinel failover: master killed under a running adapter (master + replica + 3 sentinels)', () => {
  let setup: RedisSentinelHandle | undefined;
  let adapter: EventAdapter | undefined;
  before(async () => {
    setup = await startRedisSentinel();
  });
  after(async () => {
    await adapter?.close().catch(() => undefined);
    await setup?.stop();
  });

  it('the adapter follows the promoted master by itself: publish, delivery and append work again', { timeout: 30_000 }, async () => {
    const s = setup!;
    adapter = await EventAdapter.connect(s.url, { commandTimeoutMs: 2000 });
    const transport = adapter.transport;
    assert.equal(transport.mode, 'sentinel');
    const initial = await transport.topology();
    assert.equal(initial.mode, 'sentinel');
    assert.equal(initial.masterName, s.masterName);
    const oldMaster = initial.nodes.find((n) => n.role === 'master');
    assert.equal(oldMaster?.address, `127.0.0.1:${s.masterPort}`);
    assert.equal(oldMaster?.current, true, 'topology marks the master as the node this connection uses');
    assert.equal(initial.nodes.filter((n) => n.role === 'sentinel').length, 3);

    const store = new EventStore(transport, { streamKey: 'sentinel_failover', publishChannel: null });
    const channel = 'sentinel:failover';
    const received: Array<{ n: number; at: number }> = [];
    await adapter.subscribe(channel, (event: { n?: unknown }) => {
      if (typeof event?.n === 'number') received.push({ n: event.n, at: now() });
    });
    const publishStartedAt = new Map<number, number>();
    const publishing = keepCalling((n) => {
      publishStartedAt.set(n, now());
      return adapter!.publishJson(channel, { n });
    }, RETRY_PAUSE_MS);
    const appending = keepCalling((n) => store.append({ event_type: 'sentinel_probe', entity_id: 'probe:1', data: { n } }), RETRY_PAUSE_MS);

    try {
      await sleep(RUN_BEFORE_KILL_MS);
      assert.ok(received.length > 0, 'messages arrive before the kill');
      const killed = await s.killMaster();
      const killAt = now();
      const { newMasterPort, ms: switchMs } = await s.waitForFailover(killed, 20_000);
      assert.equal(newMasterPort, s.replicaPort);

      // Only calls started after the kill count: a call that was already in flight may have been answered by the old master.
      const firstAfterKill = (calls: typeof publishing.calls) => calls.find((c) => c.ok && c.startedAt > killAt);
      const firstDelivery = () => received.find((m) => (publishStartedAt.get(m.n) ?? 0) > killAt);
      const deadline = now() + RECOVERY_LIMIT_MS;
      while (!(firstAfterKill(publishing.calls) && firstDelivery() && firstAfterKill(appending.calls)) && now() < deadline) await sleep(50);
      const published = firstAfterKill(publishing.calls);
      const delivered = firstDelivery();
      const appended = firstAfterKill(appending.calls);
      const ms = (t: number | undefined) => (t === undefined ? 'never' : `${Math.round(t - killAt)} ms`);
      const failures = (calls: typeof publishing.calls) => {
        const kinds = new Map<string, number>();
        for (const c of calls) if (!c.ok) kinds.set(c.kind!, (kinds.get(c.kind!) ?? 0) + 1);
        return [...kinds].map(([k, n]) => `${n}× ${k}`).join(' | ') || 'none';
      };
      console.log(`FIGURE: sentinel failover: master ${killed} SIGKILLed; sentinels named ${newMasterPort} after ${switchMs} ms (down-after 1000 ms)`);
      console.log(`FIGURE: sentinel failover: from the kill to the first successful publish ${ms(published?.startedAt)} (started then), first message received ${ms(delivered?.at)}, first successful append ${ms(appended?.startedAt)} (started then)`);
      console.log(`FIGURE: sentinel failover: failed publishes: ${failures(publishing.calls)}`);
      console.log(`FIGURE: sentinel failover: failed appends: ${failures(appending.calls)}`);
      assert.ok(published, 'a publish started after the kill succeeded');
      assert.ok(delivered, 'a message published after the kill was received: the subscription followed the master');
      assert.ok(appended, 'an append started after the kill succeeded');

      // The events appended after the failover are on the new master, where the adapter now reads. The writers stop
      // first: an append acknowledged while the read-back runs would not be in it.
      await Promise.all([publishing.stop(), appending.stop()]);
      const readBack = await store.get({ entity: 'probe:1', limit: 100_000 });
      const stored = new Set(readBack.map((e) => (e.event.data as { n?: unknown })?.n));
      const acknowledgedAfter = appending.calls.filter((c) => c.ok && c.startedAt > killAt);
      for (const c of acknowledgedAfter) assert.ok(stored.has(c.n), `event ${c.n}, appended after the failover, is stored`);

      const topology = await transport.topology();
      assert.equal(topology.mode, 'sentinel');
      const master = topology.nodes.find((n) => n.role === 'master');
      assert.equal(master?.address, `127.0.0.1:${newMasterPort}`, 'topology names the promoted master');
      assert.equal(master?.current, true, 'and says this connection now uses it');
      assert.equal(transport.status, 'ready');
    } finally {
      await Promise.all([publishing.stop(), appending.stop()]);
    }
  });
});

// Connection dropped with a command in flight: Redis ran the command, the reply never arrived, and the reconnect
// succeeds at once (a network blip, a proxy or load balancer closing the socket). A TCP proxy between the transport
// and redis-server drops the connection right after the server answered. The call must FAIL with a ClosedError
// that says the outcome is unknown — never be sent again silently: a second SET NX would make a new event look like
// a duplicate (the deduplicator would drop it: an event lost), a second XADD / INCR / PUBLISH would count twice.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Deduplicator } from '../../src/core/dedup/index';
import { EventStore } from '../../src/core/store/event-store';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Forwards bytes both ways; `dropNextReply()` makes it close both sockets instead of forwarding the next reply. */
async function startDroppingProxy(targetPort: number): Promise<{ port: number; dropNextReply(): void; drops: () => number; close(): void }> {
  let armed = false;
  let drops = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ port: targetPort, host: '127.0.0.1' });
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (armed) {
        armed = false;
        drops++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(d);
    });
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => { b.destroy(); sockets.delete(a); });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    dropNextReply: () => { armed = true; },
    drops: () => drops,
    close: () => { server.close(); for (const s of sockets) s.destroy(); },
  };
}

describe('faults: connection dropped with a command in flight', () => {
  let srv: RedisServerHandle;
  let direct: RedisTransport;
  let proxy: Awaited<ReturnType<typeof startDroppingProxy>>;
  let t: RedisTransport;
  before(async () => {
    srv = await startRedisServer();
    direct = new RedisTransport({ url: srv.url });
    await direct.connect();
    proxy = await startDroppingProxy(srv.port);
    t = new RedisTransport({ url: `redis://127.0.0.1:${proxy.port}`, maxReconnectDelayMs: 100 });
    await t.connect();
  });
  after(async () => { await t.close(); proxy.close(); await direct.close(); await srv.stop(); });

  const ready = async () => { for (let i = 0; i < 300 && t.status !== 'ready'; i++) await sleep(10); assert.equal(t.status, 'ready'); };

  const inFlight = async (what: string, call: () => Promise<unknown>) => {
    await ready();
    proxy.dropNextReply();
    const started = Date.now();
    await assert.rejects(call(), (e: { code?: string; message?: string }) => {
      assert.equal(e.code, 'CLOSED', `${what}: ${e.message}`);
      assert.match(String(e.message), /may or may not have been applied/, what);
      return true;
    }, `${what} must fail, not be re-sent`);
    const ms = Date.now() - started;
    assert.ok(ms < 1000, `${what} failed after ${ms} ms (at once, not at the command timeout)`);
    await ready();
    return ms;
  };

  it('SET NX (dedup): the caller hears "unknown outcome", not a false "duplicate"', async () => {
    const dedup = new Deduplicator(t, { keyPrefix: 'inflight:' });
    const event = { event_type: 'order_created', entity_id: 'o-1', data: { n: 1 } };
    const ms = await inFlight('isDuplicate', () => dedup.isDuplicate(event));
    // The SET did run once: the key is there, and only the caller that knows its mark's outcome was unknown can tell.
    assert.equal(await direct.exists([dedup.key(event)]), 1);
    assert.equal(await dedup.isDuplicate(event), true);
    console.log(`FIGURE: in-flight SET NX failed ${ms} ms after the drop instead of being re-sent`);
  });

  it('XADD, INCR, PUBLISH, pipelines and store appends run once', async () => {
    await inFlight('xadd', () => t.xadd('inflight:s', { a: '1' }));
    assert.equal(await direct.xlen('inflight:s'), 1, 'one entry, not two');
    await inFlight('incr', () => t.incr('inflight:n'));
    assert.equal(await direct.get('inflight:n'), '1');
    await inFlight('xaddBatch', () => t.xaddBatch([{ key: 'inflight:b', fields: { a: '1' } }, { key: 'inflight:b', fields: { a: '2' } }]));
    assert.equal(await direct.xlen('inflight:b'), 2);
    const store = new EventStore(t, { streamKey: 'inflight:store', publishChannel: null });
    await store.append({ event_type: 'warm_up' }); // loads the script
    await inFlight('store.append (Lua)', () => store.append({ event_type: 'once' }));
    assert.equal(await direct.xlen('inflight:store'), 2);
    const got: string[] = [];
    const sub = new RedisTransport({ url: srv.url });
    await sub.connect();
    sub.onMessage((m) => got.push(m.payload));
    await sub.subscribe(['inflight:ch']);
    await inFlight('publish', () => t.publish('inflight:ch', 'once'));
    await sleep(200);
    assert.deepEqual(got, ['once']);
    await sub.close();
    assert.ok(proxy.drops() >= 6);
  });
});

// Connection dropped with a command in flight: Redis ran the command, the reply never arrived, and the reconnect
// succeeds at once (a network blip, a proxy or load balancer closing the socket). A TCP proxy between the transport
// and redis-server drops the connection right after the server answered. The call must FAIL with a ClosedError
// that says the outcome is unknown — never be sent again silently: a second XADD / INCR / PUBLISH would count twice.
// The one call that may send again is the Deduplicator's mark: it carries a token (SET key token NX GET), so the
// re-send recognises its own mark instead of calling a new event a duplicate.
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

  it('SET NX GET (dedup): the mark whose reply was lost is re-sent with its token and answers "new", not "duplicate"', async () => {
    const dedup = new Deduplicator(t, { keyPrefix: 'inflight:' });
    const event = { event_type: 'order_created', entity_id: 'o-1', data: { n: 1 } };
    await ready();
    proxy.dropNextReply();
    const drops = proxy.drops();
    const r = await dedup.check(event);
    assert.equal(proxy.drops(), drops + 1, 'the first reply was dropped');
    assert.deepEqual([r.duplicate, r.ownMark], [false, true], 'the re-send found its own mark');
    assert.ok(r.attempts >= 2, `${r.attempts} sends`);
    assert.equal(await direct.get(dedup.key(event)), r.token);
    assert.equal(await dedup.isDuplicate(event), true, 'another check of the same event is a duplicate');
    console.log(`FIGURE: in-flight SET NX GET: reply dropped, re-sent with the same token, answered "new" (own mark) after ${r.attempts} sends`);
  });

  it('SET NX GET (dedup) without re-sends: the caller hears "unknown outcome", and repeating with the token says "new"', async () => {
    const dedup = new Deduplicator(t, { keyPrefix: 'inflight-once:', retryForMs: 0 });
    const event = { event_type: 'order_created', entity_id: 'o-2', data: { n: 2 } };
    const token = 'caller-token-1';
    const ms = await inFlight('isDuplicate', () => dedup.isDuplicate(event, { token }));
    // The SET did run once: the key holds the token; the check repeated with that token knows the mark is its own.
    assert.equal(await direct.get(dedup.key(event)), token);
    assert.deepEqual(await dedup.check(event, { token }).then((c) => [c.duplicate, c.ownMark]), [false, true]);
    assert.equal(await dedup.isDuplicate(event), true, 'a check with another token is a duplicate');
    console.log(`FIGURE: in-flight SET NX GET failed ${ms} ms after the drop instead of being re-sent blindly`);
  });

  it('XADD, INCR, PUBLISH, pipelines and store appends run once', async () => {
    await inFlight('xadd', () => t.xadd('inflight:s', { a: '1' }));
    assert.equal(await direct.xlen('inflight:s'), 1, 'one entry, not two');
    await inFlight('incr', () => t.incr('inflight:n'));
    assert.equal(await direct.get('inflight:n'), '1');
    // One stream, one field: an EVALSHA of the XADD loop, loaded first (else the dropped reply is a NOSCRIPT: nothing ran).
    await t.xaddBatch([{ key: 'inflight:warm', fields: { a: '0' } }]);
    await inFlight('xaddBatch (Lua)', () => t.xaddBatch([{ key: 'inflight:b', fields: { a: '1' } }, { key: 'inflight:b', fields: { a: '2' } }]));
    assert.equal(await direct.xlen('inflight:b'), 2);
    await inFlight('xaddBatch (pipeline)', () => t.xaddBatch([{ key: 'inflight:p', fields: { a: '1' } }, { key: 'inflight:q', fields: { a: '2' } }]));
    assert.deepEqual([await direct.xlen('inflight:p'), await direct.xlen('inflight:q')], [1, 1]);
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
    assert.ok(proxy.drops() >= 7);
  });
});

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import Redis from 'ioredis';
import { EventAdapter } from '../../src/core/adapter';
import { EmbeddedTransport } from '../../src/core/transport/embedded/transport';
import { RedisTransport } from '../../src/core/transport/redis';
import type { Transport } from '../../src/core/transport/types';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

function adapterContract(name: string, make: () => Promise<{ pub: EventAdapter; sub: EventAdapter; cleanup(): Promise<void> }>) {
  describe(`adapter on ${name}`, () => {
    let pub: EventAdapter;
    let sub: EventAdapter;
    let cleanup: () => Promise<void>;
    before(async () => ({ pub, sub, cleanup } = await make()));
    after(async () => cleanup?.());

    it('publishJson reaches several handlers on one channel, and pattern handlers', async () => {
      const a: unknown[] = [];
      const b: unknown[] = [];
      const p: Array<[string, string | undefined]> = [];
      const s1 = await sub.subscribe('orders', (e) => { a.push(e); });
      await sub.subscribe('orders', (e) => { b.push(e); });
      await sub.psubscribe('ord*', (_e, ctx) => { p.push([ctx.channel, ctx.pattern]); });
      assert.equal(await pub.publishJson('orders', { order_id: 123, status: 'paid' }), 2, 'one channel + one pattern subscription');
      await until(() => a.length === 1 && b.length === 1 && p.length === 1);
      assert.deepEqual(a[0], { order_id: 123, status: 'paid' });
      assert.deepEqual(p[0], ['orders', 'ord*']);
      await s1.unsubscribe();
      await pub.publishJson('orders', { n: 2 });
      await until(() => b.length === 2);
      assert.equal(a.length, 1, 'the removed handler gets nothing more');
      await sub.unsubscribe('orders');
      await sub.punsubscribe('ord*');
      assert.equal(await pub.publishJson('orders', { n: 3 }), 0);
    });

    it('publishJson names the publisher in an event\'s metadata.source (ucore by default, or the option); other values go as they are', async () => {
      const got: any[] = [];
      await sub.subscribe('sourced', (e) => { got.push(e); });
      const named = new EventAdapter(pub.transport, undefined, { source: 'billing' });
      const event = { event_type: 'order_paid', data: { order_id: 7 }, metadata: { region: 'eu' } };
      await pub.publishJson('sourced', { event_type: 'order_created', data: { order_id: 7 } });
      await named.publishJson('sourced', event);
      await named.publishJson('sourced', { event_type: 'order_shipped', metadata: { source: 'shipping' } });
      await named.publishJson('sourced', { order_id: 7 });
      await until(() => got.length === 4);
      assert.deepEqual(got.map((e) => e.metadata?.source), ['ucore', 'billing', 'shipping', undefined]);
      assert.deepEqual(got[1].metadata, { region: 'eu', source: 'billing' });
      assert.deepEqual(event.metadata, { region: 'eu' }, "the caller's object is not changed");
      assert.deepEqual(got[3], { order_id: 7 });
      await sub.unsubscribe('sourced');
    });

    it('reports a malformed message and a failing handler to the caller instead of throwing', async () => {
      const problems: string[] = [];
      const good: unknown[] = [];
      const d = sub.onProblem((p) => problems.push(`${p.kind}:${p.context.channel}`));
      await sub.subscribe('mixed', (e) => {
        if ((e as { boom?: boolean }).boom) throw new Error('handler bug');
        good.push(e);
      });
      await pub.transport.publish('mixed', '{"not": json');
      await pub.transport.publish('mixed', '\u0000\u00ff binary');
      await pub.publishJson('mixed', { boom: true });
      await pub.publishJson('mixed', { ok: 1 });
      await until(() => good.length === 1 && problems.length === 3);
      assert.deepEqual(problems, ['malformed:mixed', 'malformed:mixed', 'handler:mixed']);
      d.dispose();
      await sub.unsubscribe('mixed');
    });

    it('rejects values that are not JSON-serialisable with a clear error', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await assert.rejects(pub.publishJson('x', cyclic), { code: 'BAD_INPUT' });
      await assert.rejects(pub.publishJson('x', undefined), { code: 'BAD_INPUT' });
      await assert.rejects(pub.publishJson('x', { big: 10n }), { code: 'BAD_INPUT' });
    });
  });
}

adapterContract('embedded', async () => {
  const name = `adapter-${process.pid}`;
  const pub = new EventAdapter(new EmbeddedTransport({ name }));
  const sub = new EventAdapter(new EmbeddedTransport({ name }));
  await pub.transport.connect();
  await sub.transport.connect();
  return { pub, sub, cleanup: async () => { await pub.close(); await sub.close(); } };
});

adapterContract('redis', async () => {
  const srv = await startRedisServer();
  const pub = await EventAdapter.connect(srv.url);
  const sub = await EventAdapter.connect(srv.url);
  return { pub, sub, cleanup: async () => { await pub.close(); await sub.close(); await srv.stop(); } };
});

describe('adapter on redis: reconnection', () => {
  let srv: RedisServerHandle;
  before(async () => { srv = await startRedisServer(); });
  after(async () => { await srv.stop(); });

  it('a subscriber keeps receiving after redis-server is killed and restarted on the same port, with nothing done by the caller', async () => {
    const sub = await EventAdapter.connect(srv.url);
    const got: number[] = [];
    const statuses: string[] = [];
    sub.onStatus((s) => statuses.push(s));
    await sub.subscribe('events', (e) => { got.push((e as { n: number }).n); });
    await sub.psubscribe('ev*', () => undefined);
    const pub = await EventAdapter.connect(srv.url);
    await pub.publishJson('events', { n: 1 });
    await until(() => got.length === 1);
    await srv.kill();
    const killedAt = Date.now();
    await until(() => statuses.includes('reconnecting'));
    srv = await srv.restart();
    await until(() => sub.status === 'ready' && pub.status === 'ready', 10_000);
    // Resubscription finishes right after "ready"; publish until one arrives.
    let n = 2;
    await until(() => {
      void pub.publishJson('events', { n: n++ }).catch(() => undefined);
      return got.length >= 2;
    }, 10_000);
    const recoveredMs = Date.now() - killedAt;
    assert.ok(got[1] >= 2);
    assert.ok(statuses.includes('reconnecting') && statuses.at(-1) === 'ready', statuses.join(','));
    console.log(`subscriber recovered ${recoveredMs} ms after the kill (restart included)`);
    await pub.close();
    await sub.close();
    assert.equal(sub.status, 'closed');
  });
});

describe('connecting: typed errors within the timeout', () => {
  let srv: RedisServerHandle;
  let silent: Server;
  let silentPort: number;
  before(async () => {
    srv = await startRedisServer({ args: ['--requirepass', 'right-password'] });
    silent = createServer(() => { /* accepts and never answers */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
  });
  after(async () => { await srv.stop(); silent.close(); });

  const attempt = async (url: string, extra: Partial<ConstructorParameters<typeof RedisTransport>[0]> = {}) => {
    const t: Transport = new RedisTransport({ url, connectTimeoutMs: 1000, ...extra });
    const started = Date.now();
    try {
      await t.connect();
      await t.close();
      return { code: 'CONNECTED', message: '', ms: Date.now() - started };
    } catch (e) {
      return { code: (e as { code: string }).code, message: (e as Error).message, ms: Date.now() - started };
    }
  };

  it('refused, auth failed, wrong ACL user, bad db, timeout, TLS to a plain port, bad URL', async () => {
    const p = srv.port;
    const cases: Array<[string, Partial<ConstructorParameters<typeof RedisTransport>[0]>, string, RegExp]> = [
      ['redis://127.0.0.1:1', {}, 'CONNECTION_REFUSED', /connection refused/],
      [`redis://:wrong-password@127.0.0.1:${p}`, {}, 'AUTH_FAILED', /authentication failed/],
      [`redis://127.0.0.1:${p}`, {}, 'AUTH_FAILED', /authentication failed/],
      [`redis://nobody:right-password@127.0.0.1:${p}`, {}, 'AUTH_FAILED', /authentication failed/],
      [`redis://:right-password@127.0.0.1:${p}/999`, {}, 'BAD_URL', /database index out of range/],
      [`redis://127.0.0.1:${silentPort}`, {}, 'TIMEOUT', /timed out/],
      [`rediss://:right-password@127.0.0.1:${p}`, {}, 'TLS', /TLS/],
      ['redis://127.0.0.1:notaport', {}, 'BAD_URL', /not a valid URL|bad port/],
    ];
    for (const [url, extra, code, re] of cases) {
      let r;
      try {
        r = await attempt(url, extra);
      } catch (e) {
        r = { code: (e as { code: string }).code, message: (e as Error).message, ms: 0 };
      }
      assert.equal(r.code, code, `${url}: ${r.message}`);
      assert.match(r.message, re, url);
      assert.ok(r.ms < 3000, `${url} took ${r.ms} ms`);
      assert.ok(!r.message.includes('wrong-password') && !r.message.includes('right-password'), 'no password in messages');
    }
    const ok = await attempt(`redis://:right-password@127.0.0.1:${p}/2`);
    assert.equal(ok.code, 'CONNECTED');
  });

  it('a stalled server fails UI calls with TIMEOUT instead of hanging', async () => {
    const t = new RedisTransport({ url: `redis://:right-password@127.0.0.1:${srv.port}`, commandTimeoutMs: 300 });
    await t.connect();
    const admin = new Redis({ port: srv.port, host: '127.0.0.1', password: 'right-password' });
    // CLIENT PAUSE stalls every other client; our PUBLISH must time out, not hang.
    await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const started = Date.now();
    await assert.rejects(t.publish('x', '1'), { code: 'TIMEOUT' });
    assert.ok(Date.now() - started < 1200);
    await new Promise((r) => setTimeout(r, 1400));
    await t.ping();
    await t.close();
    admin.disconnect();
  });
});

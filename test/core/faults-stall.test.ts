// Server stalls: CLIENT PAUSE (every client held) and DEBUG SLEEP (the server itself busy). Every kind of call — plain
// commands, pipelines, Lua (store append), blocking reads, subscribe, connect — fails with a TimeoutError that says
// what happened within commandTimeoutMs (+ blockMs for blocking reads) + a margin; nothing hangs; afterwards the same
// transport works again and replies are not mixed up (a late reply of a timed-out call never answers a later call).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { EventAdapter } from '../../src/core/adapter';
import { EventStore } from '../../src/core/store/event-store';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const TIMEOUT = 400;
const MARGIN = 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `call`, which must fail with TIMEOUT within `bound` ms; returns how long it took. */
async function timesOut(what: string, call: () => Promise<unknown>, bound = TIMEOUT + MARGIN): Promise<number> {
  const started = Date.now();
  let settled = false;
  const r = await Promise.race([
    call().then(() => ({ ok: true as const }), (e: unknown) => ({ ok: false as const, e })).finally(() => { settled = true; }),
    sleep(bound + 2000).then(() => ({ hung: true as const })),
  ]);
  const ms = Date.now() - started;
  assert.ok(settled, `${what} hung for ${ms} ms`);
  assert.ok(!('ok' in r && r.ok), `${what} succeeded during the stall`);
  const e = (r as { e: { code?: string; message?: string } }).e;
  assert.equal(e.code, 'TIMEOUT', `${what}: ${e.message}`);
  assert.match(String(e.message), /did not (answer|confirm)|no answer|timed out/, what);
  assert.ok(ms <= bound, `${what} took ${ms} ms (bound ${bound})`);
  return ms;
}

describe('faults: server stalls', () => {
  let srv: RedisServerHandle;
  let admin: Redis;
  before(async () => {
    srv = await startRedisServer({ args: ['--enable-debug-command', 'yes'] });
    admin = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
    await admin.connect();
  });
  after(async () => { admin.disconnect(); await srv.stop(); });

  for (const stall of ['CLIENT PAUSE', 'DEBUG SLEEP'] as const) {
    it(`${stall}: every kind of call times out clearly, nothing hangs, the transport recovers`, { timeout: 30_000 }, async () => {
      const t = new RedisTransport({ url: srv.url, commandTimeoutMs: TIMEOUT });
      await t.connect();
      const adapter = new EventAdapter(t);
      const store = new EventStore(t, { streamKey: `stall:${stall}`, publishChannel: null });
      await t.set('k', 'before');
      await t.xgroupCreate('stall:s', 'g', '$', { mkStream: true }).catch(() => undefined);
      const got: string[] = [];
      await adapter.subscribe('stall:ch', (e) => { got.push((e as { n: string }).n); });
      // A worker that has been reading holds a pooled connection for blocking reads.
      await t.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key: 'stall:s', id: '>' }], blockMs: 10 });

      // Connected, but without a pooled connection for blocking reads yet.
      const cold = new RedisTransport({ url: srv.url, connectTimeoutMs: TIMEOUT, commandTimeoutMs: TIMEOUT });
      await cold.connect();

      const stallMs = 3000;
      const stalled = stall === 'CLIENT PAUSE'
        ? admin.call('CLIENT', 'PAUSE', String(stallMs), 'ALL')
        : admin.call('DEBUG', 'SLEEP', String(stallMs / 1000)).catch(() => undefined);
      await sleep(100);
      const stalledAt = Date.now();
      // All at once, as a busy UI would: each call times out on its own.
      const calls: Array<Promise<string>> = [];
      const check = (name: string, call: () => Promise<unknown>, bound?: number) => calls.push(timesOut(name, call, bound).then((ms) => `${name} ${ms}`));
      check('get', () => t.get('k'));
      check('publishJson', () => adapter.publishJson('stall:ch', { n: 'during' }));
      check('publishBatch', () => t.publishBatch([['stall:ch', '{}'], ['stall:ch', '{}']]));
      check('store.append', () => store.append({ event_type: 'stalled' }));
      check('xreadgroup(block 200)', () => t.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key: 'stall:s', id: '>' }], blockMs: 200 }), 200 + TIMEOUT + MARGIN);
      check('subscribe', () => adapter.subscribe('stall:other', () => undefined));
      check('publishJson(timeoutMs 200)', () => adapter.publishJson('stall:ch', { n: 'x' }, { timeoutMs: 200 }), 200 + MARGIN);
      if (stall === 'DEBUG SLEEP') {
        // A new connection to a stalled server: the kernel accepts, Redis never answers.
        const fresh = new RedisTransport({ url: srv.url, connectTimeoutMs: TIMEOUT, commandTimeoutMs: TIMEOUT });
        check('connect', () => fresh.connect(), TIMEOUT + 500 + MARGIN);
        // A blocking read that needs a new pooled connection: bounded by the connect timeout too.
        check('xread(block 200) needing a new connection', () => cold.xread({ streams: [{ key: 'stall:s', id: '$' }], blockMs: 200 }), TIMEOUT + 500 + MARGIN);
      }
      const figures = await Promise.all(calls);
      assert.ok(Date.now() - stalledAt < stallMs, 'all of it while the server was still stalled');
      await stalled;
      // Recovery: the same transport, no reconnect by the caller.
      for (let i = 0; i < 100; i++) {
        try { await t.ping(); break; } catch { await sleep(50); }
      }
      const recoveredMs = Date.now() - stalledAt;
      assert.equal(await t.get('k'), 'before', 'the late replies of timed-out calls do not answer later calls');
      await t.set('k', 'after');
      assert.equal(await t.get('k'), 'after');
      assert.equal((await store.append({ event_type: 'after' })).event.event_type, 'after');
      await adapter.publishJson('stall:ch', { n: 'after' });
      for (let i = 0; i < 200 && !got.includes('after'); i++) await sleep(10);
      assert.ok(got.includes('after'), `the subscription still works (got ${got.join(',')})`);
      assert.equal(t.status, 'ready');
      console.log(`FIGURE: ${stall} ${stallMs} ms, commandTimeoutMs ${TIMEOUT}: timed out after (ms) ${figures.join(', ')}; working again ${recoveredMs} ms after the stall began`);
      await adapter.close();
      await cold.close();
    });
  }
});

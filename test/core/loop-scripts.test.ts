// xaddBatch on Redis goes out as EVALSHA of an XADD loop (redis-xadd-batch.ts) when every item goes to one stream
// with one field of the same name and no options (replay to a stream, import). It must be the same as one XADD per
// item: every value stored once, in order, byte for byte; the script sent again after SCRIPT FLUSH; the plain
// pipeline for a user who may not run scripts; a stream key holding something else fails like the pipeline did;
// any other batch shape still goes by pipeline. Dedup marks (setNxGetBatch) go as a GET-then-SET loop: the same
// answers as SET … NX GET per key, the ttl set, a key of another type failing like the pipeline.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { RedisTransport } from '../../src/core/transport/redis';
import { SCRIPT_MARKS, setNxGetCalls } from '../../src/core/transport/redis-set-nx-get-batch';
import { xaddCalls } from '../../src/core/transport/redis-xadd-batch';
import { WRITE_CHARS } from '../../src/core/transport/redis-write-size';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

/** Values of mixed size and script: some big enough to cut a batch by size, some empty, some not ASCII. */
function values(n: number, tag: string): string[] {
  return Array.from({ length: n }, (_, i) => (i % 211 === 0 ? '' : JSON.stringify({ tag, i, pad: i % 97 === 0 ? 'x'.repeat(20_000) : 'é€\u0000"\\' })));
}

async function storedValues(admin: Redis, key: string, field = 'event'): Promise<{ ids: string[]; values: string[] }> {
  const entries = await admin.xrange(key, '-', '+');
  for (const [, f] of entries) assert.deepEqual(f.length, 2, 'one field per entry');
  assert.ok(entries.every(([, f]) => f[0] === field));
  return { ids: entries.map(([id]) => id), values: entries.map(([, f]) => f[1]) };
}

async function scriptCallsSoFar(admin: Redis): Promise<{ load: number; evalsha: number }> {
  const info = await admin.info('commandstats');
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return { load: calls('script\\|load'), evalsha: calls('evalsha') };
}

/** A redis-server with a user who may not run scripts, a transport and a plain client on it, for one describe. */
function oneServer(): { server: RedisServerHandle; t: RedisTransport; admin: Redis } {
  const h = {} as { server: RedisServerHandle; t: RedisTransport; admin: Redis };
  before(async () => {
    h.server = await startRedisServer({ args: ['--user', 'noscript', 'on', '>pw', '~*', '&*', '+@all', '-@scripting'] });
    h.admin = new Redis({ host: '127.0.0.1', port: h.server.port });
    h.t = new RedisTransport({ url: h.server.url });
    await h.t.connect();
  });
  after(async () => {
    await h.t?.close();
    h.admin?.disconnect();
    await h.server?.stop();
  });
  return h;
}

describe('xaddBatch as a script, on one server', () => {
  const s = oneServer();
  let t: RedisTransport;
  let admin: Redis;
  before(() => { ({ t, admin } = s); });

  it('stores every value once, in order, byte for byte, and returns the ids in order', async () => {
    const batch = values(2500, 'a');
    assert.ok(xaddCalls('s:a', 'event', batch).length > 3, 'the batch is cut into several script calls (by count and by size)');
    const before = await scriptCallsSoFar(admin);
    const ids = await t.xaddBatch(batch.map((v) => ({ key: 's:a', fields: { event: v } })));
    const stored = await storedValues(admin, 's:a');
    assert.deepEqual(stored.values, batch);
    assert.deepEqual(ids, stored.ids, 'the ids returned are the entries\' ids, in order');
    assert.ok((await scriptCallsSoFar(admin)).evalsha > before.evalsha, 'sent by script');
  });

  it('loads the script again after SCRIPT FLUSH (NOSCRIPT), once, and stores nothing twice', async () => {
    await t.xaddBatch([{ key: 's:warm', fields: { event: 'w' } }]);
    await admin.script('FLUSH');
    const calls0 = await scriptCallsSoFar(admin);
    const batch = values(300, 'b');
    await t.xaddBatch(batch.map((v) => ({ key: 's:b', fields: { event: v } })));
    assert.deepEqual((await storedValues(admin, 's:b')).values, batch, 'each value once, in order');
    const calls = await scriptCallsSoFar(admin);
    assert.equal(calls.load - calls0.load, 1, 'the script loaded once');
  });

  it('a key that holds no stream fails the batch as the pipeline did, and writes nothing', async () => {
    await admin.set('s:string', 'x');
    await assert.rejects(t.xaddBatch([{ key: 's:string', fields: { event: '1' } }, { key: 's:string', fields: { event: '2' } }]), /WRONGTYPE/);
    assert.equal(await admin.get('s:string'), 'x');
  });

  it('a user who may not run scripts sends by pipeline, with the same result', async () => {
    const user = new RedisTransport({ url: s.server.url, username: 'noscript', password: 'pw' });
    await user.connect();
    try {
      const batch = values(50, 'c');
      const ids = await user.xaddBatch(batch.map((v) => ({ key: 's:c', fields: { event: v } })));
      const again = await user.xaddBatch(batch.map((v) => ({ key: 's:c', fields: { event: v } })));
      const stored = await storedValues(admin, 's:c');
      assert.deepEqual(stored.values, [...batch, ...batch]);
      assert.deepEqual([...ids, ...again], stored.ids);
    } finally {
      await user.close();
    }
  });

  it('other shapes go by pipeline: several streams, several fields, options', async () => {
    const before = await scriptCallsSoFar(admin);
    const ids = await t.xaddBatch([
      { key: 's:d1', fields: { event: '1' } },
      { key: 's:d2', fields: { event: '2' } },
      { key: 's:d1', fields: { a: '3', b: '4' } },
      { key: 's:d1', fields: { event: '5' }, options: { maxLen: 10 } },
    ]);
    assert.equal(ids.length, 4);
    assert.deepEqual((await admin.xrange('s:d1', '-', '+')).map(([, f]) => f), [['event', '1'], ['a', '3', 'b', '4'], ['event', '5']]);
    assert.deepEqual((await admin.xrange('s:d2', '-', '+')).map(([, f]) => f), [['event', '2']]);
    assert.equal((await scriptCallsSoFar(admin)).evalsha, before.evalsha, 'no script call');
  });

  it('cuts calls by count and by size, never sending an empty call', () => {
    assert.deepEqual(xaddCalls('k', 'event', []), []);
    assert.deepEqual(xaddCalls('k', 'event', Array.from({ length: 2001 }, (_, i) => String(i))).map((c) => c.argv.length - 1), [1000, 1000, 1]);
    const huge = 'x'.repeat(WRITE_CHARS * 2);
    assert.deepEqual(xaddCalls('k', 'event', ['1', huge, '3']).map((c) => c.argv.length - 1), [1, 1, 1], 'an oversized value goes alone');
    assert.deepEqual(xaddCalls('k', 'f', ['1']), [{ keys: ['k'], argv: ['f', '1'] }]);
  });
});

describe('setNxGetBatch (dedup marks) as a script, on one server', () => {
  const s = oneServer();
  let t: RedisTransport;
  let admin: Redis;
  before(() => { ({ t, admin } = s); });

  it('answers as SET … NX GET per key: null for a new mark (set, with its ttl), the old value for a taken one (kept)', async () => {
    const n = SCRIPT_MARKS * 2 + 5;
    await admin.set('m:7', 'earlier', 'EX', 1000);
    const items = Array.from({ length: n }, (_, i) => [`m:${i}`, `token-${i}`] as const);
    await t.setNxGetBatch([['m:warm', 'w']], 60); // loads the script (a first call is refused with NOSCRIPT, then sent again)
    const before = await scriptCallsSoFar(admin);
    const olds = await t.setNxGetBatch(items, 60);
    assert.equal(olds.length, n);
    assert.deepEqual(olds.filter((o) => o !== null), ['earlier']);
    assert.equal(olds[7], 'earlier');
    assert.equal(await admin.get('m:7'), 'earlier', 'a taken mark is not overwritten');
    assert.equal(await admin.get('m:8'), 'token-8');
    const ttl = await admin.ttl('m:8');
    assert.ok(ttl > 50 && ttl <= 60, `ttl ${ttl}`);
    assert.equal((await scriptCallsSoFar(admin)).evalsha - before.evalsha, 3, 'three script calls of at most SCRIPT_MARKS');
    // Again: every mark is taken now, by the tokens of the first call.
    assert.deepEqual(await t.setNxGetBatch(items.slice(0, 10), 60), items.slice(0, 10).map(([, v], i) => (i === 7 ? 'earlier' : v)));
  });

  it('a key of another type fails the batch like the pipeline did; the other marks are set', async () => {
    await admin.rpush('m:list', 'x');
    await assert.rejects(t.setNxGetBatch([['m:a', '1'], ['m:list', '2'], ['m:b', '3']], 60), /WRONGTYPE/);
    assert.deepEqual([await admin.get('m:a'), await admin.get('m:b')], ['1', '3']);
  });

  it('a user who may not run scripts sends the marks by pipeline, with the same answers', async () => {
    const user = new RedisTransport({ url: s.server.url, username: 'noscript', password: 'pw' });
    await user.connect();
    try {
      assert.deepEqual(await user.setNxGetBatch([['u:1', 'a'], ['u:2', 'b']], 60), [null, null]);
      assert.deepEqual(await user.setNxGetBatch([['u:1', 'c'], ['u:3', 'd']], 60), ['a', null]);
    } finally {
      await user.close();
    }
  });

  it('cuts calls by count: the ttl first, then one value per key', () => {
    assert.deepEqual(setNxGetCalls([], 5), []);
    assert.deepEqual(setNxGetCalls([['k1', 'v1'], ['k2', 'v2']], 5), [{ keys: ['k1', 'k2'], argv: ['5', 'v1', 'v2'] }]);
    assert.deepEqual(setNxGetCalls(Array.from({ length: SCRIPT_MARKS + 1 }, (_, i) => [`k${i}`, 'v'] as const), 5).map((c) => c.keys.length), [SCRIPT_MARKS, 1]);
  });
});

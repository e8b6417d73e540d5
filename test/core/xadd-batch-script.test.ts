// xaddBatch on Redis goes out as EVALSHA of an XADD loop (redis-xadd-batch.ts) when every item goes to one stream
// with one field of the same name and no options (replay to a stream, import). It must be the same as one XADD per
// item: every value stored once, in order, byte for byte; the script sent again after SCRIPT FLUSH; the plain
// pipeline for a user who may not run scripts; a stream key holding something else fails like the pipeline did;
// any other batch shape still goes by pipeline.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { RedisTransport } from '../../src/core/transport/redis';
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

describe('xaddBatch as a script, on one server', () => {
  let server: RedisServerHandle;
  let t: RedisTransport;
  let admin: Redis;

  before(async () => {
    server = await startRedisServer({ args: ['--user', 'noscript', 'on', '>pw', '~*', '&*', '+@all', '-@scripting'] });
    admin = new Redis({ host: '127.0.0.1', port: server.port });
    t = new RedisTransport({ url: server.url });
    await t.connect();
  });

  after(async () => {
    await t?.close();
    admin?.disconnect();
    await server?.stop();
  });

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
    const user = new RedisTransport({ url: server.url, username: 'noscript', password: 'pw' });
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

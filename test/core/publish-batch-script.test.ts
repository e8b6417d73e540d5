// publishBatch on Redis goes out as EVALSHA of a PUBLISH loop (redis-publish-batch.ts). It must be the same publish as
// one PUBLISH per message: the same receiver counts in the same order, every message delivered in order, a refused
// channel reported while the others still go out, the script sent again after SCRIPT FLUSH, the plain pipeline for a
// user who may not run scripts, and on a cluster every node's subscribers reached whichever node ran the script.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { EventAdapter } from '../../src/core/adapter';
import { RedisTransport } from '../../src/core/transport/redis';
import { expandRuns, oneChannelCalls, PUBLISH_BATCH, scriptCalls } from '../../src/core/transport/redis-publish-batch';
import { WRITE_CHARS } from '../../src/core/transport/redis-write-size';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A subscriber on `port` recording [channel, message] in arrival order. */
async function recorder(port: number, channels: string[], patterns: string[] = []): Promise<{ got: Array<[string, string]>; client: Redis }> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  await client.connect();
  const got: Array<[string, string]> = [];
  client.on('message', (ch: string, m: string) => got.push([ch, m]));
  client.on('pmessage', (_p: string, ch: string, m: string) => got.push([ch, m]));
  if (channels.length) await client.subscribe(...channels);
  if (patterns.length) await client.psubscribe(...patterns);
  return { got, client };
}

/** Messages over `channels` with receiver counts that differ by channel, some big enough to cut a batch by size. */
function mixedBatch(n: number): Array<[string, string]> {
  const channels = ['none', 'one', 'two', 'pattern:a'];
  return Array.from({ length: n }, (_, i) => [channels[i % channels.length], JSON.stringify({ i, pad: i % 97 === 0 ? 'x'.repeat(20_000) : 'é€' })]);
}

describe('publishBatch as a script, on one server', () => {
  let server: RedisServerHandle;
  let t: RedisTransport;
  let admin: Redis;
  const subs: Redis[] = [];
  let one: Array<[string, string]>;
  let two: Array<[string, string]>;

  before(async () => {
    server = await startRedisServer({ args: ['--user', 'noscript', 'on', '>pw', '~*', '&*', '+@all', '-@scripting', '--user', 'fewchannels', 'on', '>pw', '~*', '&allowed*', '+@all'] });
    admin = new Redis({ host: '127.0.0.1', port: server.port });
    t = new RedisTransport({ url: server.url });
    await t.connect();
    const a = await recorder(server.port, ['one', 'two']);
    const b = await recorder(server.port, ['two'], ['pattern:*']);
    subs.push(a.client, b.client);
    one = a.got;
    two = b.got;
  });

  after(async () => {
    await t?.close();
    admin?.disconnect();
    for (const s of subs) s.disconnect();
    await server?.stop();
  });

  it('gives the receiver counts of single PUBLISHes, in order, and delivers every message in order', async () => {
    const batch = mixedBatch(2500);
    assert.ok(scriptCalls(batch).length > 3, 'the batch is cut into several script calls (by count and by size)');
    const expected: number[] = [];
    for (const [ch, m] of batch.slice(0, 8)) expected.push(await admin.publish(ch, m));
    assert.deepEqual(expected.slice(0, 4), [0, 1, 2, 1], 'the fixture: none, one, two (two subscribers), pattern');
    await until('the fixture\'s own messages', () => one.length === 4 && two.length === 4);
    one.length = 0;
    two.length = 0;

    const counts = await t.publishBatch(batch);
    assert.equal(counts.length, batch.length);
    assert.deepEqual(counts, batch.map((_, i) => expected[i % 4]));
    await until('every message', () => one.length >= batch.length / 2 && two.length >= batch.length / 2, 20_000);
    assert.deepEqual(one, batch.filter(([ch]) => ch === 'one' || ch === 'two'));
    assert.deepEqual(two, batch.filter(([ch]) => ch === 'two' || ch === 'pattern:a'));

    const viaAdapter = await new EventAdapter(t).publishJsonBatch([['one', { a: 1 }], ['none', { b: 2 }], ['two', { c: 3 }]]);
    assert.deepEqual(viaAdapter, [1, 0, 2]);
  });

  it('loads the script again after SCRIPT FLUSH (NOSCRIPT), once, and loses nothing', async () => {
    await t.publishBatch([['one', 'warm']]);
    await admin.script('FLUSH');
    const calls0 = await scriptCallsSoFar(admin);
    one.length = 0;
    const batch = Array.from({ length: 300 }, (_, i) => ['one', `after-flush-${i}`] as [string, string]);
    assert.deepEqual(await t.publishBatch(batch), batch.map(() => 1));
    await until('every message after the flush', () => one.length === batch.length);
    assert.deepEqual(one, batch, 'each message once, in order');
    const calls = await scriptCallsSoFar(admin);
    assert.equal(calls.evalsha - calls0.evalsha, 2, 'the refused EVALSHA and the one after SCRIPT LOAD');
    assert.equal(calls.load - calls0.load, 1, 'the script loaded once');
  });

  it('a refused channel fails the batch like a pipeline: the first error, every other message still published', async () => {
    const user = new RedisTransport({ url: server.url, username: 'fewchannels', password: 'pw' });
    await user.connect();
    try {
      const got = await recorder(server.port, ['allowed:1', 'denied:1', 'allowed:2']);
      subs.push(got.client);
      await assert.rejects(
        user.publishBatch([['allowed:1', 'a'], ['denied:1', 'b'], ['allowed:2', 'c']]),
        (e: Error & { code?: string }) => e.code === 'AUTH_FAILED' && /NOPERM/.test(e.message) && /channel/.test(e.message),
      );
      await until('the allowed messages', () => got.got.length === 2);
      assert.deepEqual(got.got, [['allowed:1', 'a'], ['allowed:2', 'c']]);
    } finally {
      await user.close();
    }
  });

  it('a user who may not run scripts publishes by pipeline, with the same counts', async () => {
    const user = new RedisTransport({ url: server.url, username: 'noscript', password: 'pw' });
    await user.connect();
    try {
      one.length = 0;
      const batch: Array<[string, string]> = [['one', 'p1'], ['none', 'p2'], ['two', 'p3'], ['one', 'p4']];
      assert.deepEqual(await user.publishBatch(batch), [1, 0, 2, 1]);
      assert.deepEqual(await user.publishBatch(batch), [1, 0, 2, 1], 'and again, by pipeline from the start');
      await until('the messages', () => one.length === 6);
      assert.deepEqual(one.map(([, m]) => m), ['p1', 'p3', 'p4', 'p1', 'p3', 'p4']);
    } finally {
      await user.close();
    }
  });

  it('a batch to one channel (the channel sent once, counts as runs) gives a count per message and delivers in order', async () => {
    const batch = Array.from({ length: 2500 }, (_, i) => ['two', `m${i}-${'x'.repeat(i % 400)}`] as [string, string]);
    assert.ok(oneChannelCalls('two', batch).length > 3, 'several script calls');
    one.length = 0;
    two.length = 0;
    assert.deepEqual(await t.publishBatch(batch), batch.map(() => 2));
    await until('every message', () => one.length === batch.length && two.length === batch.length, 20_000);
    assert.deepEqual(one, batch);
    assert.deepEqual(two, batch);
    assert.deepEqual(await t.publishBatch([['nobody', 'a'], ['nobody', 'b']]), [0, 0]);
    const user = new RedisTransport({ url: server.url, username: 'fewchannels', password: 'pw' });
    await user.connect();
    try {
      await assert.rejects(user.publishBatch([['denied:2', 'a'], ['denied:2', 'b']]), (e: Error & { code?: string }) => e.code === 'AUTH_FAILED' && /NOPERM/.test(e.message));
      assert.deepEqual(await user.publishBatch([['allowed:3', 'a'], ['allowed:3', 'b']]), [0, 0]);
    } finally {
      await user.close();
    }
  });

  it('expands runs of counts, an error in its place', () => {
    const err = new Error('NOPERM');
    const expanded = expandRuns([
      { status: 'fulfilled', value: [2, 3, err, 1, 0, 2] },
      { status: 'rejected', reason: err },
      { status: 'fulfilled', value: [] },
    ]);
    assert.deepEqual(expanded, [
      { status: 'fulfilled', value: [2, 2, 2, err, 0, 0] },
      { status: 'rejected', reason: err },
      { status: 'fulfilled', value: [] },
    ]);
    assert.deepEqual(oneChannelCalls('c', [['c', 'a'], ['c', 'b']]), [{ keys: [], argv: ['c', 'a', 'b'] }]);
  });

  it('cuts calls by count and by size, never splitting a pair and never sending an empty call', () => {
    assert.deepEqual(scriptCalls([]), []);
    const calls = scriptCalls(Array.from({ length: 2001 }, (_, i) => ['c', String(i)] as const));
    assert.deepEqual(calls.map((c) => c.argv.length / 2), [1000, 1000, 1]);
    const huge = 'x'.repeat(WRITE_CHARS * 2);
    assert.deepEqual(scriptCalls([['a', '1'], ['b', huge], ['c', '3']]).map((c) => c.argv.length / 2), [1, 1, 1], 'an oversized message goes alone');
  });
});

/** SCRIPT LOAD and EVALSHA calls the server has seen (INFO commandstats). */
async function scriptCallsSoFar(admin: Redis): Promise<{ load: number; evalsha: number }> {
  const text = await admin.info('commandstats');
  // Redis 7: `calls` counts those that ran (a NOSCRIPT reply too), `rejected_calls` those refused before running.
  const calls = (cmd: string) => {
    const m = new RegExp(`cmdstat_${cmd.replace('|', '\\|')}:calls=(\\d+),.*?rejected_calls=(\\d+)`).exec(text);
    return m ? Number(m[1]) + Number(m[2]) : 0;
  };
  return { load: calls('script|load'), evalsha: calls('evalsha') };
}

describe('publishBatch as a script, on a Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let t: RedisTransport;
  const subs: Redis[] = [];

  before(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    t = new RedisTransport({ url: cluster.seedUrl });
    await t.connect();
  });

  after(async () => {
    await t?.close();
    for (const s of subs) s.disconnect();
    await cluster?.stop();
  });

  it('a script run on any one node reaches the subscribers of every node (PUBLISH goes over the cluster bus)', async () => {
    const masters = await cluster.masterPorts();
    const recorders = await Promise.all(masters.map((p) => recorder(p, ['fanout'])));
    subs.push(...recorders.map((r) => r.client));
    // The script on each node directly: what the transport may pick.
    for (const port of masters) {
      const node = new Redis({ host: '127.0.0.1', port });
      try {
        assert.deepEqual(await node.eval(PUBLISH_BATCH, 0, 'fanout', `from-${port}`), [1], 'the count is the receivers on that node');
      } finally {
        node.disconnect();
      }
    }
    await until('each node\'s message on every node', () => recorders.every((r) => r.got.length === masters.length));
    for (const r of recorders) assert.deepEqual(r.got.map(([, m]) => m), masters.map((p) => `from-${p}`));

    // Through the transport: whichever node runs each call, every subscriber gets every message, in order.
    for (const r of recorders) r.got.length = 0;
    const batch = Array.from({ length: 1200 }, (_, i) => ['fanout', `m${i}`] as [string, string]);
    const counts = await t.publishBatch(batch);
    assert.ok(counts.every((c) => c === 1), 'one receiver on the node that ran it');
    await until('the batch on every node', () => recorders.every((r) => r.got.length === batch.length));
    for (const r of recorders) assert.deepEqual(r.got, batch);
  });
});

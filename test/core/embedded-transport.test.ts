// What only the embedded transport has to promise beyond the shared contract: a network-like (asynchronous) pub/sub,
// named shared servers, status events, expiry on its own clock, Redis's glob quirks, bounded bookkeeping, and speed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClosedError } from '../../src/core/errors';
import { compileGlob, globMatch } from '../../src/core/glob';
import { EmbeddedServer, getEmbeddedServer, releaseEmbeddedServer } from '../../src/core/transport/embedded/server';
import { EmbeddedTransport } from '../../src/core/transport/embedded/transport';
import type { PubSubMessage } from '../../src/core/transport/types';

async function pair(server = new EmbeddedServer()): Promise<{ server: EmbeddedServer; a: EmbeddedTransport; b: EmbeddedTransport; done(): Promise<void> }> {
  const a = new EmbeddedTransport({ server });
  const b = new EmbeddedTransport({ server });
  await a.connect();
  await b.connect();
  return { server, a, b, async done() { await a.close(); await b.close(); server.dispose(); } };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('embedded transport', () => {
  it('delivers pub/sub messages after publish returns, never inside it', async () => {
    const { a, b, done } = await pair();
    const got: PubSubMessage[] = [];
    b.onMessage((m) => got.push(m));
    await b.subscribe(['c']);
    const p = a.publish('c', 'x');
    assert.equal(got.length, 0);
    assert.equal(await p, 1);
    assert.equal(got.length, 0, 'not even by the time the reply is awaited');
    await tick();
    assert.deepEqual(got, [{ channel: 'c', payload: 'x' }]);
    await done();
  });

  it('delivers shard messages after SPUBLISH returns, in publish order with ordinary ones, marked sharded', async () => {
    const { a, b, done } = await pair();
    const got: PubSubMessage[] = [];
    b.onMessage((m) => got.push(m));
    await b.subscribe(['c']);
    await b.ssubscribe(['c']);
    const p = a.spublish('c', 's1');
    assert.equal(got.length, 0);
    assert.equal(await p, 1);
    assert.equal(await a.publish('c', 'p1'), 1);
    assert.equal(await a.spublish('c', 's2'), 1);
    assert.equal(got.length, 0, 'nothing is delivered inside a call');
    await tick();
    assert.deepEqual(got, [
      { channel: 'c', payload: 's1', sharded: true },
      { channel: 'c', payload: 'p1' },
      { channel: 'c', payload: 's2', sharded: true },
    ]);
    await done();
  });

  it('counts shard channels in INFO, and forgets them with their last subscriber or a close', async () => {
    const { a, b, server, done } = await pair();
    const stats = async () => (await a.info('stats'))['pubsubshard_channels'];
    assert.equal(await stats(), '0');
    await b.ssubscribe(Array.from({ length: 1000 }, (_, i) => `shard:${i}`));
    await a.ssubscribe(['shard:0', 'own']);
    assert.equal(await stats(), '1001');
    assert.equal((await a.info('stats'))['pubsub_channels'], '0', 'shard channels are not ordinary channels');
    assert.equal((await a.info('clients'))['pubsub_clients'], '2', 'a shard subscription makes a pub/sub client');
    await b.sunsubscribe(Array.from({ length: 1000 }, (_, i) => `shard:${i}`));
    assert.deepEqual((await a.pubsubShardChannels()).sort(), ['own', 'shard:0']);
    const c = new EmbeddedTransport({ server });
    await c.connect();
    await c.ssubscribe(['own', 'c-only']);
    assert.equal(await a.spublish('own', 'x'), 2);
    await c.close();
    assert.deepEqual(await a.pubsubShardNumsub(['own', 'c-only']), [{ channel: 'own', subscribers: 1 }, { channel: 'c-only', subscribers: 0 }]);
    assert.equal(await a.spublish('own', 'y'), 1, 'a closed client receives nothing');
    await a.close();
    assert.deepEqual(await b.pubsubShardChannels(), [], 'nothing is left once every subscriber is gone');
    assert.equal((await b.info('stats'))['pubsubshard_channels'], '0');
    await done();
  });

  it('names its one node after its server, and answers WAIT at once for replicas it will never have', async () => {
    const server = new EmbeddedServer({ name: 'topo-test' });
    const t = new EmbeddedTransport({ server });
    assert.equal(t.mode, 'embedded');
    await assert.rejects(t.topology(), (e: unknown) => e instanceof ClosedError);
    await assert.rejects(t.waitReplicas('k', 0, 0), (e: unknown) => e instanceof ClosedError);
    await t.connect();
    assert.deepEqual(await t.topology(), {
      mode: 'embedded',
      nodes: [{ id: 'embedded:topo-test', address: 'embedded:topo-test', role: 'master', slots: [], state: 'ok', current: true }],
    });
    const started = performance.now();
    assert.equal(await t.waitReplicas('k', 1, 60_000), 0);
    assert.ok(performance.now() - started < 100, 'no wait for replicas that cannot exist');
    await assert.rejects(t.waitReplicas('k', 1, 1.5), /ERR timeout is not an integer or out of range/);
    await assert.rejects(t.waitReplicas('k', 0.5, 10), /ERR value is not an integer or out of range/);
    await t.close();
    server.dispose();
  });

  it('keeps delivering to other listeners when one throws, and reports the error', async () => {
    const server = new EmbeddedServer();
    const errors: unknown[] = [];
    const a = new EmbeddedTransport({ server, onListenerError: (e) => errors.push(e) });
    await a.connect();
    const got: string[] = [];
    a.onMessage(() => { throw new Error('bad listener'); });
    a.onMessage((m) => got.push(m.payload));
    await a.subscribe(['c']);
    await a.publishBatch([['c', '1'], ['c', '2']]);
    await tick();
    assert.deepEqual(got, ['1', '2']);
    assert.equal(errors.length, 2);
    await a.close();
    server.dispose();
  });

  it('shares one named server between transports and keeps other names apart', async () => {
    const name = `shared-${process.pid}-${Date.now()}`;
    assert.equal(getEmbeddedServer(name), getEmbeddedServer(name));
    const a = new EmbeddedTransport({ name });
    const b = new EmbeddedTransport({ name });
    const other = new EmbeddedTransport({ name: `${name}-other` });
    assert.equal(a.kind, 'embedded');
    assert.equal(a.description, `embedded:${name}`);
    for (const t of [a, b, other]) await t.connect();
    await a.set('k', 'v');
    assert.equal(await b.get('k'), 'v');
    assert.equal(await other.get('k'), null);
    assert.equal((await a.info('clients'))['connected_clients'], '2');
    for (const t of [a, b, other]) await t.close();
    const released = getEmbeddedServer(name);
    releaseEmbeddedServer(name);
    releaseEmbeddedServer(`${name}-other`);
    assert.notEqual(getEmbeddedServer(name), released, 'a released name starts over');
    releaseEmbeddedServer(name);
  });

  it('reports status changes and can connect again after close', async () => {
    const server = new EmbeddedServer();
    const t = new EmbeddedTransport({ server });
    const seen: string[] = [];
    t.onStatus((s) => seen.push(s));
    assert.equal(t.status, 'closed');
    await assert.rejects(t.ping(), (e: unknown) => e instanceof ClosedError && /not connected/.test(e.message));
    await t.connect();
    await t.subscribe(['c']);
    await t.close();
    await t.connect();
    assert.deepEqual(seen, ['connecting', 'ready', 'closed', 'connecting', 'ready']);
    assert.deepEqual(await t.pubsubNumsub(['c']), [{ channel: 'c', subscribers: 0 }], 'close dropped the subscription');
    await t.close();
    server.dispose();
  });

  it('expires keys on its clock, lazily and in the background sweep', async () => {
    let now = 1_000_000;
    const server = new EmbeddedServer({ now: () => now });
    const { a, done } = await pair(server);
    await a.set('short', 'v', { ttlSeconds: 10 });
    for (let i = 0; i < 500; i++) await a.set(`bulk:${i}`, 'v', { ttlSeconds: 5 });
    await a.set('forever', 'v');
    assert.equal(await a.ttl('short'), 10);
    now += 4_400;
    assert.equal(await a.ttl('short'), 6, 'TTL rounds like Redis');
    now += 700;
    // Nobody touches the bulk keys: the sweep must find them.
    assert.equal(server.keyspace.size, 502);
    server.keyspace.sweep();
    server.keyspace.sweep();
    server.keyspace.sweep();
    assert.equal(server.keyspace.size, 2);
    assert.equal(server.keyspace.expiresCount, 1);
    now += 5_000;
    assert.equal(await a.get('short'), null);
    assert.equal(await a.exists(['short', 'forever']), 1);
    assert.match((await a.info('keyspace'))['db0'] ?? '', /^keys=1,expires=0/);
    await done();
  });

  it('keeps stream ids increasing when the clock goes back', async () => {
    let now = 5_000;
    const server = new EmbeddedServer({ now: () => now });
    const { a, done } = await pair(server);
    assert.equal(await a.xadd('s', { f: 'v' }), '5000-0');
    assert.equal(await a.xadd('s', { f: 'v' }), '5000-1');
    now = 4_000;
    assert.equal(await a.xadd('s', { f: 'v' }), '5000-2');
    now = 6_000;
    assert.equal(await a.xadd('s', { f: 'v' }), '6000-0');
    assert.deepEqual(await a.appendIndexed([{ stream: 's', fields: { e: '1' }, indexKeys: ['i'] }]), ['6000-1']);
    await done();
  });

  it('computes idle times and min-idle claims on its clock', async () => {
    let now = 10_000;
    const server = new EmbeddedServer({ now: () => now });
    const { a, b, done } = await pair(server);
    await a.xgroupCreate('s', 'g', '$', { mkStream: true });
    const id = (await a.xadd('s', { f: 'v' }))!;
    await a.xreadgroup({ group: 'g', consumer: 'c1', streams: [{ key: 's', id: '>' }] });
    now += 1_500;
    assert.deepEqual((await b.xpendingRange('s', 'g', { count: 1 }))[0], { id, consumer: 'c1', idleMs: 1_500, deliveries: 1 });
    assert.deepEqual((await b.xinfoConsumers('s', 'g'))[0], { name: 'c1', pending: 1, idleMs: 1_500, inactiveMs: null });
    assert.deepEqual(await b.xclaim('s', 'g', 'c2', 1_501, [id]), []);
    assert.equal((await b.xclaim('s', 'g', 'c2', 1_500, [id])).length, 1);
    assert.deepEqual((await b.xpendingRange('s', 'g', { count: 1, minIdleMs: 1 }))[0], undefined);
    now += 10;
    assert.deepEqual((await b.xpendingRange('s', 'g', { count: 1, minIdleMs: 10 }))[0], { id, consumer: 'c2', idleMs: 10, deliveries: 2 });
    await done();
  });

  it('serves many blocked readers at once and cancels them on close', async () => {
    const { a, b, done } = await pair();
    await a.xgroupCreate('s', 'g', '$', { mkStream: true });
    const readers = Array.from({ length: 50 }, (_, i) =>
      b.xreadgroup({ group: 'g', consumer: `c${i}`, streams: [{ key: 's', id: '>' }], count: 1, blockMs: 10_000 }));
    const extra = b.xread({ streams: [{ key: 's', id: '$' }], blockMs: 10_000 });
    await tick();
    assert.equal((await a.info('clients'))['blocked_clients'], '51');
    const ids = await a.xaddBatch(Array.from({ length: 50 }, (_, i) => ({ key: 's', fields: { i: String(i) } })));
    const served = (await Promise.all(readers)).map((r) => r![0]!.entries[0]!.id);
    assert.deepEqual(served.sort(), [...ids].sort() as string[]);
    assert.deepEqual((await extra)![0]!.entries.length, 1, 'XREAD is served from the first XADD that woke it');
    const hanging = b.xreadgroup({ group: 'g', consumer: 'late', streams: [{ key: 's', id: '>' }], blockMs: 10_000 });
    await tick();
    await b.close();
    await assert.rejects(hanging, ClosedError);
    assert.equal((await a.info('clients'))['blocked_clients'], '0');
    await done();
  });

  it('wakes a blocked read with a write issued in the same tick', async () => {
    const { a, b, done } = await pair();
    await a.xgroupCreate('s', 'g', '$', { mkStream: true });
    const started = Date.now();
    const reading = b.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key: 's', id: '>' }], blockMs: 5000 });
    const added = a.xadd('s', { f: 'v' });
    const got = await reading;
    assert.equal(got?.[0]?.entries[0]?.id, await added);
    assert.ok(Date.now() - started < 1000);
    await done();
  });

  it('matches globs with every stringmatchlen quirk', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*', '', false], ['', '', true], ['*', 'anything', true], ['a*', 'a', true], ['*a', 'a', true],
      ['?', 'é', false], ['??', 'é', true], ['h?llo', 'hello', true], ['h*llo', 'hllo', true],
      ['h[ae]llo', 'hallo', true], ['h[ae]llo', 'hillo', false], ['h[^e]llo', 'hallo', true], ['h[^e]llo', 'hello', false],
      ['h[a-b]llo', 'hbllo', true], ['[z-a]', 'm', true], ['[a-]', ']', true], ['[a-]', '-', false],
      ['a[', 'a', false], ['a[^', 'ab', true], ['[abc', 'c', true], ['\\*', '*', true], ['\\*', 'a', false],
      ['a\\', 'a\\', true], ['[\\]]', ']', true], ['[\\-]', '-', true], ['**x**', 'x', true], ['*.*', 'a.b', true],
      ['orders.*', 'orders.created', true], ['orders.*', 'orders', false], ['user:*:created', 'user:42:created', true],
      ['[\u00e0-\u00ff]', 'é', false],
    ];
    for (const [pattern, subject, expected] of cases) {
      assert.equal(globMatch(pattern, subject), expected, `${JSON.stringify(pattern)} vs ${JSON.stringify(subject)}`);
      assert.equal(compileGlob(pattern)(subject), expected, `compiled ${JSON.stringify(pattern)} vs ${JSON.stringify(subject)}`);
    }
    // Patterns built to explode a backtracking matcher answer at once.
    const t = performance.now();
    assert.equal(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)), false);
    assert.ok(performance.now() - t < 500);
  });

  it('publishes 100k messages a second to one subscriber with a pattern', async () => {
    const { a, b, done } = await pair();
    let received = 0;
    b.onMessage(() => { received++; });
    await b.psubscribe(['orders.*']);
    const n = 100_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) void a.publish('orders.created', `{"n":${i}}`);
    while (received < n) await tick();
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 1, `100k messages took ${seconds.toFixed(2)} s`);
    await done();
  });

  it('reads ranges and indexes at a cost that follows what is read, not the stream size', async () => {
    const { a, done } = await pair();
    const items = Array.from({ length: 1000 }, (_, i) => ({ stream: 'store', fields: { event: `e${i}` }, indexKeys: i % 100 === 0 ? ['rare'] : ['common'] }));
    for (let j = 0; j < 200; j++) await a.appendIndexed(items);
    assert.equal(await a.xlen('store'), 200_000);
    const started = performance.now();
    for (let j = 0; j < 200; j++) {
      await a.readByIndex('store', 'rare', { count: 10, reverse: true });
      await a.xrange('store', '-', '+', 10);
      await a.xrevrange('store', '+', '-', 10);
    }
    const ms = performance.now() - started;
    assert.ok(ms < 300, `600 small reads on a 200k stream took ${ms.toFixed(0)} ms`);
    assert.equal((await a.readByIndex('store', 'rare', {})).length, 2000);
    await done();
  });

  it('keeps bookkeeping bounded: trimmed entries, acknowledged pending entries and deleted keys are freed', async () => {
    const { a, server, done } = await pair();
    const before = server.usedMemory();
    await a.xgroupCreate('s', 'g', '$', { mkStream: true });
    for (let round = 0; round < 20; round++) {
      const batch = Array.from({ length: 1000 }, (_, i) => ({ key: 's', fields: { n: String(i) }, options: { maxLen: 1000 } }));
      await a.xaddBatch(batch);
      const r = await a.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key: 's', id: '>' }] });
      await a.xack('s', 'g', r![0]!.entries.map((e) => e.id));
      for (let i = 0; i < 1000; i++) await a.set(`tmp:${round}:${i}`, 'x');
      await a.del(Array.from({ length: 1000 }, (_, i) => `tmp:${round}:${i}`));
    }
    assert.ok((await a.xlen('s')) <= 1100);
    assert.equal((await a.xpendingSummary('s', 'g')).count, 0);
    const grown = server.usedMemory() - before;
    assert.ok(grown < 1000 * 1000, `used_memory grew by ${grown}`);
    await done();
  });
});

// Every core feature on a real 3-master Redis Cluster: connecting (seed list or any node), pub/sub through the
// adapter, sharded pub/sub, stream discovery, the partitioned event store, replay across shards, dedup, the monitor,
// consumer groups, and hostile key/channel names. One cluster for the whole file; each case picks names whose slots
// sit on chosen masters (keySlot + the cluster's own slot map), so "works on every master" is checked, not hoped for.
import { DEMO_GROUP, runDemo } from '../../src/core/domain/demo';
import { seededRandom } from '../support/seeded-random';
import { ecommerceDashboard } from '../../src/core/projection/ecommerce-dashboard';
import { rebuildFromStore } from '../../src/core/projection/rebuild';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import {
  BadInputError, compareIds, createTransport, Deduplicator, entityIndexKey, EventAdapter, EventMonitor, EventStore,
  GroupConsumer, replay, type PubSubMessage, type StoredEvent, type Transport,
} from '../../src/core/index';
import { ask, CLUSTER_SLOTS, keySlot, startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

describe('core features on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  /** Slot → port of the master serving it, read once from the cluster itself (not from the code under test). */
  let slotOwner: Int32Array;
  let masters: number[];
  const opened: Transport[] = [];
  /** The main transport (seed URL) and a second one for the other side of pub/sub. */
  let t: Transport;
  let other: Transport;

  const masterOf = (key: string) => slotOwner[keySlot(key)];
  const connect = async (url: string) => {
    const transport = createTransport({ url });
    opened.push(transport);
    await transport.connect();
    return transport;
  };
  /** `perMaster` names `${prefix}<n>` for each master, the first ones found whose slot that master serves. */
  const namesOnEachMaster = (prefix: string, perMaster: number): Map<number, string[]> => {
    const out = new Map<number, string[]>(masters.map((p) => [p, []]));
    for (let i = 0; [...out.values()].some((names) => names.length < perMaster); i++) {
      const name = `${prefix}${i}`;
      const names = out.get(masterOf(name))!;
      if (names.length < perMaster) names.push(name);
    }
    return out;
  };

  before(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    masters = await cluster.masterPorts();
    slotOwner = new Int32Array(CLUSTER_SLOTS);
    const ranges = (await ask(masters[0], 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    for (const [start, end, [, port]] of ranges) slotOwner.fill(Number(port), start, end + 1);
    assert.ok(slotOwner.every((p) => masters.includes(p)), 'every slot served by a known master');
    t = await connect(cluster.seedUrl);
    other = await connect(cluster.seedUrl);
  });

  after(async () => {
    await Promise.allSettled(opened.map((x) => x.close()));
    await cluster?.stop();
  });

  it('1. connects by redis+cluster:// and by plain redis:// to one node; topology shows 3 masters over all slots', async () => {
    assert.equal(t.mode, 'cluster');
    const plain = await connect(`redis://127.0.0.1:${masters[1]}`);
    assert.equal(plain.mode, 'cluster', 'a plain URL of a cluster node connects to the cluster');

    for (const transport of [t, plain]) {
      const topo = await transport.topology();
      assert.equal(topo.mode, 'cluster');
      assert.equal(topo.clusterState, 'ok');
      const ms = topo.nodes.filter((n) => n.role === 'master');
      assert.equal(ms.length, 3);
      assert.deepEqual(ms.map((n) => Number(n.address.split(':').pop())).sort(), [...masters].sort());
      assert.ok(ms.every((n) => n.state === 'ok'));
      // Slot ranges cover 0..16383 exactly once, and agree with the cluster's own map.
      const ranges = ms.flatMap((n) => n.slots.map(([a, b]) => ({ a, b, port: Number(n.address.split(':').pop()) }))).sort((x, y) => x.a - y.a);
      let next = 0;
      for (const r of ranges) {
        assert.equal(r.a, next, `slot ranges contiguous at ${next}`);
        assert.ok(r.b >= r.a);
        assert.equal(slotOwner[r.a], r.port);
        assert.equal(slotOwner[r.b], r.port);
        next = r.b + 1;
      }
      assert.equal(next, CLUSTER_SLOTS);
    }

    // A key written through one connection is read through the other (both really reach the cluster).
    await t.set('conn:{check}', 'ok');
    assert.equal(await plain.get('conn:{check}'), 'ok');
    const info = await t.info();
    assert.equal(info.cluster_masters, '3');
  });

  it('2. adapter: publishJson, subscribe and pattern subscribe across the cluster', async () => {
    const pub = new EventAdapter(t);
    const sub = new EventAdapter(await connect(`redis://127.0.0.1:${masters[2]}`));
    // Channel names on every master's slots (classic pub/sub ignores slots, but that is the point to prove).
    const channels = [...namesOnEachMaster('orders:', 1).values()].flat();
    const got: Array<{ channel: string; n: number }> = [];
    const byPattern: Array<{ channel: string; pattern?: string; n: number }> = [];
    for (const ch of channels) await sub.subscribe(ch, (e: { n: number }, ctx) => { got.push({ channel: ctx.channel, n: e.n }); });
    await sub.psubscribe('orders:*', (e: { n: number }, ctx) => { byPattern.push({ channel: ctx.channel, pattern: ctx.pattern, n: e.n }); });

    let n = 0;
    for (const ch of channels) await pub.publishJson(ch, { n: n++ });
    await pub.publishJsonBatch(channels.map((ch) => [ch, { n: n++ }] as const));
    await until('every message by channel and by pattern', () => got.length === 6 && byPattern.length === 6);
    assert.deepEqual(got.map((g) => g.n).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(new Set(got.map((g) => g.channel)), new Set(channels));
    assert.ok(byPattern.every((p) => p.pattern === 'orders:*' && channels.includes(p.channel)));

    // The subscription is visible cluster-wide (every node asked).
    const numsub = await t.pubsubNumsub(channels);
    assert.deepEqual(numsub.map((x) => x.subscribers), [1, 1, 1]);
    assert.ok((await t.pubsubNumpat()) >= 1);
    await sub.unsubscribe(channels[0]);
    await pub.publishJson(channels[0], { n: 99 });
    await until('the pattern copy of the last message', () => byPattern.length === 7);
    assert.equal(got.length, 6, 'nothing more on an unsubscribed channel');
    await sub.punsubscribe('orders:*');
    for (const ch of channels.slice(1)) await sub.unsubscribe(ch);
  });

  it('3. sharded pub/sub: shard channels on every master, SHARDCHANNELS/SHARDNUMSUB, and PUBLISH kept apart', async () => {
    const byMaster = namesOnEachMaster('shard:', 2);
    const channels = [...byMaster.values()].flat();
    assert.equal(new Set(channels.map(masterOf)).size, 3);

    const sharded: PubSubMessage[] = [];
    const classic: PubSubMessage[] = [];
    const d1 = other.onMessage((m) => { if (m.channel.startsWith('shard:')) (m.sharded ? sharded : classic).push(m); });
    await other.ssubscribe(channels);

    for (const ch of channels) assert.equal(await t.spublish(ch, `hello ${ch}`), 1, `${ch} reaches its one shard subscriber`);
    await until('every shard message', () => sharded.length === channels.length);
    assert.deepEqual(sharded.map((m) => m.channel).sort(), [...channels].sort());
    assert.ok(sharded.every((m) => m.sharded === true && m.payload === `hello ${m.channel}` && m.pattern === undefined));

    assert.deepEqual((await t.pubsubShardChannels('shard:*')).sort(), [...channels].sort());
    assert.deepEqual(await t.pubsubShardNumsub(channels), channels.map((channel) => ({ channel, subscribers: 1 })));
    assert.deepEqual(await t.pubsubShardNumsub(['shard:none']), [{ channel: 'shard:none', subscribers: 0 }]);

    // An ordinary PUBLISH of the same name reaches an ordinary subscriber (the control) but not the shard subscriber.
    const control = await connect(cluster.seedUrl);
    const controlGot: PubSubMessage[] = [];
    control.onMessage((m) => controlGot.push(m));
    await control.subscribe([channels[0]]);
    await t.publish(channels[0], 'classic');
    await until('the control subscriber', () => controlGot.length === 1);
    await sleep(100);
    assert.equal(controlGot[0].sharded, undefined);
    assert.equal(classic.length, 0, 'PUBLISH is not delivered to SSUBSCRIBE');
    assert.equal(sharded.length, channels.length);

    await other.sunsubscribe(channels);
    assert.deepEqual((await t.pubsubShardNumsub(channels)).map((x) => x.subscribers), channels.map(() => 0));
    assert.deepEqual(await t.pubsubShardChannels('shard:*'), []);
    d1.dispose();
  });

  it('4. stream discovery: SCAN TYPE stream walks every master, several pages each, no duplicates', async () => {
    const byMaster = namesOnEachMaster('disc:s', 6);
    const streams = [...byMaster.values()].flat();
    for (const s of streams) await t.xadd(s, { n: '1' });
    // Noise of other types with the same prefix, on every master too.
    const strings = [...namesOnEachMaster('disc:k', 4).values()].flat();
    for (const k of strings) await t.set(k, 'x');

    const found: string[] = [];
    let cursor = '0';
    let calls = 0;
    do {
      const page = await t.scan(cursor, { match: 'disc:*', type: 'stream', count: 2 });
      cursor = page.cursor;
      found.push(...page.keys);
      calls++;
      assert.ok(calls < 10_000, 'the walk ends');
    } while (cursor !== '0');
    assert.equal(found.length, new Set(found).size, `no duplicates: ${found.join(' ')}`);
    assert.deepEqual([...found].sort(), [...streams].sort());
    assert.ok(calls > 2 * masters.length, `COUNT 2 takes several steps per master (took ${calls})`);
  });

  describe('5–9. the partitioned event store and what reads it', () => {
    const ENTITIES = 100;
    const EVENTS = 3000;
    const TYPES = ['order_created', 'order_paid', 'order_shipped'];
    let store: EventStore;
    let appended: StoredEvent[];
    /** entity → its events' seq numbers in append order. */
    const perEntity = new Map<string, number[]>();

    before(async () => {
      store = new EventStore(t);
      const events = Array.from({ length: EVENTS }, (_, seq) => {
        // Uneven per entity (entity k gets more of the early events), so counts differ.
        const entity = `order:${(seq * 7 + (seq % 13)) % ENTITIES}`;
        const list = perEntity.get(entity) ?? [];
        list.push(seq);
        perEntity.set(entity, list);
        return { event_type: TYPES[seq % 3], entity_id: entity, data: { seq } };
      });
      appended = await store.appendBatch(events);
    });

    it('5. store: partitions on all 3 masters, each entity in one partition, reads by entity/type/all/newest', async () => {
      assert.equal(appended.length, EVENTS);
      const keys = store.partitionKeys();
      assert.equal(keys.length, 16);
      assert.deepEqual(keys, Array.from({ length: 16 }, (_, i) => `event_store:{${i}}`));
      const lengths = await Promise.all(keys.map((k) => t.xlen(k)));
      assert.equal(lengths.reduce((a, n) => a + n, 0), EVENTS);
      const used = keys.filter((_, i) => lengths[i] > 0);
      assert.equal(new Set(used.map(masterOf)).size, 3, 'partitions in use on every master');
      assert.equal(await store.length(), EVENTS);

      // Ground truth from the raw partition streams: which partitions hold each entity's events.
      const seenIn = new Map<string, Set<string>>();
      for (const k of keys) {
        for (const e of await t.xrange(k, '-', '+')) {
          const ev = JSON.parse(e.fields.event) as { entity_id: string };
          const set = seenIn.get(ev.entity_id) ?? new Set();
          set.add(k);
          seenIn.set(ev.entity_id, set);
        }
      }
      assert.equal(seenIn.size, ENTITIES);
      for (const [entity, seqs] of perEntity) {
        const partition = store.partitionOf(entity);
        assert.deepEqual([...seenIn.get(entity)!], [partition], `${entity} lives in one partition only`);
        const indexKey = entityIndexKey(partition, entity);
        assert.equal(keySlot(indexKey), keySlot(partition), 'the entity index shares its partition\'s slot');
        assert.equal(await t.xlen(indexKey), seqs.length, `${entity}'s index holds exactly its events`);
        const got = await store.getByEntity(entity, { limit: 10_000 });
        assert.deepEqual(got.map((g) => (g.event.data as { seq: number }).seq), seqs, `${entity} in append order`);
        assert.ok(got.every((g) => g.stream === partition));
      }

      // What the entity read goes through: the index holds that entity's entries and nothing else, with the ids of
      // the partition's entries (so readByIndex on it costs what the entity holds).
      const probe = 'order:42';
      const probeIndex = await t.xrange(entityIndexKey(store.partitionOf(probe), probe), '-', '+');
      assert.ok(probeIndex.every((e) => (JSON.parse(e.fields.event) as { entity_id: string }).entity_id === probe));
      assert.deepEqual(probeIndex.map((e) => e.id), appended.filter((a) => a.event.entity_id === probe).map((a) => a.id));

      const all = await store.get({ limit: 10_000 });
      assert.equal(all.length, EVENTS);
      for (let i = 1; i < all.length; i++) assert.ok(compareIds(all[i - 1].id, all[i].id) <= 0, `id order at ${i}`);
      assert.deepEqual(new Set(all.map((e) => e.event.event_id)), new Set(appended.map((e) => e.event.event_id)));

      const paid = await store.getByType('order_paid', { limit: 10_000 });
      assert.equal(paid.length, EVENTS / 3);
      assert.ok(paid.every((e) => e.event.event_type === 'order_paid'));
      for (let i = 1; i < paid.length; i++) assert.ok(compareIds(paid[i - 1].id, paid[i].id) <= 0);

      const newest = await store.newest(25);
      assert.deepEqual(newest.map((e) => e.id), all.slice(-25).reverse().map((e) => e.id));
    });

    it('5b. FIGURE: an entity query on a 3000- vs 30000-event cluster store (informative)', { timeout: 30_000 }, async () => {
      const big = new EventStore(t, { streamKey: 'figure_store', publishChannel: null });
      const probe = 'probe:1';
      const batch = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({
        event_type: 'tick', entity_id: (from + i) % 100 === 0 ? probe : `bulk:${(from + i) % 997}`, data: { i: from + i },
      }));
      const timeProbe = async () => {
        const runs: number[] = [];
        for (let i = 0; i < 15; i++) {
          const start = performance.now();
          const got = await big.getByEntity(probe);
          runs.push(performance.now() - start);
          assert.equal(got.length, 30, 'the probe entity has 30 events at both sizes');
        }
        return runs.sort((a, b) => a - b)[7];
      };
      await big.appendBatch(batch(3000, 0));
      const small = await timeProbe();
      // 27000 more events, none of them the probe's: it keeps its 30 (every 100th of the first 3000).
      const more = batch(27_000, 3000).map((e) => (e.entity_id === probe ? { ...e, entity_id: 'bulk:x' } : e));
      const appendStart = performance.now();
      await big.appendBatch(more);
      const appendMs = performance.now() - appendStart;
      assert.equal(await big.length(), 30_000);
      const large = await timeProbe();
      console.log(`FIGURE: cluster store entity query (30 events, median of 15): ${small.toFixed(2)} ms on 3000 events, ${large.toFixed(2)} ms on 30000 events; appending 27000 took ${Math.round(appendMs)} ms`);
    });

    it('6. replay across shards: all events to one stream, each entity in order; one entity reads only its partition', async () => {
      const r = await replay(t, { stream: 'event_store' }, { kind: 'stream', stream: 'replayed' });
      assert.equal(r.scanned, EVENTS);
      assert.equal(r.sent, EVENTS);
      const target = await t.xrange('replayed', '-', '+');
      assert.equal(target.length, EVENTS);
      const replayedSeqs = new Map<string, number[]>();
      for (const e of target) {
        const ev = JSON.parse(e.fields.event) as { entity_id: string; data: { seq: number } };
        const list = replayedSeqs.get(ev.entity_id) ?? [];
        list.push(ev.data.seq);
        replayedSeqs.set(ev.entity_id, list);
      }
      assert.deepEqual(new Map([...replayedSeqs].sort()), new Map([...perEntity].sort()), 'every entity\'s events, in original order');

      const entity = 'order:7';
      const one = await replay(t, { stream: 'event_store', entity }, { kind: 'stream', stream: 'replayed:one' });
      assert.equal(one.scanned, perEntity.get(entity)!.length, 'reads the entity\'s events only');
      assert.equal(one.sent, perEntity.get(entity)!.length);
      const oneTarget = await t.xrange('replayed:one', '-', '+');
      assert.deepEqual(oneTarget.map((e) => (JSON.parse(e.fields.event) as { data: { seq: number } }).data.seq), perEntity.get(entity));
    });

    it('6b. replay finds a partitioned store whose events all avoid partition {0}', async () => {
      // 'auto' must recognise a partitioned store by any of its partitions, not by `<stream>:{0}` alone.
      const small = new EventStore(t, { streamKey: 'few_entities', publishChannel: null });
      let entity = 'customer:0';
      for (let i = 1; small.partitionOf(entity) === 'few_entities:{0}'; i++) entity = `customer:${i}`;
      await small.appendBatch([1, 2, 3].map((n) => ({ event_type: 'visit', entity_id: entity, data: { n } })));
      assert.equal(await small.length(), 3);
      const all = await replay(t, { stream: 'few_entities' }, { kind: 'stream', stream: 'few_entities_copy' }, { dryRun: true });
      assert.equal(all.matched, 3, 'the whole store');
      const one = await replay(t, { stream: 'few_entities', entity }, { kind: 'stream', stream: 'few_entities_copy' }, { dryRun: true });
      assert.equal(one.matched, 3, 'one entity');
    });

    it('7. dedup: checkBatch over keys on every master finds the duplicates', async () => {
      const dedup = new Deduplicator(t);
      const events = Array.from({ length: 300 }, (_, i) => ({ event_type: 'payment', user_id: i, data: { amount: i * 10 } }));
      const keys = events.map((e) => dedup.key(e));
      assert.equal(new Set(keys.map(masterOf)).size, 3, 'the fingerprint keys spread over every master');
      assert.ok(new Set(keys.map(keySlot)).size > 200, 'and over many slots');

      assert.deepEqual(await dedup.checkBatch(events), events.map(() => false));
      const mixed = [events[0], { event_type: 'payment', user_id: 1000 }, events[150], events[299], events[150]];
      assert.deepEqual(await dedup.checkBatch(mixed), [true, false, true, true, true]);
      assert.equal(await t.exists(keys), keys.length);
      assert.ok(await dedup.isDuplicate(events[77]));
      await dedup.forget(events[77]);
      assert.equal(await dedup.isDuplicate(events[77]), false);
      // The keys are really where the cluster puts them: ask the owner of one directly.
      assert.match(String(await ask(masterOf(keys[5]), 'GET', keys[5])), /^[0-9a-f]{16}:5$/, 'the mark holds event 5\'s token');
    });

    it('8. monitor: counts traffic from another client, writes event_counts across slots, samples streams on every master', async () => {
      // Channels whose counter keys fall on every master.
      const channels: string[] = [];
      const want = new Set(masters);
      for (let i = 0; want.size > 0; i++) {
        const ch = `mon:c${i}`;
        if (want.delete(masterOf(`event_counts:${ch}:tick`))) channels.push(ch);
      }
      const streams = [...namesOnEachMaster('mon:stream:', 1).values()].flat();
      for (const [i, s] of streams.entries()) {
        await t.xaddBatch(Array.from({ length: i + 1 }, () => ({ key: s, fields: { event: '{}' } })));
      }
      await t.xgroupCreate(streams[0], 'readers', '0');

      const watcher = await connect(cluster.seedUrl);
      const monitor = new EventMonitor(watcher, { patterns: ['mon:*'], counters: true, streams, sampleIntervalMs: 60_000 });
      await monitor.start();
      try {
        const perChannel = 50;
        const messages = channels.flatMap((ch) => Array.from({ length: perChannel }, (_, i) => [ch, JSON.stringify({ event_type: 'tick', data: { i } })] as const));
        await other.publishBatch(messages);
        await until('every published event counted', () => monitor.eventsSeen === messages.length);
        const snap = monitor.snapshot({ top: 10 });
        assert.equal(snap.total.total, messages.length);
        assert.deepEqual(snap.channels.map((c) => [c.name, c.total]).sort(), channels.map((c) => [c, perChannel]).sort());

        await monitor.flushCounters();
        for (const ch of channels) assert.equal(await t.get(`event_counts:${ch}:tick`), String(perChannel));

        await monitor.sampleStreams();
        const samples = monitor.snapshot().streams;
        assert.deepEqual(samples.map((s) => [s.stream, s.exists, s.length]), streams.map((s, i) => [s, true, i + 1]));
        assert.deepEqual(samples[0].groups.map((g) => [g.name, g.lag]), [['readers', 1]]);
        assert.ok(samples.every((s) => s.error === undefined));
      } finally {
        await monitor.stop();
      }
    });

    it('9. consumer groups: GroupConsumer on a cluster stream; store readGroup/ack over partitions leaves 0 pending', async () => {
      // A plain stream on each master, one GroupConsumer each.
      const jobStreams = [...namesOnEachMaster('jobs:', 1).values()].flat();
      for (const s of jobStreams) {
        await t.xaddBatch(Array.from({ length: 200 }, (_, n) => ({ key: s, fields: { event: JSON.stringify({ event_type: 'job', data: { n } }) } })));
      }
      const handled = new Map<string, number>();
      const consumers = jobStreams.map((stream) => new GroupConsumer(t, {
        stream, group: 'workers', consumer: 'w1', blockMs: 50, count: 50,
        handler: async () => { handled.set(stream, (handled.get(stream) ?? 0) + 1); },
      }));
      const running = consumers.map((c) => c.start());
      await until('every job handled', () => jobStreams.every((s) => handled.get(s) === 200));
      await Promise.all(consumers.map((c) => c.stop()));
      await Promise.all(running);
      for (const [i, s] of jobStreams.entries()) {
        assert.equal(consumers[i].stats.acked, 200);
        assert.equal((await t.xpendingSummary(s, 'workers')).count, 0);
      }

      // The store's group spans its 16 partitions.
      assert.equal(await store.createGroup('billing', '0'), true);
      const read: StoredEvent[] = [];
      for (;;) {
        const page = await store.readGroup('billing', 'b1', { count: 1000 });
        if (page.length === 0) break;
        read.push(...page);
      }
      assert.equal(read.length, EVENTS);
      assert.ok(read.every((e) => e.stream !== undefined && store.partitionKeys().includes(e.stream)));
      assert.equal(new Set(read.map((e) => e.stream)).size, new Set(appended.map((e) => e.stream)).size, 'read from every partition in use');
      assert.equal((await store.pendingSummary('billing')).count, EVENTS);
      assert.deepEqual((await store.pendingSummary('billing')).consumers, [{ name: 'b1', count: EVENTS }]);
      assert.equal(await store.ack('billing', read), EVENTS);
      assert.equal((await store.pendingSummary('billing')).count, 0);
      const billing = (await store.groups()).find((g) => g.name === 'billing');
      assert.ok(billing, 'groups() lists the group');
      assert.equal(billing.pending, 0);
      assert.equal(billing.lag, 0);
    });
  });

  it('11. the guide\'s demo flow (store, sagas, retry and dead-letter, consumer group, dashboard) runs on the cluster', async () => {
    const storeKey = 'cluster_demo_store';
    const summary = await runDemo(t, { ratePerSecond: 100_000, storeKey, orders: 12, failureRate: 0.3, shipFailureRate: 0, random: seededRandom(7) });
    assert.equal(summary.orders, 12);
    assert.ok(summary.sagas >= 2, 'orders 5 and 10 run as sagas');
    assert.ok(summary.paymentFailures > 0 && summary.deadLettered > 0, JSON.stringify(summary));
    const store = new EventStore(t, { streamKey: storeKey });
    assert.equal(store.partitionKeys().length, 16);
    const stored = await store.get({ limit: 100_000 });
    assert.equal(stored.length, await store.length());
    assert.ok(stored.length >= summary.events - summary.users, `${stored.length} stored of ${summary.events}`);
    // The fulfilment worker acked through the events' own partitions: what is pending is what it left on purpose.
    const [group] = await store.groups();
    assert.equal(group?.name, DEMO_GROUP);
    assert.ok((await store.pendingSummary(DEMO_GROUP)).count <= 10);
    const dashboard = await rebuildFromStore(store, ecommerceDashboard());
    assert.equal(dashboard.total_orders, 12);
  });

  describe('10. hostile names on a cluster', () => {
    // `{}{x}`: an empty first tag makes Redis hash the whole key (keyHashSlot in cluster.c); a client that hashes the
    // later `{x}` instead sends it to the wrong master. Lone surrogates: sent as U+FFFD bytes, must be hashed so too.
    const names = ['{', '}', '}{', '{}', '{}{x}', 'a{}{b}', 'a{b}c{', '{{a}}', 'ünïcödé 😀', '\r\n*1\r\n$3\r\nGET', 'x'.repeat(1024), `{${'y'.repeat(1022)}}`];
    const keyNames = [...names, 'lone\ud800', '\udc00{}{z}'];

    it('10a. single commands on hostile keys and streams', async () => {
      for (const [i, name] of keyNames.entries()) {
        assert.equal(await t.set(name, `v:${i}`), true);
        assert.equal(await t.get(name), `v:${i}`);
        const id = await t.xadd(`s:${name}`, { f: String(i) });
        assert.deepEqual((await t.xrange(`s:${name}`, '-', '+')).map((e) => [e.id, { ...e.fields }]), [[id, { f: String(i) }]]);
        assert.equal(await t.del([name]), 1);
      }
    });

    it('10b. batches over hostile keys: EXISTS, DEL, SET NX, INCRBY, XADD', async () => {
      for (const name of keyNames) await t.set(name, '1');
      assert.equal(await t.exists(keyNames), keyNames.length);
      assert.deepEqual(await t.setNxGetBatch(keyNames.map((n) => [`nx:${n}`, 't'] as const), 60), keyNames.map(() => null));
      assert.deepEqual(await t.setNxGetBatch(keyNames.map((n) => [`nx:${n}`, 'u'] as const), 60), keyNames.map(() => 't'));
      await t.incrByBatch(keyNames.map((n) => [`n:${n}`, 3] as const));
      for (const n of keyNames) assert.equal(await t.get(`n:${n}`), '3');
      assert.equal((await t.xaddBatch(keyNames.map((n) => ({ key: `xs:${n}`, fields: { f: '1' } })))).filter(Boolean).length, keyNames.length);
      assert.equal(await t.del(keyNames), keyNames.length);
    });

    it('10c. plain keys read in the same tick as a hostile one are not hurt by it', async () => {
      const plain = Array.from({ length: 30 }, (_, i) => `plain:${i}`);
      for (const k of plain) await t.set(k, k);
      await t.set('{}{x}', 'hostile');
      const got = await Promise.allSettled([...plain.map((k) => t.get(k)), t.get('{}{x}')]);
      const values = got.map((r) => (r.status === 'fulfilled' ? r.value : `rejected: ${(r.reason as Error).message}`));
      assert.deepEqual(values, [...plain, 'hostile']);
    });

    it('10d. classic and sharded channels with hostile names: delivered, or refused at once', async () => {
      const got: PubSubMessage[] = [];
      const d = other.onMessage((m) => { if (names.includes(m.channel) || m.channel === 'after:hostile') got.push(m); });
      const refused: string[] = [];
      const subscribed: string[] = [];
      try {
        await other.subscribe(names);
        for (const name of names) {
          // A hostile name may be refused, but quickly and with a reason, never left hanging.
          const outcome = await Promise.race([
            other.ssubscribe([name]).then(() => 'ok', (e: Error) => `refused: ${e.message}`),
            sleep(3000).then(() => 'no answer in 3 s'),
          ]);
          if (outcome === 'ok') subscribed.push(name);
          else refused.push(`${JSON.stringify(name.slice(0, 20))}: ${outcome}`);
        }
        for (const name of names) {
          await t.publish(name, 'classic');
          await t.spublish(name, 'sharded');
        }
        await until('every hostile channel message', () => got.length === names.length + subscribed.length);
        for (const name of names) {
          const mine = got.filter((m) => m.channel === name);
          const want = subscribed.includes(name) ? [['classic', false], ['sharded', true]] : [['classic', false]];
          assert.deepEqual(mine.map((m) => [m.payload, m.sharded === true]).sort(), want);
        }
        // The shard subscriber still works after the hostile names.
        await other.ssubscribe(['after:hostile']);
        await t.spublish('after:hostile', 'still here');
        await until('a plain shard channel after the hostile ones', () => got.some((m) => m.channel === 'after:hostile'));
        // ioredis routes shard subscriptions by its own slot function, which differs from Redis's for names whose
        // first braces are empty and a later pair is not (`{}{x}`): the transport refuses exactly those, at once.
        const expectRefused = names.filter((n) => /\{\}.*\{.*\}/.test(n) || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(n)).map((n) => JSON.stringify(n.slice(0, 20)));
        assert.deepEqual(refused.map((r) => r.split(': ')[0]).sort(), expectRefused.sort(), refused.join('\n'));
        for (const r of refused) assert.match(r, /refused: .*ioredis computes a different hash slot/);
      } finally {
        await other.unsubscribe(names);
        await other.sunsubscribe([...subscribed, 'after:hostile']).catch(() => undefined);
        d.dispose();
      }
    });

    it('10e. the store, dedup and SCAN with hostile text', async () => {
      // Hostile entities land in a partition and are read back; over-long ones are refused, not crashed on.
      const store = new EventStore(t, { streamKey: 'hostile_store', publishChannel: null });
      for (const name of names) {
        if (name.length > 512) {
          await assert.rejects(store.append({ event_type: 'x', entity_id: name }), BadInputError);
          continue;
        }
        const stored = await store.append({ event_type: name, entity_id: name });
        assert.equal(stored.stream, store.partitionOf(name));
        assert.deepEqual((await store.getByEntity(name)).map((e) => e.id), [stored.id]);
        assert.deepEqual((await store.getByType(name)).map((e) => e.id), [stored.id]);
      }
      assert.throws(() => new EventStore(t, { streamKey: 'a{b}', partitions: 16 }), BadInputError);

      const dedup = new Deduplicator(t, { keyPrefix: '{}:' });
      assert.deepEqual(await dedup.checkBatch(names.map((n) => ({ event_type: n }))), names.map(() => false));
      assert.deepEqual(await dedup.checkBatch(names.map((n) => ({ event_type: n }))), names.map(() => true));
      for (const pattern of ['{*', '*}{*', '[', '\\']) {
        let cursor = '0';
        do cursor = (await t.scan(cursor, { match: pattern, count: 100 })).cursor; while (cursor !== '0');
      }
      await t.ping();
    });

    it('10f. monitor counters for hostile channel names are written once, not failed and re-sent', async () => {
      // Channels whose counter key has an empty first tag (`hm:{}{eu3}` → `event_counts:hm:{}{eu3}:tick`): Redis hashes
      // the whole key; a client that skips the empty tag hashes `{eu3` instead (= keySlot('{{eu3}')). Pick ones
      // where the two land on different masters, plus one plain channel whose increments share the flush.
      const channels = ['hm:plain'];
      for (let i = 0; channels.length < 4; i++) {
        if (masterOf(`event_counts:hm:{}{eu${i}}:tick`) !== masterOf(`{{eu${i}}`)) channels.push(`hm:{}{eu${i}}`);
      }
      const watcher = await connect(cluster.seedUrl);
      const monitor = new EventMonitor(watcher, { patterns: ['hm:*'], counters: true });
      await monitor.start();
      try {
        await other.publishBatch(channels.flatMap((ch) => Array.from({ length: 10 }, () => [ch, '{"event_type":"tick"}'] as const)));
        await until('every event counted', () => monitor.eventsSeen === 40);
        await monitor.flushCounters();
        await monitor.flushCounters(); // a failed flush keeps its increments: this one would send them again
        const counts = [];
        for (const ch of channels) counts.push(await t.get(`event_counts:${ch}:tick`));
        assert.deepEqual(counts, channels.map(() => '10'));
        assert.equal(monitor.snapshot().counters?.failures, 0);
      } finally {
        await monitor.stop();
      }
    });
  });
});


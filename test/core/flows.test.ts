// Event flows (issue 15) on a real redis-server and the embedded transport: the directly-follows graph of events
// written the guide's way (XADD event_store * event <json>, only data.order_id) and by our core, stuck entities, an
// entity's trace across the store, a dead-letter stream and a consumer group with an unacked entry, saga runs, live
// traffic, and hostile data (malformed JSON, missing fields, binary, huge payloads, thousands of type names) that
// stays bounded and never throws.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AbortedError, EventAdapter, EventStore, FlowMiner, OTHER, Saga, SagaCollector, StoreFollower, collectServices, flowReport, mineStore, readSagas, traceEntity, watchFlows,
  type KindFlow, type Transport,
} from '../../src/core/index';
import { transportTargets } from '../support/each-transport';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '').padEnd(26, '0'); // Python's utcnow().isoformat()

/** The guide's OrderService/EventStore: `XADD event_store * event <json>`, the order only in data.order_id. */
async function guideSave(t: Transport, type: string, orderId: number, at: number, stream = 'event_store'): Promise<string> {
  const event = { event_id: `${type}_${orderId}_${at}`, event_type: type, timestamp: iso(at), user_id: 12345, data: { order_id: orderId, total_price: 99.99 } };
  return (await t.xadd(stream, { event: JSON.stringify(event) }))!;
}

const FLOW = ['order_created', 'payment_processed', 'order_paid', 'order_shipped'];

/** Orders 1..5 go the whole way, a step a second; order 6 stops at order_paid. */
async function writeGuideOrders(t: Transport, stream = 'event_store', base = 0): Promise<void> {
  for (let o = 1; o <= 6; o++) {
    const steps = o === 6 ? FLOW.slice(0, 3) : FLOW;
    for (let i = 0; i < steps.length; i++) await guideSave(t, steps[i], base + o, T0 + o * 10_000 + i * 1000, stream);
  }
}

function edge(k: KindFlow | undefined, from: string, to: string) {
  return k?.edges.find((e) => e.from === from && e.to === to);
}

describe('flow miner entity cap', () => {
  it('forgets the least recently active entity first (an entity with a new event gets a second chance)', () => {
    const miner = new FlowMiner({ maxEntities: 3, endTypes: ['never'], stuckAfterMs: 0 });
    const add = (entity: string, type: string, at: number) => miner.add({ event: { event_type: type, entity_id: entity, timestamp: new Date(T0 + at).toISOString() }, via: { kind: 'stream', name: 's' } });
    add('order:a', 'created', 0);
    add('order:b', 'created', 1);
    add('order:c', 'created', 2);
    add('order:a', 'paid', 3); // a is active again: b is now the least recently active
    add('order:d', 'created', 4);
    add('order:e', 'created', 5); // then c
    const snap = miner.snapshot(T0 + 10_000);
    assert.deepEqual(snap.stuck.map((x) => x.entity).sort(), ['order:a', 'order:d', 'order:e']);
    assert.equal(snap.totals.evictedEntities, 2);
    assert.equal(edge(snap.kinds[0], 'created', 'paid')?.count, 1);
  });

  it('stays fast far beyond the cap: 200,000 events of 50,000 entities with room for 1,000', () => {
    const miner = new FlowMiner({ maxEntities: 1000 });
    const via = { kind: 'stream' as const, name: 's' };
    const started = performance.now();
    for (let j = 0; j < 200_000; j++) miner.add({ event: { event_type: `step${Math.floor(j / 50_000)}`, entity_id: `order:${j % 50_000}` }, via, fallbackAt: T0 + j });
    const ms = performance.now() - started;
    const snap = miner.snapshot(T0);
    assert.equal(snap.totals.entities, 1000);
    assert.equal(snap.totals.events, 200_000);
    // Each eviction used to walk the deleted slots at the map's front again: minutes for this. Generous for a busy machine.
    assert.ok(ms < 20_000, `took ${Math.round(ms)} ms`);
  });
});

for (const target of transportTargets('flows')) {
  describe(`event flows [${target.name}]`, () => {
    let t: Transport;
    let done: () => Promise<void>;
    let seq = 0;
    const fresh = (what: string) => `${what}-${++seq}`;

    before(async () => ({ transport: t, done } = await target.make()));
    after(async () => done());

    it('builds the directly-follows graph of guide-written orders and reports the one that stopped as stuck', async () => {
      const stream = fresh('store');
      await writeGuideOrders(t, stream);
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const miner = new FlowMiner({ keyPaths: ['data.order_id'] });
      const progress: number[] = [];
      const r = await mineStore(store, miner, { pageSize: 5, onProgress: (p) => progress.push(p.read) });
      assert.equal(r.read, 23);
      assert.ok(progress.length >= 4, 'progress is reported page by page');
      const snap = miner.snapshot(T0 + 3_600_000);
      const order = snap.kinds.find((k) => k.kind === 'order');
      assert.ok(order, 'the kind is named after the key: data.order_id → order');
      assert.equal(order.entities, 6);
      assert.deepEqual(order.startTypes, ['order_created']);
      assert.deepEqual(order.endTypes, ['order_shipped']);
      assert.equal(edge(order, 'order_created', 'payment_processed')?.count, 6);
      assert.equal(edge(order, 'order_paid', 'order_shipped')?.count, 5);
      const p50 = edge(order, 'order_paid', 'order_shipped')!.p50Ms!;
      assert.ok(Math.abs(p50 - 1000) <= 60, `p50 of a step taken every second is about 1 s (got ${p50})`);
      assert.deepEqual(order.nodes.find((n) => n.type === 'order_created')?.via, [{ kind: 'stream', name: stream, count: 6 }]);
      assert.deepEqual(snap.stuck.map((s) => [s.entity, s.lastType]), [['6', 'order_paid']]);
      assert.ok(snap.stuck[0].lastId, 'a stuck entity names its last stream entry');
      // Without the key path the guide's events have no entity: counted, not guessed.
      const plain = new FlowMiner();
      await mineStore(store, plain);
      assert.equal(plain.snapshot().totals.withoutEntity, 23);
    });

    it('reads only the asked time range and stops when cancelled', async () => {
      const stream = fresh('store');
      await writeGuideOrders(t, stream);
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const miner = new FlowMiner({ keyPaths: ['data.order_id'] });
      await mineStore(store, miner, { query: { since: new Date(T0 + 60_000), until: new Date(T0 + 63_500) } });
      assert.equal(miner.snapshot().totals.events, 3, 'order 6 only: created, processed, paid');
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(mineStore(store, new FlowMiner(), { signal: controller.signal }), AbortedError);
    });

    it('mines what our core appended (entity_id kinds), then live messages, counting a stored-and-published event once', async () => {
      const stream = fresh('store');
      const channel = fresh('events');
      const store = new EventStore(t, { streamKey: stream, publishChannel: channel });
      const miner = new FlowMiner();
      const first = await store.append({ event_type: 'user_registered', entity_id: 'user:1', data: {} });
      await store.append({ event_type: 'user_login', entity_id: 'user:1', data: {} });
      await mineStore(store, miner);
      // The transport subscribes on a connection of its own.
      const live = await watchFlows(t, miner, { patterns: [`${channel}*`] });
      try {
        await store.append({ event_type: 'user_logout', entity_id: 'user:1', data: {} });
        await t.publish(channel, first.raw); // a replay of an old event: seen before, not a new step
        await waitFor(() => miner.snapshot().totals.repeated >= 1 && miner.snapshot().totals.events >= 3);
      } finally {
        live.dispose();
      }
      const snap = miner.snapshot();
      const user = snap.kinds.find((k) => k.kind === 'user')!;
      assert.equal(user.events, 3, 'each event counted once');
      assert.equal(edge(user, 'user_registered', 'user_login')?.count, 1);
      assert.equal(edge(user, 'user_login', 'user_logout')?.count, 1);
      assert.equal(user.edges.length, 2);
      const via = user.nodes.find((n) => n.type === 'user_logout')!.via.map((v) => `${v.kind}:${v.name}`);
      assert.deepEqual(via, [`channel:${channel}`]);
    });

    it('traces one entity across the store, a dead-letter stream and a consumer group with an unacked entry', async () => {
      const stream = fresh('store');
      await writeGuideOrders(t, stream, 1000);
      await t.xadd(fresh('dead-letters'), { event: JSON.stringify({ event_type: 'payment_failed', data: { order_id: 1006 }, timestamp: iso(T0 + 70_000) }), error: 'declined' });
      await t.xgroupCreate(stream, 'fulfilment', '0');
      const read = await t.xreadgroup({ group: 'fulfilment', consumer: 'worker-1', streams: [{ key: stream, id: '>' }], count: 100 });
      const entries = read![0].entries;
      const paid6 = entries.find((e) => JSON.parse(e.fields.event).event_id.startsWith('order_paid_1006_'))!;
      await t.xack(stream, 'fulfilment', entries.filter((e) => e.id !== paid6.id).map((e) => e.id));
      await t.xreadgroup({ group: 'fulfilment', consumer: 'worker-1', streams: [{ key: stream, id: '0' }], count: 100 }); // a 2nd delivery
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const trace = await traceEntity(t, store, '1006', { keyPaths: ['data.order_id'] });
      assert.deepEqual(trace.steps.map((s) => s.eventType), ['order_created', 'payment_processed', 'order_paid', 'payment_failed']);
      assert.deepEqual(trace.steps.map((s) => s.sincePreviousMs), [null, 1000, 1000, 8000]);
      const paid = trace.steps[2];
      assert.deepEqual(paid.deliveries, [{ group: 'fulfilment', state: 'pending', consumer: 'worker-1', deliveries: 2, idleMs: paid.deliveries[0].idleMs }]);
      assert.equal(trace.steps[0].deliveries[0].state, 'acked');
      assert.ok(trace.streams.some((s) => s.stream.startsWith('dead-letters')), 'the dead-letter stream holds it too');
      // entity_id events go through the store's entity index.
      const own = new EventStore(t, { streamKey: fresh('store'), publishChannel: null });
      await own.append({ event_type: 'order_created', entity_id: 'order:9', data: {} });
      await own.append({ event_type: 'order_paid', entity_id: 'order:9', data: {} });
      const t9 = await traceEntity(t, own, 'order:9', { otherStreams: false });
      assert.deepEqual(t9.steps.map((s) => s.eventType), ['order_created', 'order_paid']);
    });

    it('names the publisher of each type: metadata.source our store and adapter write, and what other apps say', async () => {
      const stream = fresh('store');
      const channel = fresh('orders');
      const billing = new EventStore(t, { streamKey: stream, publishChannel: null, source: 'billing' });
      const defaulted = new EventStore(t, { streamKey: stream, publishChannel: null });
      await defaulted.append({ event_type: 'order_created', entity_id: 'order:1', data: {} });
      await billing.append({ event_type: 'order_paid', entity_id: 'order:1', data: {} });
      // Another app, the guide's way: its own source, or none at all.
      await t.xadd(stream, { event: JSON.stringify({ event_type: 'order_shipped', data: { order_id: 'order:1' }, metadata: { source: 'shipping' } }) });
      await t.xadd(stream, { event: JSON.stringify({ event_type: 'order_delivered', data: { order_id: 'order:1' } }) });
      const miner = new FlowMiner({ keyPaths: ['data.order_id'] });
      await mineStore(new EventStore(t, { streamKey: stream, publishChannel: null }), miner);
      // The adapter's publishJson names its source too, seen live.
      const live = await watchFlows(t, miner, { patterns: [channel] });
      try {
        await new EventAdapter(t, undefined, { source: 'returns' }).publishJson(channel, { event_type: 'order_returned', entity_id: 'order:1', data: {} });
        await waitFor(() => miner.snapshot().totals.events >= 5);
      } finally {
        live.dispose();
      }
      const order = miner.snapshot().kinds.find((k) => k.kind === 'order')!;
      const by = Object.fromEntries(order.nodes.map((n) => [n.type, n.sources.map((x) => x.source)]));
      assert.deepEqual(by, { order_created: ['ucore'], order_paid: ['billing'], order_shipped: ['shipping'], order_delivered: [], order_returned: ['returns'] });
    });

    it('keeps an open map current: a follower reads only what the store got since, into the same miner', async () => {
      const stream = fresh('store');
      await writeGuideOrders(t, stream, 2000);
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const miner = new FlowMiner({ keyPaths: ['data.order_id'] });
      const history = await mineStore(store, miner);
      const follower = new StoreFollower(store, miner, history.lastId);
      assert.equal(await follower.pull(), 0, 'nothing new yet');
      // Order 2006 (stuck at order_paid) goes on, and a new order starts.
      await guideSave(t, 'order_shipped', 2006, T0 + 90_000, stream);
      await guideSave(t, 'order_created', 2007, T0 + 91_000, stream);
      assert.equal(await follower.pull(), 2);
      assert.equal(await follower.pull(), 0, 'each entry is read once');
      const snap = miner.snapshot(T0 + 3_600_000);
      const order = snap.kinds.find((k) => k.kind === 'order')!;
      assert.equal(edge(order, 'order_paid', 'order_shipped')?.count, 6);
      assert.equal(order.entities, 7);
      assert.ok(!snap.stuck.some((s) => s.entity === '2006'), 'the order that went on is no longer stuck');
      // A burst larger than one pull is caught up over several.
      for (let i = 0; i < 30; i++) await guideSave(t, 'order_created', 3000 + i, T0 + 100_000 + i, stream);
      assert.equal(await follower.pull({ maxPerPull: 20 }), 20);
      assert.equal(await follower.pull({ maxPerPull: 20 }), 10);
    });

    it('a trace includes live messages no stream holds (marked live), once, and skips those the store has', async () => {
      const stream = fresh('store');
      await writeGuideOrders(t, stream, 4000);
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const stored = (await store.get({ limit: 100 })).find((s) => (s.event.data as { order_id: number }).order_id === 4006)!;
      const shippedLive = JSON.stringify({ event_id: 'live-1', event_type: 'order_shipped', timestamp: iso(T0 + 64_000), data: { order_id: 4006 } });
      const trace = await traceEntity(t, store, '4006', {
        keyPaths: ['data.order_id'], otherStreams: false,
        live: [
          { channel: 'events', receivedAt: T0 + 61_000, payload: stored.raw }, // stored and published: already in the trace
          { channel: 'order_events', receivedAt: T0 + 64_100, payload: shippedLive },
          { channel: 'order_audit', receivedAt: T0 + 64_200, payload: shippedLive }, // the same event on two channels
          { channel: 'order_events', receivedAt: T0 + 65_000, payload: '{"event_type":"order_cancelled","data":{"order_id":4006}', truncated: true },
          { channel: 'order_events', receivedAt: T0 + 65_000, payload: 'not json' },
          { channel: 'order_events', receivedAt: T0 + 65_000, payload: JSON.stringify({ event_type: 'order_created', data: { order_id: 4005 } }) },
        ],
      });
      assert.deepEqual(trace.steps.map((s) => [s.eventType, s.via.kind, s.live ?? false]), [
        ['order_created', 'stream', false], ['payment_processed', 'stream', false], ['order_paid', 'stream', false], ['order_shipped', 'channel', true],
      ]);
      assert.equal(trace.steps[3].via.name, 'order_events');
      assert.equal(trace.steps[3].sincePreviousMs, 2000);
      assert.deepEqual(trace.streams, [{ stream, count: 3 }], 'a live-only step is in no stream');
    });

    it('lists the services: groups with pending and lag, subscribers, named clients', async () => {
      const stream = fresh('store');
      await writeGuideOrders(t, stream);
      await t.xgroupCreate(stream, 'billing', '0');
      await t.xreadgroup({ group: 'billing', consumer: 'b-1', streams: [{ key: stream, id: '>' }], count: 3 });
      const s = await collectServices(t, { streams: [stream, 'no-such-stream'], channels: [{ name: 'nobody-here' }] });
      assert.deepEqual(s.groups.map((g) => [g.group, g.pending, g.lag, g.consumers.map((c) => c.name)]), [['billing', 3, 20, ['b-1']]]);
      assert.deepEqual(s.channels, [{ channel: 'nobody-here', sharded: false, subscribers: 0 }]);
      if (target.name === 'redis') assert.ok(s.clients.some((c) => c.name.startsWith('ucore')), 'our own named connections show');
      assert.deepEqual(s.problems, []);
    });

    it('shows saga runs from checkpoints and events: completed, compensated, and a guide saga that stopped', async () => {
      const prefix = `${fresh('saga')}:`;
      const ok = new Saga(t, 'ok-1', { keyPrefix: prefix });
      ok.addStep('reserve', async () => {}, async () => {}).addStep('charge', async () => {}, async () => {});
      await ok.execute();
      const bad = new Saga(t, 'bad-1', { keyPrefix: prefix });
      bad.addStep('reserve', async () => {}, async () => {}).addStep('charge', async () => {}, async () => {}).addStep('ship', async () => { throw new Error('no carrier'); }, async () => {});
      await bad.execute();
      await t.set(`${prefix}guide-1:checkpoint`, JSON.stringify({ step: 'reserve', index: 0 }));
      await t.set(`${prefix}junk:checkpoint`, '{not json');
      const collector = new SagaCollector({ keyPrefix: prefix, stuckAfterMs: 60_000 });
      collector.addEvent({ saga_id: 'guide-1', step: 'reserve', status: 'step_completed', timestamp: iso(T0) });
      collector.addEvent('not an object');
      await readSagas(t, collector, { keyPrefix: prefix });
      const runs = new Map(collector.list().map((r) => [r.sagaId, r]));
      assert.equal(runs.get('ok-1')?.status, 'completed');
      const b = runs.get('bad-1')!;
      assert.equal(b.status, 'compensated');
      assert.equal(b.failedStep, 'ship');
      assert.deepEqual(b.compensations, ['charge', 'reserve'], 'compensations in the order they ran');
      const g = runs.get('guide-1')!;
      assert.equal(g.status, 'running');
      assert.equal(g.stuck, true, 'a running saga idle for long is stuck');
      assert.deepEqual(g.seenIn.sort(), ['events', 'guide-checkpoint']);
      assert.equal(collector.list()[0].sagaId, 'guide-1', 'stuck runs come first');
      assert.ok(collector.malformed >= 2);
    });

    it('stays bounded and calm on hostile data', async () => {
      const stream = fresh('store');
      const junk: Array<Record<string, string>> = [
        { event: '{"event_type": "order_created", "data": {"order_id": 1' }, // cut JSON
        { event: '[1, 2, 3]' }, { event: 'null' }, { other: 'no event field' }, { event: '\u0000\u00ff\ud800binary' },
        { event: JSON.stringify({ data: { order_id: 1 } }) }, // no type, no timestamp
        { event: JSON.stringify({ event_type: { toString: 1 }, data: { order_id: 1 }, timestamp: 'yesterday' }) },
        { event: JSON.stringify({ event_type: 'x', entity_id: '__proto__', data: {} }) },
        { event: JSON.stringify({ event_type: 'x', data: { __proto__: { order_id: 5 } } }) },
        { event: JSON.stringify({ event_type: 'huge', data: { order_id: 2, blob: 'x'.repeat(3_000_000) } }) },
      ];
      for (const fields of junk) await t.xadd(stream, fields);
      for (let i = 0; i < 600; i++) await t.xadd(stream, { event: JSON.stringify({ event_type: `<img src=x onerror=alert(${i})>\u001b[31m${'t'.repeat(i % 7 ? 5 : 5000)}`, entity_id: `order:${i % 50}`, data: {} }) });
      for (let i = 0; i < 300; i++) await t.xadd(stream, { event: JSON.stringify({ event_type: 'ping', entity_id: `k${i}:${i}`, data: {} }) });
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const miner = new FlowMiner({ keyPaths: ['data.order_id'], maxTypes: 10, maxKinds: 5, maxEntities: 40 });
      await mineStore(store, miner);
      const snap = miner.snapshot();
      assert.equal(snap.totals.malformed, 5);
      assert.ok(snap.kinds.length <= 6, `kinds bounded (${snap.kinds.length})`);
      for (const k of snap.kinds) {
        assert.ok(k.nodes.length <= 11, `types bounded in ${k.kind}`);
        assert.ok(k.edges.length <= 121);
        for (const n of k.nodes) assert.ok(n.type.length <= 121, 'type names clipped');
      }
      const order = snap.kinds.find((k) => k.kind === 'order')!;
      assert.ok(order.nodes.some((n) => n.type === OTHER) && order.foldedTypes > 0);
      assert.ok(snap.totals.evictedEntities > 0 && snap.totals.entities <= 40, 'entities bounded');
      assert.ok(snap.totals.foldedKinds > 0);
      const trace = await traceEntity(t, store, '2', { keyPaths: ['data.order_id'], otherStreams: false });
      assert.equal(trace.steps.length, 1);
      assert.equal(trace.steps[0].rawCut, true, 'a 3 MB event is cut in a trace');
      // A flow report over all of it answers, services included.
      const report = await flowReport(t, store, { keyPaths: ['data.order_id'] });
      assert.ok(report.flows.totals.events > 0);
    });
  });
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

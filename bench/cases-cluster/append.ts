// Store append on one server and on the cluster, against raw ioredis XADD of the same JSON to the same streams. On
// the cluster the store splits itself into 16 partitions (`event_store:{0}` … spread over the masters); the raw side
// writes each event to the partition our store would, so both sides spread alike and differ only by what the store
// adds (entity and type index entries, the PUBLISH on `events`, Lua).
import { partitionIndex } from '../../src/core/store/partitions';
import { EventStore } from '../../src/core/store/event-store';
import { benchEvent } from '../lib/events';
import { timed } from '../lib/pairs';
import { perSlice, type ClusterBenchContext } from './context';
import type { Deployment } from './deployments';
import { clusterCaseResult, type ClusterCaseResult } from './report';
import { fourSides, measureSides } from './sides';

const BATCH = 1000;
/** benchEvent's entity count: `order-0` … `order-999`. */
const ENTITIES = 1000;

export async function appendCase(ctx: ClusterBenchContext): Promise<ClusterCaseResult[]> {
  const n = ctx.quick ? 12_000 : 100_000;
  const per = perSlice(ctx, n);
  const stores = new Map<Deployment, EventStore>();
  const streamOfEntity = new Map<Deployment, string[]>();
  for (const d of [ctx.single, ctx.cluster]) {
    const store = new EventStore(d.transport);
    const keys = store.partitionKeys();
    const expected = d.name === 'cluster' ? 16 : 1;
    // Without its partitions the cluster store would be one stream on one master: not the layout this case is about.
    if (keys.length !== expected) throw new Error(`the store on the ${d.name} deployment has ${keys.length} partition(s), expected ${expected}`);
    stores.set(d, store);
    streamOfEntity.set(d, Array.from({ length: ENTITIES }, (_, e) => keys[partitionIndex(`order-${e}`, keys.length)]));
  }

  const ours = (d: Deployment, count: number, offset: number) => timed(async () => {
    const store = stores.get(d)!;
    for (let i = offset; i < offset + count; i += BATCH) {
      const events = [];
      for (let j = i; j < Math.min(offset + count, i + BATCH); j++) events.push(benchEvent(j));
      await store.appendBatch(events);
    }
  });
  const raw = (d: Deployment, count: number, offset: number) => timed(async () => {
    const streams = streamOfEntity.get(d)!;
    for (let i = offset; i < offset + count; i += BATCH) {
      const calls: Array<Promise<string | null>> = [];
      for (let j = i; j < Math.min(offset + count, i + BATCH); j++) calls.push(d.raw.xadd(streams[j % ENTITIES], '*', 'event', JSON.stringify(benchEvent(j))));
      await Promise.all(calls);
    }
  });

  const times = await measureSides({
    runs: ctx.runs,
    slices: ctx.slices,
    warmup: async () => {
      for (const d of [ctx.single, ctx.cluster]) { await raw(d, n / 10, 0); await ours(d, n / 10, 0); await d.flush(); }
    },
    sides: fourSides(ctx, { ours: (d, s) => ours(d, per, s * per), raw: (d, s) => raw(d, per, s * per), reset: (d) => d.flush() }),
  });
  await Promise.all([ctx.single.flush(), ctx.cluster.flush()]);
  return [clusterCaseResult({
    id: 'cluster-append', title: 'store append, 1000 per appendBatch', count: n, times,
    notes: ['ours: `EventStore.appendBatch` of 1000 events, default options (entity + type index, PUBLISH on `events`; on the cluster 16 partitions, one Lua call per partition and chunk); raw: `client.xadd(partition, "*", "event", json)`, 1000 in flight, to the stream our store puts the event in; each side starts from an empty deployment'],
  })];
}

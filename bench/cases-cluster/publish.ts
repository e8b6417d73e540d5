// publishJson on one server and on the cluster, against raw ioredis PUBLISH of the same JSON. Both sides keep 1000
// calls in flight and await them as a group, as an app publishing a burst would. On a cluster every PUBLISH is
// forwarded over the cluster bus to every other node (classic pub/sub reaches subscribers on any node), so each
// event costs work on all three masters: that is the price measured here, for any client.
import { EventAdapter } from '../../src/core/adapter';
import { benchEvent, channelOf } from '../lib/events';
import { timed } from '../lib/pairs';
import { perSlice, type ClusterBenchContext } from './context';
import type { Deployment } from './deployments';
import { clusterCaseResult, type ClusterCaseResult } from './report';
import { fourSides, measureSides } from './sides';

const IN_FLIGHT = 1000;

export async function publishCase(ctx: ClusterBenchContext): Promise<ClusterCaseResult[]> {
  const n = ctx.quick ? 12_000 : 100_000;
  const per = perSlice(ctx, n);
  const adapters = new Map<Deployment, EventAdapter>([ctx.single, ctx.cluster].map((d) => [d, new EventAdapter(d.transport)]));

  const ours = (d: Deployment, count: number, offset: number) => timed(async () => {
    const adapter = adapters.get(d)!;
    for (let i = offset; i < offset + count; i += IN_FLIGHT) {
      const calls: Array<Promise<number>> = [];
      for (let j = i; j < Math.min(offset + count, i + IN_FLIGHT); j++) calls.push(adapter.publishJson(channelOf(j), benchEvent(j)));
      await Promise.all(calls);
    }
  });
  const raw = (d: Deployment, count: number, offset: number) => timed(async () => {
    for (let i = offset; i < offset + count; i += IN_FLIGHT) {
      const calls: Array<Promise<number>> = [];
      for (let j = i; j < Math.min(offset + count, i + IN_FLIGHT); j++) calls.push(d.raw.publish(channelOf(j), JSON.stringify(benchEvent(j))));
      await Promise.all(calls);
    }
  });

  const times = await measureSides({
    runs: ctx.runs,
    slices: ctx.slices,
    warmup: async () => {
      for (const d of [ctx.single, ctx.cluster]) { await raw(d, n / 10, 0); await ours(d, n / 10, 0); }
    },
    sides: fourSides(ctx, { ours: (d, s) => ours(d, per, s * per), raw: (d, s) => raw(d, per, s * per) }),
  });
  return [clusterCaseResult({
    id: 'cluster-publish', title: 'publishJson, 1000 calls in flight', count: n, times,
    notes: ['ours: `adapter.publishJson(channel, event)` per event over 8 channels, 1000 calls issued before awaiting them; raw: JSON.stringify + `client.publish` the same way (ioredis `Redis` / `Cluster` with enableAutoPipelining); no subscribers. On a cluster Redis forwards every PUBLISH to every node over the cluster bus'],
  })];
}

// Store append with the entity and type indexes against raw pipelined XADD of the same JSON to the same stream.
import { EventStore } from '../../src/core/store/event-store';
import type { BenchContext } from '../lib/context';
import { benchEvent } from '../lib/events';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';

const BATCH = 1000;
const STREAM = 'event_store';

export async function appendCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 20_000 : 200_000;
  const per = n / ctx.slices;
  const withPublish = new EventStore(ctx.transport);
  const noPublish = new EventStore(ctx.transport, { publishChannel: null });

  const baseline = (count: number) => timed(async () => {
    for (let i = 0; i < count; i += BATCH) {
      const p = ctx.raw.pipeline();
      for (let j = i; j < Math.min(count, i + BATCH); j++) p.xadd(STREAM, '*', 'event', JSON.stringify(benchEvent(j)));
      await p.exec();
    }
  });
  const ours = (store: EventStore, count: number) => timed(async () => {
    for (let i = 0; i < count; i += BATCH) {
      const events = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) events.push(benchEvent(j));
      await store.appendBatch(events);
    }
  });

  const common = { runs: ctx.runs, slices: ctx.slices, redisPid: ctx.redisPid, reset: () => ctx.flush(), baseline: () => baseline(per) };
  const warmup = async () => { await baseline(n / 10); await ours(withPublish, n / 10); await ours(noPublish, n / 10); };
  const a = await measurePairs({ ...common, warmup, ours: () => ours(withPublish, per) });
  const b = await measurePairs({ ...common, ours: () => ours(noPublish, per) });
  return [
    caseResult({
      id: 'append', title: 'store append (entity + type index, publish on `events`)', count: n, times: a,
      baselineLabel: 'raw XADD, pipelined', goal: 0.6,
      notes: ['ours: EventStore.appendBatch per 1000 events, default options: Lua calls of 200 events, each writing the event, its entity and type index entries and its PUBLISH on `events`, up to 8 in flight'],
    }),
    caseResult({
      id: 'append-nopublish', title: 'store append (entity + type index, no publish)', count: n, times: b,
      baselineLabel: 'raw XADD, pipelined', goal: 0.6,
    }),
  ];
}

// publishJson throughput: our adapter against raw ioredis PUBLISH of the same JSON, pipelined in 1000s.
import { EventAdapter } from '../../src/core/adapter';
import type { BenchContext } from '../lib/context';
import { benchEvent, channelOf } from '../lib/events';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';

const BATCH = 1000;

export async function publishCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 20_000 : 200_000;
  const per = n / ctx.slices;
  const adapter = new EventAdapter(ctx.transport);

  const baseline = (count: number) => timed(async () => {
    for (let i = 0; i < count; i += BATCH) {
      const p = ctx.raw.pipeline();
      for (let j = i; j < Math.min(count, i + BATCH); j++) p.publish(channelOf(j), JSON.stringify(benchEvent(j)));
      await p.exec();
    }
  });
  const batched = (count: number) => timed(async () => {
    for (let i = 0; i < count; i += BATCH) {
      const items: Array<[string, unknown]> = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) items.push([channelOf(j), benchEvent(j)]);
      await adapter.publishJsonBatch(items);
    }
  });
  // The call an app writes per event: publishJson, here with up to 1000 calls in flight (awaited as a group).
  const single = (count: number) => timed(async () => {
    for (let i = 0; i < count; i += BATCH) {
      const calls: Array<Promise<number>> = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) calls.push(adapter.publishJson(channelOf(j), benchEvent(j)));
      await Promise.all(calls);
    }
  });

  const common = { runs: ctx.runs, slices: ctx.slices, redisPid: ctx.redisPid, baseline: () => baseline(per) };
  const warmup = async () => { await baseline(n / 10); await batched(n / 10); await single(n / 10); };
  const a = await measurePairs({ ...common, warmup, ours: () => batched(per) });
  const b = await measurePairs({ ...common, ours: () => single(per) });
  return [
    caseResult({
      id: 'publish', title: 'publishJson, 1000 calls in flight', count: n, times: b,
      baselineLabel: 'raw ioredis PUBLISH, pipelined', goal: 0.9,
      notes: ['ours: `adapter.publishJson(channel, event)` per event, 1000 calls issued before awaiting them; baseline: JSON.stringify + `pipeline.publish`, exec per 1000'],
    }),
    caseResult({
      id: 'publish-batch', title: 'publishJsonBatch, 1000 per call', count: n, times: a,
      baselineLabel: 'raw ioredis PUBLISH, pipelined', goal: 0.9,
    }),
  ];
}

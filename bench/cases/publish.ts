// Publish throughput, four ways side by side in one run (slices rotating between them), JSON.stringify on every side:
// node-redis 5 `multi().execAsPipeline()` of 1000 PUBLISH (the fastest hand-written peer, the baseline of the
// batch), raw ioredis pipelines of 1000, our publishJsonBatch of 1000 and our publishJson with 1000 calls in flight.
import { createClient } from 'redis';
import { EventAdapter } from '../../src/core/adapter';
import type { BenchContext } from '../lib/context';
import { benchEvent, channelOf } from '../lib/events';
import { versionOf } from '../lib/machine';
import { measureSides, pairOf, timed } from '../lib/pairs';
import { caseResult, figure, type CaseResult } from '../lib/report';

const BATCH = 1000;

export async function publishCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 20_000 : 200_000;
  const per = n / ctx.slices;
  const adapter = new EventAdapter(ctx.transport);
  const nodeRedis = createClient({ url: ctx.server.url });
  await nodeRedis.connect();

  try {
    const viaNodeRedis = (count: number) => timed(async () => {
      for (let i = 0; i < count; i += BATCH) {
        const m = nodeRedis.multi();
        for (let j = i; j < Math.min(count, i + BATCH); j++) m.publish(channelOf(j), JSON.stringify(benchEvent(j)));
        await m.execAsPipeline();
      }
    });
    const viaIoredis = (count: number) => timed(async () => {
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

    const sides = [viaNodeRedis, viaIoredis, batched, single];
    const m = await measureSides({
      runs: ctx.runs, slices: ctx.slices, redisPid: ctx.redisPid,
      warmup: async () => { for (const side of sides) await side(n / 10); },
      sides: sides.map((side) => () => side(per)),
    });
    const [NODE_REDIS, IOREDIS, BATCHED, SINGLE] = [0, 1, 2, 3];
    const vsNodeRedis = (side: number) => figure(m.ms[side].map((ms, i) => m.ms[NODE_REDIS][i] / ms));
    const fmt = (side: number) => `${vsNodeRedis(side).median.toFixed(2)}×`;
    const note = `ratios to node-redis ${versionOf('redis')} multi().execAsPipeline() of 1000 PUBLISH (median): raw ioredis pipeline ${fmt(IOREDIS)}, publishJsonBatch ${fmt(BATCHED)}, publishJson ${fmt(SINGLE)}`;
    ctx.log(`publish: ${note}`);
    return [
      caseResult({
        id: 'publish', title: 'publishJson, 1000 calls in flight', count: n, times: pairOf(m, IOREDIS, SINGLE),
        baselineLabel: 'raw ioredis PUBLISH, pipelined', goal: 0.9,
        notes: ['ours: `adapter.publishJson(channel, event)` per event, 1000 calls issued before awaiting them; baseline: JSON.stringify + `pipeline.publish`, exec per 1000'],
        extra: { ratioToNodeRedis: vsNodeRedis(SINGLE) },
      }),
      caseResult({
        id: 'publish-batch', title: 'publishJsonBatch, 1000 per call', count: n, times: pairOf(m, NODE_REDIS, BATCHED),
        baselineLabel: 'node-redis multi().execAsPipeline()', goal: 1.2,
        notes: [
          'ours: `adapter.publishJsonBatch` of 1000 [channel, event] pairs (EVALSHA calls of a PUBLISH loop, ~150 pairs each); baseline: node-redis 5, JSON.stringify + `multi().publish` ×1000, `execAsPipeline()`',
          note,
        ],
        extra: { ratioToNodeRedis: vsNodeRedis(BATCHED) },
      }),
      caseResult({
        id: 'publish-ioredis', title: 'raw ioredis pipeline of 1000 PUBLISH', count: n, times: pairOf(m, NODE_REDIS, IOREDIS),
        baselineLabel: 'node-redis multi().execAsPipeline()',
        notes: ['a peer, not ours: how the hand-written ioredis loop compares with node-redis in the same run'],
      }),
    ];
  } finally {
    await nodeRedis.quit().catch(() => undefined);
  }
}

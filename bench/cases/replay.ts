// Replay of a stream to another stream and to a channel, against the raw loop an app would write: XRANGE pages of
// 1000 (the next page requested while the current one is sent) and a pipelined XADD / PUBLISH of each page.
import { replay, type ReplayTarget } from '../../src/core/replay/replay';
import type { BenchContext } from '../lib/context';
import { benchEvent } from '../lib/events';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';

const SRC = 'bench:replay:src';
const DST = 'bench:replay:dst';
const CHANNEL = 'bench:replay';
const PAGE = 1000;

export async function loadStream(ctx: BenchContext, key: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 5000) {
    const p = ctx.raw.pipeline();
    for (let j = i; j < Math.min(count, i + 5000); j++) p.xadd(key, '*', 'event', JSON.stringify(benchEvent(j)));
    await p.exec();
  }
}

/** The raw replay loop: read a page, ask for the next, send this one pipelined. */
export function rawReplay(ctx: BenchContext, to: 'stream' | 'channel', limit?: number): Promise<number> {
  return timed(async () => {
    let sent = 0;
    const read = (start: string) => ctx.raw.xrange(SRC, start, '+', 'COUNT', PAGE) as Promise<Array<[string, string[]]>>;
    let next = read('-');
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      if (page.length === PAGE) next = read(`(${page[page.length - 1][0]}`);
      const p = ctx.raw.pipeline();
      for (const [, fields] of page) {
        if (to === 'stream') p.xadd(DST, '*', 'event', fields[1]);
        else p.publish(CHANNEL, fields[1]);
      }
      await p.exec();
      sent += page.length;
      if (page.length < PAGE || (limit !== undefined && sent >= limit)) break;
    }
  });
}

export async function replayCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 50_000 : 500_000;
  await ctx.flush();
  const loadStarted = performance.now();
  await loadStream(ctx, SRC, n);
  ctx.log(`replay: loaded ${n.toLocaleString('en-US')} events in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

  const ours = (target: ReplayTarget, limit?: number) => timed(async () => {
    const r = await replay(ctx.transport, { stream: SRC, limit }, target);
    if (r.sent !== (limit ?? n)) throw new Error(`replay sent ${r.sent}`);
  });
  const reset = async () => { await ctx.raw.del(DST); };
  const toStream: ReplayTarget = { kind: 'stream', stream: DST };
  const toChannel: ReplayTarget = { kind: 'channel', channel: CHANNEL };
  const warm = n / 10;
  const s = await measurePairs({
    runs: ctx.runs, reset, redisPid: ctx.redisPid,
    warmup: async () => { await rawReplay(ctx, 'stream', warm); await ours(toStream, warm); },
    baseline: () => rawReplay(ctx, 'stream'), ours: () => ours(toStream),
  });
  const c = await measurePairs({
    runs: ctx.runs, redisPid: ctx.redisPid,
    warmup: async () => { await rawReplay(ctx, 'channel', warm); await ours(toChannel, warm); },
    baseline: () => rawReplay(ctx, 'channel'), ours: () => ours(toChannel),
  });
  await ctx.flush();
  return [
    caseResult({ id: 'replay-stream', title: 'replay stream → stream', count: n, times: s, baselineLabel: 'raw XRANGE pages + pipelined XADD', goal: 0.8 }),
    caseResult({ id: 'replay-channel', title: 'replay stream → channel', count: n, times: c, baselineLabel: 'raw XRANGE pages + pipelined PUBLISH', goal: 0.8 }),
  ];
}

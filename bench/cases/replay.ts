// Replay of a stream to another stream and to a channel, against the raw loop an app would write: XRANGE pages of
// 1000 (the next page requested while the current one is sent) and a pipelined XADD / PUBLISH of each page.
// Each run replays the whole source, cut into consecutive id ranges that alternate between the two sides.
import { replay, type ReplayTarget } from '../../src/core/replay/replay';
import { MAX_SEQ } from '../../src/core/store/stream-ids';
import type { BenchContext } from '../lib/context';
import { benchEvent } from '../lib/events';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';

const SRC = 'bench:replay:src';
const DST = 'bench:replay:dst';
const CHANNEL = 'bench:replay';
const PAGE = 1000;

/** Appends `count` events to `key`; returns the id of every `every`-th entry (the first ids of the slices). */
export async function loadStream(ctx: BenchContext, key: string, count: number, every = count): Promise<string[]> {
  const marks: string[] = [];
  for (let i = 0; i < count; i += 5000) {
    const p = ctx.raw.pipeline();
    for (let j = i; j < Math.min(count, i + 5000); j++) p.xadd(key, '*', 'event', JSON.stringify(benchEvent(j)));
    const ids = (await p.exec())!.map(([, id]) => String(id));
    ids.forEach((id, k) => { if ((i + k) % every === 0) marks.push(id); });
  }
  return marks;
}

/** The raw replay loop over [start, end]: read a page, ask for the next, send this one pipelined. */
export function rawReplay(ctx: BenchContext, to: 'stream' | 'channel', start = '-', end = '+'): Promise<number> {
  return timed(async () => {
    const read = (from: string) => ctx.raw.xrange(SRC, from, end, 'COUNT', PAGE) as Promise<Array<[string, string[]]>>;
    let next = read(start);
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
      if (page.length < PAGE) break;
    }
  });
}

export async function replayCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 50_000 : 500_000;
  const per = n / ctx.slices;
  await ctx.flush();
  const loadStarted = performance.now();
  const starts = await loadStream(ctx, SRC, n, per);
  const lastId = (await ctx.raw.xrevrange(SRC, '+', '-', 'COUNT', 1))[0][0];
  // Slice s covers [starts[s], starts[s + 1]) — the last one up to the stream's end.
  const range = (s: number) => ({ from: starts[s], to: s + 1 < starts.length ? exclusiveEnd(starts[s + 1]) : lastId });
  ctx.log(`replay: loaded ${n.toLocaleString('en-US')} events in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

  const ours = (target: ReplayTarget, s: number) => timed(async () => {
    const { from, to } = range(s);
    const r = await replay(ctx.transport, { stream: SRC, fromId: from, toId: to }, target);
    if (r.sent !== per) throw new Error(`replay sent ${r.sent} of ${per}`);
  });
  const raw = (to: 'stream' | 'channel', s: number) => rawReplay(ctx, to, range(s).from, range(s).to);
  const toStream: ReplayTarget = { kind: 'stream', stream: DST };
  const toChannel: ReplayTarget = { kind: 'channel', channel: CHANNEL };
  const common = { runs: ctx.runs, slices: ctx.slices, redisPid: ctx.redisPid };
  const s = await measurePairs({
    ...common,
    // The target stream starts empty for every slice of either side.
    reset: async () => { await ctx.raw.del(DST); },
    warmup: async () => { await raw('stream', 0); await ours(toStream, 0); },
    baseline: (slice) => raw('stream', slice), ours: (slice) => ours(toStream, slice),
  });
  const c = await measurePairs({
    ...common,
    warmup: async () => { await raw('channel', 0); await ours(toChannel, 0); },
    baseline: (slice) => raw('channel', slice), ours: (slice) => ours(toChannel, slice),
  });
  await ctx.flush();
  const note = `each run replays all ${n.toLocaleString('en-US')} events as ${ctx.slices} consecutive id ranges, alternating between the sides; ours: replay() with the default options (pages of 1000 read ahead, pipelined sends of 1000)`;
  return [
    caseResult({ id: 'replay-stream', title: 'replay stream → stream', count: n, times: s, baselineLabel: 'raw XRANGE pages + pipelined XADD', goal: 0.8, notes: [note] }),
    caseResult({ id: 'replay-channel', title: 'replay stream → channel', count: n, times: c, baselineLabel: 'raw XRANGE pages + pipelined PUBLISH', goal: 0.8 }),
  ];
}

/** The greatest id before `id`, as an inclusive end bound (replay's toId takes full ids only). */
function exclusiveEnd(id: string): string {
  const [ms, seq] = id.split('-').map(BigInt);
  return seq > 0n ? `${ms}-${seq - 1n}` : `${ms - 1n}-${MAX_SEQ}`;
}

// Issue 17 at volume: the explorer's Streams view on 100,000 streams among 1,000,000 keys (10,000 among 100,000 in
// --quick). It runs the view's own listing (streamPage: SCAN … TYPE stream until a page is found, then XINFO STREAM
// of each), first page against the loop an app would write with ioredis, then "Load more" ten times as a user would
// (the listing goes on from its SCAN cursor; the view reads the info of every stream shown again), with the event
// loop's delay watched the whole time (monitorEventLoopDelay): the goal is no delay over 100 ms.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { StreamListing, streamInfos, streamPage } from '../../src/core/store/stream-page';
import type { BenchContext } from '../lib/context';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, figure, type CaseResult } from '../lib/report';

/** The view's first page: explorerPageSize (50) × 4 streams; each Load more adds as many. */
const PAGE = 200;
const LOAD_MORES = 10;
const FIRST_PAGES = 5;
const DELAY_LIMIT_MS = 100;

async function load(ctx: BenchContext, streams: number, keys: number): Promise<void> {
  // One stream every keys/streams keys, so SCAN meets them spread through the keyspace as in a real database.
  const every = Math.round(keys / streams);
  for (let i = 0; i < keys; i += 10_000) {
    const p = ctx.raw.pipeline();
    for (let j = i; j < Math.min(keys, i + 10_000); j++) {
      if (j % every === 0) p.xadd(`bench:tree:stream:${j}`, '*', 'event', `{"event_type":"order_created","n":${j}}`);
      else p.set(`bench:tree:key:${j}`, String(j));
    }
    await p.exec();
  }
}

/** The same listing by hand: SCAN TYPE stream pages of 500 until more than `limit`, sorted, XINFO STREAM each. */
async function rawPage(ctx: BenchContext, limit: number): Promise<number> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await ctx.raw.scan(cursor, 'COUNT', 500, 'TYPE', 'stream');
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0' && found.length <= limit);
  const page = found.sort().slice(0, limit);
  const infos = await Promise.all(page.map((k) => ctx.raw.xinfo('STREAM', k)));
  return infos.length;
}

export async function streamsTreeCase(ctx: BenchContext): Promise<CaseResult[]> {
  const keys = ctx.quick ? 100_000 : 1_000_000;
  const streams = keys / 10;
  await ctx.flush();
  const loadMs = await timed(() => load(ctx, streams, keys));
  const dbsize = await ctx.raw.dbsize();
  ctx.log(`streams-tree: ${streams.toLocaleString('en-US')} streams among ${dbsize.toLocaleString('en-US')} keys loaded in ${(loadMs / 1000).toFixed(1)} s`);
  const size = `${streams.toLocaleString('en-US')} streams among ${dbsize.toLocaleString('en-US')} keys`;
  const out: CaseResult[] = [];

  const firstPages = await measurePairs({
    runs: ctx.runs,
    slices: 1,
    redisPid: ctx.redisPid,
    warmup: async () => { await streamPage(ctx.transport, PAGE); await rawPage(ctx, PAGE); },
    baseline: () => timed(async () => { for (let i = 0; i < FIRST_PAGES; i++) await rawPage(ctx, PAGE); }),
    ours: () => timed(async () => {
      for (let i = 0; i < FIRST_PAGES; i++) if ((await streamPage(ctx.transport, PAGE)).streams.length !== PAGE) throw new Error('short first page');
    }),
  });
  out.push(caseResult({
    id: 'streams-tree-page', title: `Streams view: first page of ${PAGE} streams (${FIRST_PAGES} loads per run)`, size, times: firstPages,
    baselineLabel: 'raw SCAN TYPE stream + XINFO STREAM each (ioredis)',
    notes: [`per page: ${(median(firstPages.oursMs) / FIRST_PAGES).toFixed(1)} ms`],
  }));

  // A user opening the view and pressing Load more ten times: each press goes on from the cursor for one more page,
  // and the view shows (reads the info of) every stream listed so far, as StreamsTreeProvider.listRoot does.
  const maxDelays: number[] = [];
  const perPage: number[][] = [];
  const totals: number[] = [];
  let shown = 0;
  let more = true;
  for (let r = 0; r < ctx.runs; r++) {
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const pages: number[] = [];
    const t0 = performance.now();
    const listing = new StreamListing(ctx.transport);
    const keys: string[] = [];
    for (let p = 0; p <= LOAD_MORES; p++) {
      const t = performance.now();
      keys.push(...(await listing.next(PAGE)));
      const page = await streamInfos(ctx.transport, keys);
      pages.push(performance.now() - t);
      shown = page.length;
      more = !listing.done;
    }
    totals.push(performance.now() - t0);
    h.disable();
    maxDelays.push(h.max / 1e6);
    perPage.push(pages);
  }
  const worst = Math.max(...maxDelays);
  out.push({
    id: 'streams-tree-delay', title: `Streams view: first page + ${LOAD_MORES} × Load more, max event-loop delay`, size, unit: 'ms',
    ours: figure(maxDelays), goal: { text: `≤ ${DELAY_LIMIT_MS} ms`, valueAtMost: DELAY_LIMIT_MS }, met: median(maxDelays) <= DELAY_LIMIT_MS,
    notes: [
      `per page (ms, first → last, median run): ${perPage[medianIndex(totals)].map((v) => v.toFixed(0)).join(', ')}; total ${median(totals).toFixed(0)} ms for ${shown.toLocaleString('en-US')} streams shown (more: ${more})`,
      `max event-loop delay per run: ${maxDelays.map((v) => v.toFixed(1)).join(', ')} ms (worst ${worst.toFixed(1)} ms)`,
    ],
    extra: { perPageMs: perPage, totalMs: totals, maxDelayMs: maxDelays },
  });
  await ctx.flush();
  return out;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function medianIndex(v: number[]): number {
  const m = median(v);
  return v.indexOf(m);
}

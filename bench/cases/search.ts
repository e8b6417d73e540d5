// History search (issue 17): scanning a stream with a CEL filter, against the raw loop an app would write to look at
// every event: XRANGE pages of 1000 (the next page asked for while this one is handled) and JSON.parse of each.
// Two expressions: the (`event_type == "…" && …`, where a plain-text check skips most entries unparsed) and
// one with no text to check (every entry parsed and evaluated: the worst case). Goal: ≥ 0.7× the raw scan.
import { EventFilter } from '../../src/core/search/expression';
import { searchStream } from '../../src/core/search/history-search';
import { idBefore } from '../../src/core/search/seek';
import type { BenchContext } from '../lib/context';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';
import { loadStream } from './replay';

const SRC = 'bench:search:src';
const PAGE = 1000;

function rawScan(ctx: BenchContext, start: string, end: string): Promise<number> {
  return timed(async () => {
    const read = (from: string) => ctx.raw.xrange(SRC, from, end, 'COUNT', PAGE) as Promise<Array<[string, string[]]>>;
    let next = read(start);
    let sink = 0;
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      if (page.length === PAGE) next = read(`(${page[page.length - 1][0]}`);
      for (const [, fields] of page) {
        const e = JSON.parse(fields[1]) as { data?: { total_price?: number } };
        if ((e.data?.total_price ?? 0) > 50) sink++;
      }
      if (page.length < PAGE) break;
    }
    if (sink < 0) throw new Error('unreachable');
  });
}

export async function searchCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 40_000 : 1_000_000;
  const per = n / ctx.slices;
  await ctx.flush();
  const starts = await loadStream(ctx, SRC, n, per);
  const lastId = (await ctx.raw.xrevrange(SRC, '+', '-', 'COUNT', 1))[0][0];
  const range = (s: number) => ({ start: starts[s], end: s + 1 < starts.length ? `(${starts[s + 1]}` : lastId });
  const common = { runs: ctx.runs, slices: ctx.slices, redisPid: ctx.redisPid };
  const out: CaseResult[] = [];
  const expressions: Array<[id: string, text: string, note: string]> = [
    ['search-typed', 'event_type == "order_created" && data.total_price > 50', 'the issue\'s form: entries without "order_created" in their text are skipped unparsed'],
    ['search-any', 'data.total_price > 50 && size(data.items) > 0', 'no text to check: every entry parsed and evaluated'],
  ];
  for (const [id, text, note] of expressions) {
    const filter = EventFilter.compile(text);
    let matched = 0;
    const ours = (s: number) => timed(async () => {
      const { start, end } = range(s);
      // searchHistory takes inclusive bounds: an exclusive end becomes the id before it.
      const r = await searchStream(ctx.transport, SRC, filter, { start, end: end.startsWith('(') ? idBefore(end.slice(1))! : end, limit: 1e9, maxScan: 1e9 });
      if (r.scanned !== per) throw new Error(`search scanned ${r.scanned} of ${per}`);
      matched = r.matched;
    });
    const times = await measurePairs({
      ...common,
      warmup: async () => { await rawScan(ctx, range(0).start, range(0).end); await ours(0); },
      baseline: (s) => rawScan(ctx, range(s).start, range(s).end),
      ours,
    });
    out.push(caseResult({
      id, title: `history search: ${text}`, count: n, times, baselineLabel: 'raw XRANGE pages + JSON.parse', goal: 0.7,
      notes: [`${note}; ${matched.toLocaleString('en-US')} of ${per.toLocaleString('en-US')} match per slice; pages of 1000 read ahead`],
    }));
  }
  await ctx.flush();
  return out;
}


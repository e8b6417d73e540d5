// Issue 17 at volume: seeking a large stream to a time (first page), exporting a range to an NDJSON file and
// importing it back, each against the loop an app would write by hand. The seek stream holds 1,000,000 entries 10 ms
// apart (also in --quick); UCORE_BENCH_SEEK_10M=1 makes it the 10,000,000 (about 1.5 GB in redis-server,
// minutes to load). History search's scan rate against raw XRANGE + JSON.parse is the `search` case.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportEntries } from '../../src/core/transfer/export';
import { fileSink } from '../../src/core/transfer/file-sink';
import { importFixture } from '../../src/core/transfer/import';
import { pageAt } from '../../src/core/search/seek';
import type { BenchContext } from '../lib/context';
import { benchEvent } from '../lib/events';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';

const SEEK = 'bench:volume:seek';
const IMPORTED = 'bench:volume:imported';
const BASE_MS = Date.UTC(2026, 0, 1);
const STEP_MS = 10;
const SEEKS = 50;
const PAGE = 50;

async function loadTimed(ctx: BenchContext, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10_000) {
    const p = ctx.raw.pipeline();
    for (let j = i; j < Math.min(n, i + 10_000); j++) p.xadd(SEEK, `${BASE_MS + j * STEP_MS}-0`, 'event', JSON.stringify(benchEvent(j)));
    await p.exec();
  }
}

export async function volumeCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = process.env.UCORE_BENCH_SEEK_10M === '1' ? 10_000_000 : 1_000_000;
  await ctx.flush();
  const loadMs = await timed(() => loadTimed(ctx, n));
  const redisMemory = (await ctx.raw.info('memory')).match(/used_memory_human:(\S+)/)?.[1] ?? '?';
  ctx.log(`volume: ${n.toLocaleString('en-US')} entries loaded in ${(loadMs / 1000).toFixed(1)} s; redis-server used_memory ${redisMemory}`);
  const common = { runs: ctx.runs, slices: 1, redisPid: ctx.redisPid };
  const out: CaseResult[] = [];

  // Seek: 50 random times per run, the page of 50 from each (ours: pageAt, which also asks whether anything is older).
  let seed = 7;
  const times = () => Array.from({ length: SEEKS }, () => { seed = (seed * 16807) % 2147483647; return BASE_MS + Math.floor((seed / 2147483647) * n) * STEP_MS; });
  const rssBefore = process.memoryUsage().rss;
  const seekTimes = await measurePairs({
    ...common,
    warmup: async () => { for (const t of times().slice(0, 5)) await pageAt(ctx.transport, SEEK, new Date(t), PAGE); },
    baseline: () => timed(async () => { for (const t of times()) await ctx.raw.xrange(SEEK, `${t}-0`, '+', 'COUNT', PAGE); }),
    ours: () => timed(async () => { for (const t of times()) await pageAt(ctx.transport, SEEK, new Date(t), PAGE); }),
  });
  out.push(caseResult({
    id: 'seek-time', title: `seek to a time, first page of ${PAGE} (${SEEKS} seeks per run)`, size: `${n.toLocaleString('en-US')} entries`, times: seekTimes, baselineLabel: 'raw XRANGE <ms>-0 + COUNT 50',
    notes: [`per seek: ${(median(seekTimes.oursMs) / SEEKS).toFixed(2)} ms (goal < 100 ms on 10,000,000); rss ${(rssBefore / 2 ** 20).toFixed(0)} → ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`],
  }));

  // Export: the first m entries to an NDJSON file; baseline: XRANGE pages written as JSON lines.
  const m = ctx.quick ? 200_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'ucore-bench-volume-'));
  const file = join(dir, 'export.ndjson');
  const end = `${BASE_MS + (m - 1) * STEP_MS}-0`;
  const exportTimes = await measurePairs({
    ...common,
    baseline: () => timed(async () => {
      const fh = await open(join(dir, 'raw.ndjson'), 'w');
      let from = '-';
      for (;;) {
        const page = (await ctx.raw.xrange(SEEK, from, end, 'COUNT', 1000)) as Array<[string, string[]]>;
        if (page.length === 0) break;
        await fh.write(page.map(([id, f]) => JSON.stringify({ t: 0, kind: 'stream', stream: SEEK, id, event: JSON.parse(f[1]) })).join('\n') + '\n');
        if (page.length < 1000) break;
        from = `(${page[page.length - 1][0]}`;
      }
      await fh.close();
    }),
    ours: () => timed(async () => {
      const sink = fileSink(file);
      const r = await exportEntries(ctx.transport, { stream: SEEK, end }, sink);
      await sink.close();
      if (r.written !== m) throw new Error(`exported ${r.written} of ${m}`);
    }),
  });
  out.push(caseResult({ id: 'export', title: 'export a range to an NDJSON file', count: m, times: exportTimes, baselineLabel: 'raw XRANGE pages + JSON lines to a file', notes: ['goal ≥ 100,000 entries/s'] }));

  // Import: that file into a stream; baseline: the same texts by pipelined XADD of 500.
  const texts = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.stringify((JSON.parse(l) as { event: unknown }).event));
  const importTimes = await measurePairs({
    ...common,
    reset: async () => { await ctx.raw.del(IMPORTED); },
    baseline: () => timed(async () => {
      await ctx.raw.del(IMPORTED);
      for (let i = 0; i < texts.length; i += 500) {
        const p = ctx.raw.pipeline();
        for (const t of texts.slice(i, i + 500)) p.xadd(IMPORTED, '*', 'event', t);
        await p.exec();
      }
    }),
    ours: () => timed(async () => {
      await ctx.raw.del(IMPORTED);
      const r = await importFixture(file, ctx.transport, { target: { kind: 'stream', name: IMPORTED } });
      if (r.sent !== m) throw new Error(`imported ${r.sent} of ${m}`);
    }),
  });
  out.push(caseResult({ id: 'import', title: 'import an NDJSON file into a stream', count: m, times: importTimes, baselineLabel: 'raw pipelined XADD (batches of 500, texts in memory)', goal: 0.6, notes: ['ours reads and parses the file as it goes; the baseline has the texts in memory already'] }));
  rmSync(dir, { recursive: true, force: true });
  await ctx.flush();
  return out;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

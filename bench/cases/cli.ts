// The CLI at the core's speed, process start included: `node dist/cli.js` spawned and timed from spawn to exit, against
// the raw ioredis loop an app would write in a process that is already running (reading the same NDJSON file).
//   cli-append   `ucore store append --file` (store with indexes, exactly-once producer check) vs pipelined XADD
//   cli-replay   `ucore replay --since … --stream src --to-stream dst` vs XRANGE pages + pipelined XADD
//   cli-publish  `ucore publish ch --file` vs pipelined PUBLISH
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/e2e/lib/paths';
import type { BenchContext } from '../lib/context';
import { benchEvent } from '../lib/events';
import { measurePairs, type PairTimes, timed } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';
import { loadStream, rawReplay } from './replay';

const LINES = 100_000;
const BATCH = 1000;
const CHANNEL = 'bench:cli';
const SRC = 'bench:replay:src';
const DST = 'bench:replay:dst';
const CLI = join(REPO_ROOT, 'dist', 'cli.js');

/** `node dist/cli.js …args --url <server>`: ms from spawn to exit; fails on a non-zero exit. */
function cli(ctx: BenchContext, args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--url', ctx.server.url], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, UCORE_REDIS_URL: '' } });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`ucore ${args.join(' ')} exited with ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

/** The file's lines as an app reads them (the CLI reads the same file). */
function fileLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
}

/** CPU figures of the parent alone say nothing of a child's work: left out. */
function wallOnly(t: PairTimes): PairTimes {
  return { ...t, baselineCpuMs: [], oursCpuMs: [] };
}

export async function cliCase(ctx: BenchContext): Promise<CaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ucore-bench-cli-'));
  const file = join(dir, 'events.ndjson');
  const common = { runs: ctx.runs, redisPid: ctx.redisPid };
  try {
    writeFileSync(file, Array.from({ length: LINES }, (_, i) => `${JSON.stringify(benchEvent(i))}\n`).join(''));

    const rawPipelined = (send: (p: ReturnType<BenchContext['raw']['pipeline']>, line: string) => void) => timed(async () => {
      const lines = fileLines(file);
      for (let i = 0; i < lines.length; i += BATCH) {
        const p = ctx.raw.pipeline();
        for (let j = i; j < Math.min(lines.length, i + BATCH); j++) send(p, lines[j]);
        await p.exec();
      }
    });

    const append = await measurePairs({
      ...common,
      reset: () => ctx.flush(),
      warmup: async () => { await cli(ctx, ['store', 'append', '--file', file]); },
      baseline: () => rawPipelined((p, line) => p.xadd('event_store', '*', 'event', line)),
      ours: () => cli(ctx, ['store', 'append', '--file', file]),
    });

    const publish = await measurePairs({
      ...common,
      warmup: async () => { await cli(ctx, ['publish', CHANNEL, '--file', file]); },
      baseline: () => rawPipelined((p, line) => p.publish(CHANNEL, line)),
      ours: () => cli(ctx, ['publish', CHANNEL, '--file', file]),
    });

    await ctx.flush();
    const loadStarted = new Date(Date.now() - 60_000).toISOString();
    await loadStream(ctx, SRC, LINES);
    const replayArgs = ['replay', '--stream', SRC, '--since', loadStarted, '--to-stream', DST];
    const replay = await measurePairs({
      ...common,
      reset: async () => { await ctx.raw.del(DST); },
      warmup: async () => { await cli(ctx, replayArgs); },
      baseline: () => rawReplay(ctx, 'stream'),
      ours: async () => {
        const ms = await cli(ctx, replayArgs);
        const n = await ctx.raw.xlen(DST);
        if (n !== LINES) throw new Error(`ucore replay wrote ${n} of ${LINES} entries`);
        return ms;
      },
    });
    await ctx.flush();

    const size = `${LINES.toLocaleString('en-US')} events`;
    const start = 'process start included: `node dist/cli.js` spawned and timed until it exits';
    return [
      caseResult({
        id: 'cli-append', title: 'CLI: ucore store append --file', count: LINES, size, times: wallOnly(append),
        baselineLabel: 'raw XADD, pipelined (in process)', goal: 0.7,
        notes: [`${start}; ours stores with the entity and type indexes and the producer check (exactly once); baseline: the file's lines read and XADDed in pipelines of 1000`],
      }),
      caseResult({
        id: 'cli-replay', title: 'CLI: ucore replay --since … --to-stream', count: LINES, size, times: wallOnly(replay),
        baselineLabel: 'raw XRANGE pages + pipelined XADD (in process)', goal: 0.85,
        notes: [`${start}; a 100,000-event stream (not the store) to another stream, every event inside the time range`],
      }),
      caseResult({
        id: 'cli-publish', title: 'CLI: ucore publish --file', count: LINES, size, times: wallOnly(publish),
        baselineLabel: 'raw PUBLISH, pipelined (in process)', goal: 0.9,
        notes: [`${start}; baseline: the file's lines read and PUBLISHed in pipelines of 1000`],
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npm run bench [-- --quick] [-- --runs N] [-- --only publish,append,...]`
// Starts a private redis-server (free port, persistence off), runs every case at least 3 times as baseline/ours
// pairs, prints a table, and writes bench/results/latest.json (full run) or latest-quick.json (--quick) plus, for a
// full run, bench/results/README-performance.md (the README's Performance section). Figures, not timed tests:
// the exit code is 0 when goals are missed (they are listed), 1 only when a case could not run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { appendCase } from './cases/append';
import { cliCase } from './cases/cli';
import { dedupCase } from './cases/dedup';
import { embeddedCase } from './cases/embedded';
import { entityQueryCase } from './cases/entity-query';
import { extensionCase } from './cases/extension';
import { flowsCase } from './cases/flows';
import { flowsLiveCase } from './cases/flows-live';
import { monitorCase } from './cases/monitor';
import { publishCase } from './cases/publish';
import { replayCase } from './cases/replay';
import { searchCase } from './cases/search';
import { streamsTreeCase } from './cases/streams-tree';
import { volumeCase } from './cases/volume';
import { parseBenchArgs } from './lib/args';
import { closeContext, createContext, type BenchContext } from './lib/context';
import { gitDescribe, versionOf } from './lib/machine';
import { performanceSection } from './lib/readme';
import { textTable, type CaseResult } from './lib/report';
import { REPO_ROOT } from '../test/e2e/lib/paths';

const CASES: Array<[name: string, run: (ctx: BenchContext) => Promise<CaseResult[]>]> = [
  ['publish', publishCase],
  ['append', appendCase],
  ['entity', entityQueryCase],
  ['replay', replayCase],
  ['search', searchCase],
  ['flows', flowsCase],
  ['flows-live', flowsLiveCase],
  ['volume', volumeCase],
  ['streams-tree', streamsTreeCase],
  ['dedup', dedupCase],
  ['cli', cliCase],
  ['monitor', monitorCase],
  ['embedded', embeddedCase],
  ['extension', extensionCase],
];

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), CASES.map(([n]) => n), 'npm run bench');
  const started = performance.now();
  const log = (m: string) => console.log(`[bench] ${m}`);
  if (!(globalThis as { gc?: unknown }).gc) log('note: run with node --expose-gc for steadier figures (npm run bench does)');
  const ctx = await createContext({ quick: args.quick, runs: args.runs, log });
  const redisVersion = (await ctx.raw.info('server')).match(/redis_version:(\S+)/)?.[1] ?? 'unknown';
  log(`${args.quick ? 'quick' : 'full'} run, ${args.runs} runs per case, redis-server ${redisVersion} on port ${ctx.server.port}`);
  const results: CaseResult[] = [];
  const failures: Array<{ case: string; error: string }> = [];
  try {
    for (const [name, run] of CASES) {
      if (args.only && !args.only.includes(name)) continue;
      const t = performance.now();
      log(`${name}…`);
      try {
        const r = await run(ctx);
        results.push(...r);
        log(`${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
      } catch (e) {
        const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
        failures.push({ case: name, error });
        log(`${name} FAILED: ${error}`);
        await ctx.flush().catch(() => undefined);
      }
    }
  } finally {
    await closeContext(ctx);
  }

  const durationSeconds = Math.round((performance.now() - started) / 100) / 10;
  const missed = results.filter((r) => r.met === false).map((r) => r.id);
  const report = {
    generatedAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    runsPerCase: args.runs,
    durationSeconds,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      redisServer: redisVersion,
      ioredis: versionOf('ioredis'),
      platform: `${process.platform}-${process.arch}`,
    },
    git: gitDescribe(),
    method: 'each case: one warm-up, then N runs of baseline and ours back to back (order alternating) on the same private redis-server, reset to the same state before each side; ratio per pair = baseline time ÷ our time (> 1: ours faster)',
    results,
    goalsMissed: missed,
    failures,
  };

  console.log('');
  console.log(textTable(results));
  console.log('');
  for (const r of results) for (const n of r.notes) console.log(`  ${r.id}: ${n}`);
  console.log('');
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // Only a full run of every case replaces the committed latest.json.
  const jsonFile = join(dir, args.quick ? 'latest-quick.json' : args.only ? 'latest-partial.json' : 'latest.json');
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${jsonFile}`);
  if (!args.quick && !args.only) {
    const md = join(dir, 'README-performance.md');
    writeFileSync(md, performanceSection(report));
    log(`wrote ${md}`);
  }
  log(`${durationSeconds} s; goals missed: ${missed.length ? missed.join(', ') : 'none'}${failures.length ? `; FAILED: ${failures.map((f) => f.case).join(', ')}` : ''}`);
  return failures.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

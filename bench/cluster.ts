// `npm run bench:cluster [-- --quick] [-- --runs N] [-- --only publish,append,replay]`
// Starts a 3-master Redis Cluster and one redis-server side by side (free loopback ports, persistence off), runs
// publish, store append and replay on both with our core and with raw ioredis, prints a table, and writes
// bench/results/cluster-latest.json (full run), cluster-latest-quick.json (--quick) or cluster-latest-partial.json
// (--only), plus, for a full run, bench/results/README-cluster.md (the README's section). Every node shares this
// machine's cores, so this measures what a cluster costs per event, not how it scales. Figures, not timed tests:
// the exit code is 1 only when a case could not run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendCase } from './cases-cluster/append';
import type { ClusterBenchContext } from './cases-cluster/context';
import { startCluster, startSingle, type Deployment } from './cases-cluster/deployments';
import { parseBenchArgs } from './lib/args';
import { describeMachine, gitDescribe, oneMinuteLoad } from './lib/machine';
import { publishCase } from './cases-cluster/publish';
import { clusterSection, sharedCoresNote } from './cases-cluster/readme';
import { replayCase } from './cases-cluster/replay';
import { clusterTextTable, cpuLines, type ClusterCaseResult } from './cases-cluster/report';
import { REPO_ROOT } from '../test/e2e/lib/paths';

const CASES: Array<[name: string, run: (ctx: ClusterBenchContext) => Promise<ClusterCaseResult[]>]> = [
  ['publish', publishCase],
  ['append', appendCase],
  ['replay', replayCase],
];

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2), CASES.map(([n]) => n), 'npm run bench:cluster');
  const started = performance.now();
  const loadAtStart = oneMinuteLoad();
  const log = (m: string) => console.log(`[bench:cluster] ${m}`);
  if (!(globalThis as { gc?: unknown }).gc) log('note: run with node --expose-gc for steadier figures (npm run bench:cluster does)');

  const deployments: Deployment[] = [];
  const results: ClusterCaseResult[] = [];
  const failures: Array<{ case: string; error: string }> = [];
  let redisVersion = 'unknown';
  const slices = args.quick ? 4 : 10;
  try {
    const single = await startSingle();
    deployments.push(single);
    const t = performance.now();
    const cluster = await startCluster();
    deployments.push(cluster);
    redisVersion = await single.version();
    log(`${args.quick ? 'quick' : 'full'} run, ${args.runs} runs per case, redis-server ${redisVersion}: ${single.describe()}; cluster of ${cluster.describe()} (up in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
    log(`note: ${sharedCoresNote(describeMachine(redisVersion, loadAtStart).cpus)}; load average now ${loadAtStart}`);
    const ctx: ClusterBenchContext = { quick: args.quick, runs: args.runs, slices, single, cluster, log };
    for (const [name, run] of CASES) {
      if (args.only && !args.only.includes(name)) continue;
      const caseStarted = performance.now();
      log(`${name}…`);
      try {
        results.push(...(await run(ctx)));
        log(`${name}: ${((performance.now() - caseStarted) / 1000).toFixed(1)} s`);
      } catch (e) {
        const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
        failures.push({ case: name, error });
        log(`${name} FAILED: ${error}`);
        await Promise.allSettled([single.flush(), cluster.flush()]);
      }
    }
  } finally {
    // Every redis-server this started goes, whatever failed (they would also die with this process).
    await Promise.allSettled(deployments.map((d) => d.close()));
  }

  const durationSeconds = Math.round((performance.now() - started) / 100) / 10;
  const machine = describeMachine(redisVersion, loadAtStart);
  const report = {
    generatedAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    runsPerCase: args.runs,
    slices,
    durationSeconds,
    machine,
    git: gitDescribe(),
    note: sharedCoresNote(machine.cpus),
    deployments: {
      single: 'one redis-server, persistence off',
      cluster: '3 masters, no replicas, persistence off (redis-server --cluster-enabled yes, redis-cli --cluster create)',
    },
    method: 'four sides per case (ours and raw ioredis, each on one server and on the cluster); each run is cut into slices, each slice runs the four sides back to back in a rotating order; one warm-up, then N runs; ratios taken run by run (rates: above 1× the first named is faster); CPU = this process + the side\'s redis-servers',
    results,
    failures,
  };

  if (results.length) {
    console.log('');
    console.log(clusterTextTable(results));
    console.log('');
    for (const line of cpuLines(results)) console.log(`  ${line}`);
    for (const r of results) for (const n of r.notes) console.log(`  ${r.id}: ${n}`);
    console.log('');
    console.log(`  NOTE: ${report.note}.`);
    console.log('');
  }
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // Only a full run of every case replaces the committed cluster-latest.json and the README section.
  const full = !args.quick && !args.only;
  const jsonFile = join(dir, args.quick ? 'cluster-latest-quick.json' : args.only ? 'cluster-latest-partial.json' : 'cluster-latest.json');
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${jsonFile}`);
  if (full && failures.length === 0) {
    const md = join(dir, 'README-cluster.md');
    writeFileSync(md, clusterSection(report));
    log(`wrote ${md}`);
  }
  log(`${durationSeconds} s${failures.length ? `; FAILED: ${failures.map((f) => f.case).join(', ')}` : ''}`);
  return failures.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`[bench:cluster] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

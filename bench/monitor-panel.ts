// Benchmark of the live monitor panel in a real VS Code (code-server + Chromium), printed as figures, not a timed
// test. A private redis-server; code-server with the extension linked, a Redis connection to that server as the
// default, and UCORE_BENCH_STATS_FILE set so the extension host writes one line of figures a second (see
// src/extension/monitor/benchStats.ts); the monitor panel opened from the palette; then a load generator in a child
// process (bench/monitor-panel-load.ts) publishes pipelined at the target rate for the run.
//
// Prints per second and in total: events sent/s (generator) vs received/s (the extension host's monitor), UI
// updates/s (messages posted to the webview), the extension host's max event-loop delay, its heap; and whether the
// panel said so when Redis dropped the monitor's subscription (client-output-buffer-limit pubsub 32mb).
//
//   node dist/bench/monitor-panel.js [--seconds 60] [--quick] [--rate 100000 | --rate 0] [--profile [--profile-seconds 20]] [--no-panel] [--contract]
//   --quick: 10 s of load.  --profile: also a CPU profile of the extension host during the load (.cpuprofile,
//   open it in Chrome DevTools or VS Code), written to .test-artifacts/bench/.  --no-panel: a baseline with the
//   monitor counting but no panel open.  --contract: the workspace has an AsyncAPI contract for every channel of the
//   load (about one event in five breaks it), so the monitor's live contract check runs on the traffic at its default
//   rate (issue 14: event-loop delay under 100 ms, memory flat); the figures add what it checked and found.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startCodeServer, type CodeServer } from '../test/e2e/lib/code-server';
import { benchAsyncApi } from './lib/contract';
import { ARTIFACTS_DIR, REPO_ROOT } from '../test/e2e/lib/paths';
import { openWorkbench, type Workbench } from '../test/e2e/lib/workbench';
import { startRedisServer, type RedisServerHandle } from '../test/support/redis-server';
import type { BenchStatsLine } from '../src/extension/monitor/benchStats';

// The extension host's stats lines (written when UCORE_BENCH_STATS_FILE is set): one type on both sides.
type HostLine = BenchStatsLine;

interface LoadLine { t: number; sent: number; acked: number; zeroReceivers: number }
interface CanaryLine { t: number; max: number }

// An idle Node process measuring its own event-loop delay beside the extension host: on a busy 2-core machine the
// scheduler alone delays every process, and this tells those delays apart from work done in the extension host.
const CANARY = `const { monitorEventLoopDelay } = require('node:perf_hooks');
const h = monitorEventLoopDelay({ resolution: 5 }); h.enable();
setInterval(() => { console.log(JSON.stringify({ t: Date.now(), max: h.max / 1e6 })); h.reset(); }, 1000);`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
/** Baseline: the same load with the monitor running but no panel open. */
const noPanel = process.argv.includes('--no-panel');
/** The live contract check on the load's channels (a contract in the workspace). */
const withContract = process.argv.includes('--contract');
const seconds = Number(arg('seconds') ?? (quick ? 10 : 60));
const rate = Number(arg('rate') ?? 100_000);
const CONN = 'bench-redis';
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)]! : 0; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
const k = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0));
const pad = (s: string, n: number) => s.padStart(n);

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, session, ...]. */
function procStat(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) used so far by the processes of process group `pgrp`. */
function cpuSecondsOfGroup(pgrp: number): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const f = procStat(pid);
    if (f && Number(f[2]) === pgrp) total += (Number(f[11]) + Number(f[12])) / 100; // utime + stime, USER_HZ ticks
  }
  return total;
}

/** The process group of our browser: Playwright starts Chromium as a child of this process, in a group of its own. */
function browserGroup(): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const f = procStat(pid);
    if (f && Number(f[1]) === process.pid && Number(f[2]) === Number(pid)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chrom')) return Number(pid);
      } catch { /* gone */ }
    }
  }
  return -1;
}

/** CPU seconds of the process listening as redis-server on `port` (its title is "redis-server 127.0.0.1:port"). */
function redisCpuSeconds(port: number): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`:${port}`)) continue;
      const f = procStat(pid);
      if (f) return (Number(f[11]) + Number(f[12])) / 100;
    } catch { /* gone */ }
  }
  return 0;
}

/** Busy share of all cores since the previous call, from /proc/stat. */
function machineBusy(): () => number {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3]! + f[4]!;
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const start = read();
  return () => {
    const now = read();
    return 1 - (now.idle - start.idle) / Math.max(1, now.total - start.total);
  };
}

/** The load's events as a contract: every channel and type; `total_price` above 60 breaks it (about one event in five). */
function loadContract(): string {
  const channels = { orders: ['order_created', 'order_paid'], payments: ['payment_processed'], users: ['user_login'], inventory: ['inventory_low'] };
  return benchAsyncApi('monitor-panel bench', channels, {
    entityPattern: '^order:[0-9]+$',
    userIdType: 'integer',
    data: `          type: object
          required: [order_id, total_price]
          properties:
            order_id: { type: integer, minimum: 0 }
            total_price: { type: number, exclusiveMinimum: 0, maximum: 60 }`,
  });
}

function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

async function main(): Promise<void> {
  const outDir = join(ARTIFACTS_DIR, 'bench');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const statsFile = join(outDir, `monitor-panel-${stamp}.jsonl`);
  const profileFile = join(outDir, `monitor-panel-${stamp}.cpuprofile`);
  let redis: RedisServerHandle | undefined;
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  const t0 = Date.now();
  const log = (m: string) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}`);
  try {
    redis = await startRedisServer();
    const limit = (await redisConfig(redis.port, 'client-output-buffer-limit')).replace(/\s+/g, ' ');
    log(`redis-server on ${redis.port} (client-output-buffer-limit ${limit})`);
    const env: Record<string, string> = { UCORE_BENCH_STATS_FILE: statsFile };
    if (profile) {
      env.UCORE_BENCH_PROFILE_FILE = profileFile;
      env.UCORE_BENCH_PROFILE_SECONDS = arg('profile-seconds') ?? String(Math.min(seconds, 20));
      // Activation + opening the panel take ~10-15 s here; the load starts right after.
      env.UCORE_BENCH_PROFILE_DELAY_SECONDS = '18';
    }
    server = await startCodeServer({
      env, settings: { 'ucore.connections': [{ name: CONN, url: redis.url }], 'ucore.defaultConnection': CONN },
      ...(withContract ? { files: { 'asyncapi.yaml': loadContract() } } : {}),
    });
    wb = await openWorkbench(server.url, server.workspace);
    log('workbench up');
    const statusBar = wb.page.locator('.part.statusbar');
    for (let i = 0; i < 150 && !/bench-redis/.test(await statusBar.innerText()); i++) await sleep(200);
    const frame = wb.webviewFrame();
    if (!noPanel) {
      await wb.runCommand('UCore: Open Live Monitor');
      await frame.locator('h1', { hasText: 'Live Monitor' }).waitFor({ state: 'visible', timeout: 60_000 });
      for (let i = 0; i < 100 && !/bench-redis · ready/.test(await frame.locator('body').innerText()); i++) await sleep(200);
      log('monitor panel open and ready');
    } else {
      log('no panel (baseline)');
    }
    const waitForLines = async (n: number) => { for (let i = 0; i < 100 && readLines<HostLine>(statsFile).length < n; i++) await sleep(100); };
    await waitForLines(3);
    await sleep(3000);
    if (withContract) {
      // The check binds once the contracts are read: wait until the host reports it (a line with contract totals).
      for (let i = 0; i < 100 && !readLines<HostLine>(statsFile).at(-1)?.contracts; i++) await sleep(200);
      log(readLines<HostLine>(statsFile).at(-1)?.contracts ? 'live contract check running' : 'the live contract check did NOT start (no totals in the host figures)');
    }
    // The heap's floor: a full GC forced in the extension host (through its inspector) before and after the load.
    const forcedGcHeap = async (): Promise<number | undefined> => {
      const seen = readLines<HostLine>(statsFile).length;
      writeFileSync(`${statsFile}.gc`, '');
      for (let i = 0; i < 100; i++) {
        const got = readLines<HostLine>(statsFile).slice(seen).find((l) => l.heapAfterForcedGc !== undefined);
        if (got) return got.heapAfterForcedGc;
        await sleep(100);
      }
      return undefined;
    };
    const floorBefore = await forcedGcHeap();
    await sleep(1500);
    const before = readLines<HostLine>(statsFile);
    const startLine = before[before.length - 1]!;

    log(`load: ${rate > 0 ? `${k(rate)} events/s target` : 'as fast as possible'} for ${seconds} s`);
    const canaryLines: CanaryLine[] = [];
    const canary = spawn(process.execPath, ['-e', CANARY], { stdio: ['ignore', 'pipe', 'ignore'] });
    canary.stdout.on('data', (d) => { for (const l of String(d).split('\n')) if (l.trim()) canaryLines.push(JSON.parse(l) as CanaryLine); });
    const loadLines: LoadLine[] = [];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'bench', 'monitor-panel-load.js'), '--port', String(redis.port), '--seconds', String(seconds), '--rate', String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += String(d);
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) loadLines.push(JSON.parse(line) as LoadLine);
      }
    });
    const loadStart = Date.now();
    const busy = machineBusy();
    const browserPgrp = browserGroup();
    const chromiumCpu0 = cpuSecondsOfGroup(browserPgrp);
    const serverCpu0 = cpuSecondsOfGroup(server.pid);
    const redisCpu0 = redisCpuSeconds(redis.port);
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    const loadEnd = Date.now();
    const machine = busy();
    const loadSec = (loadEnd - loadStart) / 1000;
    const chromiumPct = (100 * (cpuSecondsOfGroup(browserPgrp) - chromiumCpu0)) / loadSec;
    const serverPct = (100 * (cpuSecondsOfGroup(server.pid) - serverCpu0)) / loadSec;
    const redisPct = (100 * (redisCpuSeconds(redis.port) - redisCpu0)) / loadSec;
    canary.kill();
    if (code !== 0) throw new Error(`the load generator exited with ${code}`);
    log('load done; letting the monitor drain');
    await sleep(5000);
    const lines = readLines<HostLine>(statsFile);
    const floorAfter = await forcedGcHeap();
    const panelText = noPanel ? '' : await frame.locator('body').innerText().catch(() => '');
    await wb.screenshot('bench-monitor-panel');

    // ---- per-second table ----
    const during = lines.filter((l) => l.at > loadStart && l.at <= loadEnd + 1000);
    console.log(`\n  second   sent/s   recv/s   ui/s  maxLoop ms  p50 ms  p99 ms  canary ms  heap MB  after full GC  GC pause ms${withContract ? '  checked/s  viol/s' : ''}  status`);
    const canaryAt = (at: number) => canaryLines.find((c) => Math.abs(c.t - at) <= 500)?.max;
    let prev = startLine;
    let prevSent = 0;
    const loadAt = (at: number) => {
      let last: LoadLine | undefined;
      for (const l of loadLines) if (l.t <= at) last = l;
      return last?.sent ?? 0;
    };
    for (const l of during) {
      const sentNow = loadAt(l.at);
      const dt = (l.at - prev.at) / 1000 || 1;
      console.log(`  ${pad(((l.at - loadStart) / 1000).toFixed(0), 6)} ${pad(k((sentNow - prevSent) / dt), 8)} ${pad(k((l.received - prev.received) / dt), 8)} `
        + `${pad(((l.uiUpdates - prev.uiUpdates) / dt).toFixed(1), 6)} ${pad(l.maxLoopDelayMs.toFixed(1), 11)} ${pad(l.p50LoopDelayMs?.toFixed(1) ?? '–', 7)} ${pad(l.p99LoopDelayMs.toFixed(1), 7)} `
        + `${pad(canaryAt(l.at)?.toFixed(1) ?? '–', 10)} ${pad(mb(l.heapUsed), 8)} ${pad(l.heapAfterMajorGc === null ? '–' : mb(l.heapAfterMajorGc), 14)}`
        + ` ${pad(`${l.maxGcPauseMs.toFixed(1)}${l.majorGcs ? ' (full)' : ''}`, 12)}`
        + `${withContract ? ` ${pad(k(((l.contracts?.checked ?? 0) - (prev.contracts?.checked ?? 0)) / dt), 10)} ${pad(k(((l.contracts?.violating ?? 0) - (prev.contracts?.violating ?? 0)) / dt), 7)}` : ''}`
        + `  ${l.status}${l.gaps ? ` gaps=${l.gaps}` : ''}`);
      prev = l;
      prevSent = sentNow;
    }

    // ---- totals ----
    const lastLoad = loadLines[loadLines.length - 1]!;
    const endLine = lines[lines.length - 1]!;
    const loadSeconds = (loadEnd - loadStart) / 1000;
    const received = endLine.received - startLine.received;
    const lastDuring = during[during.length - 1] ?? endLine;
    const uiUpdates = lastDuring.uiUpdates - startLine.uiUpdates;
    const uiSeconds = Math.max(1, (lastDuring.at - startLine.at) / 1000);
    const maxLoop = Math.max(...during.map((l) => l.maxLoopDelayMs));
    const maxUiPerSecond = Math.max(...during.map((l, i) => l.uiUpdates - (i ? during[i - 1]!.uiUpdates : startLine.uiUpdates)));
    const gaps = endLine.gaps - startLine.gaps;
    const floors = during.filter((l) => l.majorGcs > 0 && l.heapAfterMajorGc !== null).map((l) => l.heapAfterMajorGc!);
    const canaryMax = Math.max(0, ...canaryLines.filter((c) => c.t > loadStart && c.t <= loadEnd + 1000).map((c) => c.max));
    const over = during.filter((l) => l.maxLoopDelayMs > 100);
    const overAlone = over.filter((l) => (canaryAt(l.at) ?? 0) <= 100);
    const loadAvg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const firstHeaps = during.slice(0, 10).map((l) => l.heapUsed);
    const lastHeaps = during.slice(-10).map((l) => l.heapUsed);
    const saidSo = /subscription was lost/.test(panelText);
    const p50s = during.map((l) => l.p50LoopDelayMs).filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
    const c0 = startLine.contracts;
    const c1 = endLine.contracts;
    const contractLine = !withContract ? '' : !c1 ? '\n  contracts           the live check did NOT run (no totals in the host figures)'
      : `\n  contracts           ${k(((c1.checked - (c0?.checked ?? 0))) / loadSeconds)} events/s checked of ${k((c1.covered - (c0?.covered ?? 0)) / loadSeconds)}/s on contract channels `
        + `(${(100 * (c1.checked - (c0?.checked ?? 0)) / Math.max(1, c1.covered - (c0?.covered ?? 0))).toFixed(1)} % checked, default rate), ${c1.violating - (c0?.violating ?? 0)} violating`;
    console.log(`
  load                ${k(lastLoad.sent / loadSeconds)} events/s sent for ${loadSeconds.toFixed(1)} s (${lastLoad.sent} events; ${lastLoad.zeroReceivers} PUBLISH replies of 0 receivers)
  received            ${k(received / loadSeconds)} events/s counted by the extension host's monitor (${received} events, ${(100 * received / Math.max(1, lastLoad.sent)).toFixed(1)} % of sent)
  CPU (% of one core) extension host ${avg(during.map((l) => l.cpuPercent)).toFixed(0)} % (of code-server's ${serverPct.toFixed(0)} % in all), Chromium ${browserPgrp > 0 ? `${chromiumPct.toFixed(0)} %` : '?'}, redis-server ${redisPct.toFixed(0)} %; the machine ${(machine * 100).toFixed(0)} % busy (${cpus().length} cores, every process)
  UI updates          ${(uiUpdates / uiSeconds).toFixed(1)}/s on average, ${maxUiPerSecond} in the busiest second (limit 10/s)
  event-loop delay    max ${maxLoop.toFixed(1)} ms over the run (goal: never over 100 ms); p99 per second up to ${Math.max(...during.map((l) => l.p99LoopDelayMs)).toFixed(1)} ms, median of the seconds' p99 ${median(during.map((l) => l.p99LoopDelayMs)).toFixed(1)} ms; p50 per second median ${p50s.length ? median(p50s).toFixed(1) : '–'} ms;
                      ${over.length} of ${during.length} seconds over 100 ms, ${overAlone.length} of them while an idle canary process stayed under 100 ms (canary max ${canaryMax.toFixed(1)} ms; load average ${loadAvg})
  heap                ${mb(startLine.heapUsed)} MB before the load; first 10 s ${mb(Math.min(...firstHeaps))}–${mb(Math.max(...firstHeaps))} MB, last 10 s ${mb(Math.min(...lastHeaps))}–${mb(Math.max(...lastHeaps))} MB; ${mb(endLine.heapUsed)} MB 5 s after
                      after each full GC during the load: ${floors.length ? floors.map((f) => mb(f)).join(', ') : 'none happened'} MB (the floor: flat = no leak)
                      after a full GC forced before the load ${floorBefore === undefined ? '?' : mb(floorBefore)} MB, after it ${floorAfter === undefined ? '?' : mb(floorAfter)} MB
  RSS                 ${mb(startLine.rss)} MB before the load; first 10 s ${mb(Math.min(...during.slice(0, 10).map((l) => l.rss)))}–${mb(Math.max(...during.slice(0, 10).map((l) => l.rss)))} MB, last 10 s ${mb(Math.min(...during.slice(-10).map((l) => l.rss)))}–${mb(Math.max(...during.slice(-10).map((l) => l.rss)))} MB; ${mb(endLine.rss)} MB 5 s after${contractLine}
  subscription lost   ${gaps} time(s)${gaps ? `; the panel ${saidSo ? 'SAYS SO' : 'does NOT say so'}` : ''}
  figures             ${statsFile}${profile ? `\n  CPU profile         ${profileFile}` : ''}
  screenshot          ${join(ARTIFACTS_DIR, 'screenshots', 'bench-monitor-panel.png')}`);
    console.log(`
  goal: max event-loop delay <= 100 ms ......... ${maxLoop <= 100 ? 'met' : overAlone.length === 0 ? 'missed only when the whole machine stalled (see canary)' : 'MISSED'}
  goal: UI updates <= 10/s ..................... ${maxUiPerSecond <= 11 ? 'met' : 'MISSED'}
  goal: received close to sent ................. ${received >= 0.95 * lastLoad.sent ? 'met' : gaps ? 'missed, and the panel says why' : 'MISSED'}
  goal: a lost subscription is shown ........... ${gaps === 0 ? 'not exercised (no drop)' : saidSo ? 'met' : 'MISSED'}`);
  } finally {
    await wb?.close();
    await server?.stop();
    await redis?.stop();
  }
}

function redisConfig(port: number, key: string): Promise<string> {
  return new Promise((resolve) => {
    const c = spawn('redis-cli', ['-p', String(port), '--raw', 'CONFIG', 'GET', key], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    c.stdout.on('data', (d) => { out += String(d); });
    c.once('exit', () => resolve(out.split('\n').slice(1).join(' ').trim()));
    c.once('error', () => resolve('?'));
  });
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : String(e));
  process.exit(1);
});

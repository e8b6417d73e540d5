// Figures for bench/monitor-panel.ts, written only when the environment names a file (the extension host inherits
// code-server's environment): one JSON line a second with the events the monitor counted, the updates posted to
// the panel, the extension host's longest event-loop delay over that second, and its heap. With
// UCORE_BENCH_PROFILE_FILE also a CPU profile of the extension host (inspector session) over
// UCORE_BENCH_PROFILE_SECONDS (default 20) from activation, to find where the time goes when a goal is missed.
import { appendFileSync, existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type * as vscode from 'vscode';
import { describeError, type Logger } from '../../core/index';
import type { LiveMonitor } from './liveMonitor';
import type { MonitorPanelManager } from './monitorPanelManager';

export interface BenchStatsLine {
  /** ms since the epoch. */
  at: number;
  /** Events counted by the monitor since it started (cumulative). */
  received: number;
  /** `update` messages posted to the panel since activation (cumulative). */
  uiUpdates: number;
  maxLoopDelayMs: number;
  p50LoopDelayMs: number;
  p99LoopDelayMs: number;
  heapUsed: number;
  /** Heap used just after the latest full (mark-compact) GC: the floor, which shows a leak where heapUsed only saws. */
  heapAfterMajorGc: number | null;
  /** CPU time of the extension host over the last second, in % of one core. */
  cpuPercent: number;
  /** Full GCs and their longest pause in the last second. */
  majorGcs: number;
  maxGcPauseMs: number;
  rss: number;
  status: string;
  gaps: number;
  panelOpen: boolean;
  /**
   * Heap used after a full GC forced on request (the bench creates `<stats file>.gc`; the host deletes it, collects
   * through its inspector session and reports here once): the floor before and after a load, to tell a leak from
   * garbage V8 had no reason to collect yet.
   */
  heapAfterForcedGc?: number;
  /** The live contract check's totals (cumulative), absent while nothing is checked. */
  contracts?: { covered: number; checked: number; violating: number };
}

/** What the figures read of the live contract check (LiveContracts). */
export interface BenchContractTotals {
  totals(): { covered: number; checked: number; violating: number } | undefined;
}

export function startBenchStats(monitor: LiveMonitor, panels: MonitorPanelManager, contracts: BenchContractTotals, log: Logger, env = process.env): vscode.Disposable | undefined {
  const file = env.UCORE_BENCH_STATS_FILE;
  const profileFile = env.UCORE_BENCH_PROFILE_FILE;
  const disposables: Array<() => void> = [];
  if (file) {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    let heapAfterMajorGc: number | null = null;
    let majorGcs = 0;
    let maxGcPauseMs = 0;
    let cpu = process.cpuUsage();
    let cpuAt = performance.now();
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
          majorGcs++;
          heapAfterMajorGc = process.memoryUsage().heapUsed;
        }
        maxGcPauseMs = Math.max(maxGcPauseMs, e.duration);
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    let forcedGcHeap: number | undefined;
    let collecting = false;
    const gcRequest = `${file}.gc`;
    const forceGcWhenAsked = () => {
      if (collecting || !existsSync(gcRequest)) return;
      collecting = true;
      try { unlinkSync(gcRequest); } catch { /* asked again later */ }
      const session = new (inspector().Session)();
      session.connect();
      session.post('HeapProfiler.collectGarbage', () => {
        forcedGcHeap = process.memoryUsage().heapUsed;
        collecting = false;
        // Not from inside the session's own callback: Node 24 hangs there for good.
        setImmediate(() => session.disconnect());
      });
    };
    const timer = setInterval(() => {
      forceGcWhenAsked();
      const snap = monitor.feed.latest.snapshot; // the feed's last frame: the figures take no snapshot of their own
      const mem = process.memoryUsage();
      const used = process.cpuUsage(cpu);
      const now = performance.now();
      const cpuPercent = ((used.user + used.system) / 1000 / Math.max(1, now - cpuAt)) * 100;
      cpu = process.cpuUsage();
      cpuAt = now;
      const line: BenchStatsLine = {
        at: Date.now(),
        received: monitor.eventsSeen,
        uiUpdates: panels.totalPosted,
        maxLoopDelayMs: delay.max / 1e6,
        p50LoopDelayMs: delay.percentile(50) / 1e6,
        p99LoopDelayMs: delay.percentile(99) / 1e6,
        heapUsed: mem.heapUsed,
        cpuPercent,
        heapAfterMajorGc,
        majorGcs,
        maxGcPauseMs,
        rss: mem.rss,
        status: snap?.connection ?? 'none',
        gaps: snap?.gaps ?? 0,
        panelOpen: panels.current?.isReady ?? false,
        contracts: contracts.totals(),
        ...(forcedGcHeap === undefined ? {} : { heapAfterForcedGc: forcedGcHeap }),
      };
      forcedGcHeap = undefined;
      delay.reset();
      majorGcs = 0;
      maxGcPauseMs = 0;
      try {
        appendFileSync(file, `${JSON.stringify(line)}\n`);
      } catch {
        /* a benchmark aid only */
      }
    }, 1000);
    disposables.push(() => { clearInterval(timer); delay.disable(); gcObserver.disconnect(); });
    log.info(`benchmark figures go to ${file}`);
  }
  if (profileFile) {
    const seconds = Number(env.UCORE_BENCH_PROFILE_SECONDS ?? 20) || 20;
    const session = new (inspector().Session)();
    session.connect();
    const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => {
      session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result)));
    });
    const startAfter = Number(env.UCORE_BENCH_PROFILE_DELAY_SECONDS ?? 0) || 0;
    const begin = setTimeout(() => {
      void post('Profiler.enable')
        .then(() => post('Profiler.setSamplingInterval', { interval: 500 }))
        .then(() => post('Profiler.start'))
        .then(() => new Promise((r) => setTimeout(r, seconds * 1000)))
        .then(() => post('Profiler.stop'))
        .then((result) => {
          writeFileSync(profileFile, JSON.stringify((result as { profile: unknown }).profile));
          log.info(`CPU profile written to ${profileFile}`);
        })
        .catch((e) => log.warn(`CPU profile failed: ${describeError(e)}`))
        .finally(() => session.disconnect());
    }, startAfter * 1000);
    disposables.push(() => clearTimeout(begin));
  }
  if (disposables.length === 0) return undefined;
  return { dispose: () => { for (const d of disposables) d(); } };
}

/** Loaded only when a bench asks: requiring node:inspector costs ~1.5 ms, in every activation if imported (issue 13). */
function inspector(): typeof import('node:inspector') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node:inspector') as typeof import('node:inspector');
}

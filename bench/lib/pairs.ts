// Pair-by-pair measurement. The machine is shared and noisy, so no absolute figure is judged: each run measures the
// baseline and our side back to back on the same server, from the same reset state, and the ratio of that pair is
// the figure. A run can be cut into slices that alternate between the two sides (baseline, ours, ours, baseline...),
// so a change in the machine's load during the run weighs on both sides alike.
//
// Beside wall time, each side's CPU time is taken: this process plus redis-server (from /proc). Other load on the
// machine stretches wall time but hardly CPU time, so the CPU ratio is the steadier measure of work per event; the
// wall-time ratio also counts what overlaps (Node working while Redis works) and is the figure the goals are on.
import { readFileSync } from 'node:fs';
import { spread, type Spread } from './stats';

/** One timed side of a pair (or a slice of it): does its own set-up, then returns the ms of the timed work. */
export type TimedRun = (slice: number) => Promise<number>;

export interface PairOptions {
  runs: number;
  /** Alternating slices per run; each side's time for the run is the sum of its slices. @default 1 */
  slices?: number;
  /** Brings the server back to the same state before every side of every slice (delete keys, reload data...). */
  reset?: () => Promise<void>;
  /** Runs once before measuring, e.g. both sides on a small input, so neither side is measured cold. */
  warmup?: () => Promise<void>;
  baseline: TimedRun;
  ours: TimedRun;
  /** redis-server's pid, to add its CPU time to each side's. */
  redisPid?: number;
  /** A side that times the mean of several repetitions: its CPU time is divided by as many. @default 1 */
  repeats?: { baseline?: number; ours?: number };
  /** Pause before each side, after the reset and GC, so what the other side left behind (freed memory being
   *  returned, background GC) settles first. @default 0 */
  settleMs?: number;
}

export interface PairTimes {
  baselineMs: number[];
  oursMs: number[];
  /** CPU ms of this process plus redis-server during each side's slices (empty when /proc is not readable). */
  baselineCpuMs: number[];
  oursCpuMs: number[];
}

export async function measurePairs(o: PairOptions): Promise<PairTimes> {
  const slices = o.slices ?? 1;
  if (o.warmup) {
    await o.reset?.();
    await o.warmup();
  }
  const out: PairTimes = { baselineMs: [], oursMs: [], baselineCpuMs: [], oursCpuMs: [] };
  let cpuKnown = true;
  for (let r = 0; r < o.runs; r++) {
    const sum = { baseline: 0, ours: 0, baselineCpu: 0, oursCpu: 0 };
    for (let s = 0; s < slices; s++) {
      const sides: Array<['baseline' | 'ours', TimedRun]> = [['baseline', o.baseline], ['ours', o.ours]];
      if ((r * slices + s) % 2 === 1) sides.reverse();
      for (const [name, run] of sides) {
        await o.reset?.();
        collectGarbage();
        if (o.settleMs) await new Promise((r) => setTimeout(r, o.settleMs));
        const cpu0 = cpuMs(o.redisPid);
        const ms = await run(s);
        const cpu1 = cpuMs(o.redisPid);
        sum[name] += ms;
        if (cpu0 === null || cpu1 === null) cpuKnown = false;
        else sum[`${name}Cpu`] += (cpu1 - cpu0) / (o.repeats?.[name] ?? 1);
      }
    }
    out.baselineMs.push(sum.baseline);
    out.oursMs.push(sum.ours);
    out.baselineCpuMs.push(sum.baselineCpu);
    out.oursCpuMs.push(sum.oursCpu);
  }
  if (!cpuKnown) {
    out.baselineCpuMs = [];
    out.oursCpuMs = [];
  }
  return out;
}

/** Times `fn` (ms, high resolution). */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const CLOCK_TICKS_PER_S = 100;

/** CPU ms used so far by this process and, when given, by another process (utime + stime from /proc/<pid>/stat). */
export function cpuMs(otherPid?: number): number | null {
  const self = process.cpuUsage();
  let total = (self.user + self.system) / 1000;
  if (otherPid !== undefined) {
    try {
      const stat = readFileSync(`/proc/${otherPid}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start at its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
    } catch {
      return null;
    }
  }
  return total;
}

export interface RatioSummary {
  /** One ratio per pair, in run order. */
  values: number[];
  spread: Spread;
}

/** Baseline ÷ ours per pair: for times, > 1 means ours is faster (equal to ours ÷ baseline for rates). */
export function ratios(baseline: number[], ours: number[]): RatioSummary {
  const values = ours.map((v, i) => baseline[i] / v);
  return { values, spread: spread(values) };
}

export interface SidesOptions extends Omit<PairOptions, 'baseline' | 'ours' | 'repeats'> {
  /** Every side of a case, measured in each slice in rotating order (a 3-way comparison in one run). */
  sides: TimedRun[];
}

/**
 * Like measurePairs for more than two sides: each slice runs every side once, the order rotating from slice to slice
 * so no side always runs first or last. Any two sides then make a PairTimes (pairOf) measured side by side.
 */
export async function measureSides(o: SidesOptions): Promise<{ ms: number[][]; cpuMs: number[][] }> {
  const slices = o.slices ?? 1;
  const k = o.sides.length;
  if (o.warmup) {
    await o.reset?.();
    await o.warmup();
  }
  const ms = o.sides.map(() => [] as number[]);
  const cpu = o.sides.map(() => [] as number[]);
  let cpuKnown = true;
  for (let r = 0; r < o.runs; r++) {
    const sum = new Array<number>(k).fill(0);
    const sumCpu = new Array<number>(k).fill(0);
    for (let s = 0; s < slices; s++) {
      const shift = (r * slices + s) % k;
      for (let j = 0; j < k; j++) {
        const side = (j + shift) % k;
        await o.reset?.();
        collectGarbage();
        if (o.settleMs) await new Promise((res) => setTimeout(res, o.settleMs));
        const cpu0 = cpuMs(o.redisPid);
        sum[side] += await o.sides[side](s);
        const cpu1 = cpuMs(o.redisPid);
        if (cpu0 === null || cpu1 === null) cpuKnown = false;
        else sumCpu[side] += cpu1 - cpu0;
      }
    }
    for (let i = 0; i < k; i++) {
      ms[i].push(sum[i]);
      cpu[i].push(sumCpu[i]);
    }
  }
  return { ms, cpuMs: cpuKnown ? cpu : o.sides.map(() => []) };
}

/** Two sides of a measureSides run as a baseline/ours pair. */
export function pairOf(m: { ms: number[][]; cpuMs: number[][] }, baseline: number, ours: number): PairTimes {
  return { baselineMs: m.ms[baseline], oursMs: m.ms[ours], baselineCpuMs: m.cpuMs[baseline], oursCpuMs: m.cpuMs[ours] };
}

// Measures four sides of one operation in the same run: ours and raw ioredis, each on one server and on the cluster.
// As in the main benchmark (bench/lib/pairs.ts), nothing is judged on an absolute figure: each run is cut into
// slices, every slice runs all four sides back to back in a rotating order, and ratios are taken run by run, so a
// change in the machine's load weighs on every side alike. Beside wall time, CPU time is taken per side: this process
// plus the redis-servers of the side's deployment (one, or the three masters), read from /proc.
import { readFileSync } from 'node:fs';
import { collectGarbage } from '../lib/pairs';
import type { Deployment } from './deployments';

export const SIDE_IDS = ['ours-single', 'ours-cluster', 'raw-single', 'raw-cluster'] as const;
export type SideId = (typeof SIDE_IDS)[number];

/** One timed side: does its own set-up, then returns the ms of the timed work for slice `slice`. */
export type SliceRun = (slice: number) => Promise<number>;

export interface Side {
  id: SideId;
  /** Processes whose CPU time counts as this side's, beside this one. */
  pids: number[];
  /** Brings the side's deployment back to the same state before each of its slices (not timed). */
  reset?: () => Promise<void>;
  run: SliceRun;
}

export interface SideTimes {
  /** Per run: the sum of the side's slices. */
  ms: number[];
  /** Per run: CPU ms of this process + the side's redis-servers; empty when /proc could not be read. */
  cpuMs: number[];
}

export interface MeasureOptions {
  runs: number;
  slices: number;
  sides: Side[];
  /** Runs once before measuring, so no side is measured cold. */
  warmup?: () => Promise<void>;
}

export async function measureSides(o: MeasureOptions): Promise<Record<SideId, SideTimes>> {
  const out = Object.fromEntries(o.sides.map((s) => [s.id, { ms: [] as number[], cpuMs: [] as number[] }])) as Record<SideId, SideTimes>;
  await o.warmup?.();
  let cpuKnown = true;
  for (let r = 0; r < o.runs; r++) {
    const sum = new Map<SideId, { ms: number; cpu: number }>(o.sides.map((s) => [s.id, { ms: 0, cpu: 0 }]));
    for (let s = 0; s < o.slices; s++) {
      for (const side of rotation(o.sides, r * o.slices + s)) {
        await side.reset?.();
        collectGarbage();
        const cpu0 = cpuMsOf(side.pids);
        const ms = await side.run(s);
        const cpu1 = cpuMsOf(side.pids);
        const acc = sum.get(side.id)!;
        acc.ms += ms;
        if (cpu0 === null || cpu1 === null) cpuKnown = false;
        else acc.cpu += cpu1 - cpu0;
      }
    }
    for (const side of o.sides) {
      out[side.id].ms.push(sum.get(side.id)!.ms);
      out[side.id].cpuMs.push(sum.get(side.id)!.cpu);
    }
  }
  if (!cpuKnown) for (const side of o.sides) out[side.id].cpuMs = [];
  return out;
}

/**
 * The order of the sides in slice number `k`: rotated by one each slice and reversed every other round of
 * rotations, so over a run each side goes first, last and after each of the others about equally often.
 */
export function rotation<T>(items: readonly T[], k: number): T[] {
  const n = items.length;
  const start = k % n;
  const rotated = [...items.slice(start), ...items.slice(0, start)];
  return Math.floor(k / n) % 2 === 1 ? rotated.reverse() : rotated;
}

/** The four sides of an operation, from how ours and raw run it on a deployment. */
export function fourSides(
  deployments: { single: Deployment; cluster: Deployment },
  how: {
    ours: (d: Deployment, slice: number) => Promise<number>;
    raw: (d: Deployment, slice: number) => Promise<number>;
    reset?: (d: Deployment) => Promise<void>;
  },
): Side[] {
  const side = (id: SideId, d: Deployment, run: (d: Deployment, slice: number) => Promise<number>): Side => ({
    id, pids: d.pids, reset: how.reset && (() => how.reset!(d)), run: (slice) => run(d, slice),
  });
  const { single, cluster } = deployments;
  return [side('ours-single', single, how.ours), side('ours-cluster', cluster, how.ours), side('raw-single', single, how.raw), side('raw-cluster', cluster, how.raw)];
}

const CLOCK_TICKS_PER_S = 100;

/** CPU ms used so far by this process plus the given processes (utime + stime from /proc/<pid>/stat). */
export function cpuMsOf(pids: readonly number[]): number | null {
  const self = process.cpuUsage();
  let total = (self.user + self.system) / 1000;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The fields after the command name (which may contain spaces) start after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
    } catch {
      return null;
    }
  }
  return total;
}

// What every cluster case gets: both deployments, ready and empty, and the run's settings.
import type { Deployment } from './deployments';

export interface ClusterBenchContext {
  quick: boolean;
  /** Measured runs per case; each runs all four sides. */
  runs: number;
  /** Slices a run is cut into (see sides.ts): 10 in a full run, 4 in a quick one. */
  slices: number;
  single: Deployment;
  cluster: Deployment;
  log(message: string): void;
}

/** Events per slice: `n` split evenly (the cases pick sizes that divide). */
export function perSlice(ctx: ClusterBenchContext, n: number): number {
  if (n % ctx.slices !== 0) throw new Error(`${n} events do not split into ${ctx.slices} equal slices`);
  return n / ctx.slices;
}

// A group's lag history summed up for a tree row or a tooltip: a sparkline of unicode blocks, the change over the
// window, min/max/now, and the oldest pending entry's age. Pure: the CLI and the extension format the same way.
import type { LagSample } from './lag-history';

const BLOCKS = '▁▂▃▄▅▆▇█';

export interface LagTrend {
  /** One block per sample (the newest `width`), scaled between the window's min and max lag. */
  sparkline: string;
  /** Lag now minus lag at the start of the window (0 when unknown). */
  delta: number;
  /** '↑' rising, '↓' falling, '→' unchanged. */
  arrow: '↑' | '↓' | '→';
  min: number;
  max: number;
  now: number;
  /** Time the window covers, ms. */
  spanMs: number;
  samples: number;
  /** Oldest pending entry's idle time now, and the most it reached over the window (ms). */
  oldestPendingMs: number;
  maxOldestPendingMs: number;
}

/** The trend of `samples` (oldest first); null when fewer than two carry a known lag. */
export function lagTrend(samples: readonly LagSample[], width = 8): LagTrend | null {
  const known = samples.filter((s) => s.lag !== null);
  if (known.length < 2) return null;
  const lags = known.map((s) => s.lag as number);
  let min = Infinity;
  let max = -Infinity;
  for (const l of lags) { if (l < min) min = l; if (l > max) max = l; }
  const shown = lags.slice(-Math.max(1, width));
  const range = max - min;
  const sparkline = shown.map((l) => BLOCKS[range === 0 ? 0 : Math.round(((l - min) / range) * (BLOCKS.length - 1))]).join('');
  const now = lags[lags.length - 1];
  const delta = now - lags[0];
  const last = samples[samples.length - 1];
  return {
    sparkline, delta, arrow: delta > 0 ? '↑' : delta < 0 ? '↓' : '→', min, max, now,
    spanMs: Math.max(0, last.at - samples[0].at), samples: samples.length,
    oldestPendingMs: last.oldestPendingMs,
    maxOldestPendingMs: samples.reduce((m, s) => Math.max(m, s.oldestPendingMs), 0),
  };
}

/** e.g. "▁▂▅█ ↑+15": what fits in a tree row's description; a lag that never moved in the window is just "→". */
export function compactTrend(t: LagTrend): string {
  if (t.min === t.max) return '→';
  return `${t.sparkline} ${t.arrow}${t.delta > 0 ? '+' : ''}${t.delta === 0 ? '' : t.delta}`.trimEnd();
}

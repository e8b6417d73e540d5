// How often and how patiently a failed event is retried: capped exponential backoff with jitter, so a fleet of
// consumers that failed together does not retry together (the guide adds a flat random second, which still lets
// thousands of retries land in the same second once the base delay has grown).
import { BadInputError } from '../errors';

export type JitterMode = 'full' | 'equal' | 'none';

export interface RetryPolicy {
  /** Attempts in total, the first one included. @default 3 */
  maxAttempts: number;
  /** Delay before the first retry, doubled for each further one. @default 1000 */
  baseDelayMs: number;
  /** No delay grows beyond this. @default 30000 */
  maxDelayMs: number;
  /**
   * `full`: uniform in [0, delay] (spreads retries most); `equal`: delay/2 + uniform in [0, delay/2] (keeps a floor);
   * `none`: exactly the exponential delay. @default 'full'
   */
  jitter: JitterMode;
  /** Decides which errors are worth another attempt. @default isRetryable */
  retryable?: (error: unknown) => boolean;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  jitter: 'full',
});

/** Far above any sensible policy; stops a typo (1e9 attempts) from turning into a consumer that never gives up. */
const MAX_ATTEMPTS_LIMIT = 1000;

/** Fills the defaults and rejects values that would make the retry loop misbehave (negative, NaN, endless). */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (p as unknown as Record<string, unknown>)[k] = v;
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1 || p.maxAttempts > MAX_ATTEMPTS_LIMIT) {
    throw new BadInputError(`maxAttempts must be a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}, not ${p.maxAttempts}`);
  }
  if (!isNonNegativeFinite(p.baseDelayMs)) throw new BadInputError(`baseDelayMs must be a number ≥ 0, not ${p.baseDelayMs}`);
  if (!isNonNegativeFinite(p.maxDelayMs)) throw new BadInputError(`maxDelayMs must be a number ≥ 0, not ${p.maxDelayMs}`);
  if (p.jitter !== 'full' && p.jitter !== 'equal' && p.jitter !== 'none') {
    throw new BadInputError(`jitter must be 'full', 'equal' or 'none', not ${String(p.jitter)}`);
  }
  if (p.retryable !== undefined && typeof p.retryable !== 'function') throw new BadInputError('retryable must be a function');
  return p;
}

/**
 * The wait after the `attempt`-th failed attempt (1-based): min(base · 2^(attempt-1), max), then jittered.
 * Whole milliseconds. `random` must return values in [0, 1) (Math.random's contract); others are clamped.
 */
export function backoffDelay(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'jitter'>, attempt: number, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  // 2^(n-1) overflows to Infinity for huge n; Math.min then gives the cap, which is what we want.
  const capped = Math.max(0, Math.min(policy.baseDelayMs * 2 ** (n - 1), policy.maxDelayMs));
  switch (policy.jitter) {
    case 'none':
      return Math.round(capped);
    case 'equal':
      return Math.round(capped / 2 + unit(random) * (capped / 2));
    default:
      return Math.round(unit(random) * capped);
  }
}

function unit(random: () => number): number {
  const r = random();
  return Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
}

function isNonNegativeFinite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

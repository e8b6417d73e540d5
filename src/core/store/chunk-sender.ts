// Sends the chunks of one append in order with a few in flight, and rides out a lost connection: after a failure it
// waits for what is in flight, backs off, and sends again from the first chunk not confirmed. That is only safe
// because each chunk carries its producer sequence, so a chunk Redis applied before the reply was lost comes back as
// a duplicate with its first ids instead of being stored twice.
import { AbortedError, RedisCommandError, ReplicationError } from '../errors';
import { isRetryable } from '../retry/classify';
import { abortableSleep } from '../retry/sleep';

export interface ChunkRetry {
  /** Keep trying for this long after the first failure of a chunk. 0: fail at once. */
  forMs: number;
  signal?: AbortSignal;
  /** Called before each new attempt. */
  onRetry?: (info: { attempt: number; error: unknown; confirmedChunks: number; delayMs: number }) => void;
}

/** A failure after which `confirmed` leading chunks are known applied. */
export class ChunkFailure extends Error {
  constructor(readonly confirmed: number, readonly error: unknown) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/** Redis answers meaning "not now" rather than "never": a restarted server loading its data, a failover. */
const TRANSIENT_REDIS = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|BUSY )/;

export function isTransientStoreError(e: unknown): boolean {
  // Too few replicas confirmed in time (a failover in progress): the chunk is stored, and resending it only waits again.
  if (isRetryable(e) || e instanceof ReplicationError) return true;
  return e instanceof RedisCommandError && TRANSIENT_REDIS.test(e.message);
}

const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 1000;

/**
 * Runs `send(i)` for every chunk index in order, at most `window` at once; results in chunk order. Throws
 * ChunkFailure when a chunk fails for good: a non-transient error, the retry time used up, or the signal.
 */
export async function sendChunks<T>(count: number, window: number, send: (i: number) => Promise<T>, retry: ChunkRetry): Promise<T[]> {
  const results = new Array<T>(count);
  let from = 0;
  let attempt = 0;
  let deadline: number | undefined;
  for (;;) {
    const failure = await sendFrom(from, count, window, send, results);
    if (failure === undefined) return results;
    from = failure.confirmed;
    const now = Date.now();
    deadline ??= now + retry.forMs;
    if (retry.signal?.aborted) throw new ChunkFailure(from, new AbortedError());
    if (!isTransientStoreError(failure.error) || now >= deadline) throw failure;
    attempt++;
    const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 10));
    const delayMs = Math.min(deadline - now, Math.round(base / 2 + Math.random() * (base / 2)));
    retry.onRetry?.({ attempt, error: failure.error, confirmedChunks: from, delayMs });
    try {
      await abortableSleep(delayMs, retry.signal);
    } catch (e) {
      throw new ChunkFailure(from, e);
    }
  }
}

/** One pass from chunk `from`: undefined when all were confirmed, else the first failure (after in-flight ones settle). */
async function sendFrom<T>(from: number, count: number, window: number, send: (i: number) => Promise<T>, results: T[]): Promise<ChunkFailure | undefined> {
  const inFlight: Array<Promise<T>> = [];
  let next = from;
  const fill = (done: number) => {
    while (next < count && next - done < window) {
      const p = send(next);
      // Awaited in order below; after a failure the later ones are only waited for.
      p.catch(() => undefined);
      inFlight.push(p);
      next++;
    }
  };
  fill(from);
  for (let i = from; i < count; i++) {
    try {
      results[i] = await inFlight[i - from];
    } catch (error) {
      await Promise.allSettled(inFlight);
      return new ChunkFailure(i, error);
    }
    fill(i + 1);
  }
  return undefined;
}

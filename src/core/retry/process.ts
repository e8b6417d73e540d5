// The guide's ReliableEventConsumer.process_event_with_retry, done properly: the policy decides how long to wait and
// which errors are worth it, the wait can be cancelled, and an event that cannot be processed is kept in the
// dead-letter queue with the reason, instead of only being logged.
import { AbortedError, describeError } from '../errors';
import { isRetryable } from './classify';
import type { DeadLetterQueue } from './dead-letter';
import { backoffDelay, resolveRetryPolicy, type RetryPolicy } from './policy';
import { abortableSleep } from './sleep';

export interface ProcessOutcome {
  ok: boolean;
  /** Attempts made, the successful one included. */
  attempts: number;
  /** One line describing the last failure. */
  error?: string;
  deadLettered?: boolean;
  deadLetterId?: string;
  /** Set when writing to the dead-letter queue failed too: the event is then only in the caller's hands. */
  deadLetterError?: string;
}

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** How long we wait before the next one. */
  delayMs: number;
  error: unknown;
}

export interface ProcessWithRetryOptions {
  policy?: Partial<RetryPolicy>;
  /** Cancels the waits between attempts: processWithRetry then rejects with AbortedError. */
  signal?: AbortSignal;
  onRetry?(info: RetryInfo): void;
  /** Where the event goes when every attempt failed or the error is not retryable. */
  deadLetter?: DeadLetterQueue;
  /** The channel or stream the event came from, recorded with the dead letter so it can be sent back. */
  source?: string;
  /** Jitter source for the backoff. @default Math.random */
  random?: () => number;
  /** Replaces the real wait (tests). Must reject when the signal fires. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `handler` until it succeeds, the error is not retryable, or the attempts are used up.
 * Never rejects because the handler failed (the outcome says so); rejects with AbortedError when cancelled, since the
 * event was then neither processed nor dead-lettered and the caller must not acknowledge it.
 */
export async function processWithRetry<E>(
  event: E,
  handler: (event: E, attempt: number) => Promise<void>,
  options: ProcessWithRetryOptions = {},
): Promise<ProcessOutcome> {
  const policy = resolveRetryPolicy(options.policy);
  const shouldRetry = policy.retryable ?? isRetryable;
  const sleep = options.sleep ?? abortableSleep;
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new AbortedError();
    let failure: unknown;
    try {
      await handler(event, attempt);
      return { ok: true, attempts: attempt };
    } catch (error) {
      failure = error;
    }
    // A handler that failed because we were cancelled has not really failed: no retry, no dead letter.
    if (signal?.aborted) throw new AbortedError();
    if (attempt < policy.maxAttempts && safePredicate(shouldRetry, failure)) {
      const delayMs = backoffDelay(policy, attempt, options.random);
      try {
        options.onRetry?.({ attempt, delayMs, error: failure });
      } catch {
        /* an observer's failure must not change what happens to the event */
      }
      await sleep(delayMs, signal);
      continue;
    }
    return giveUp(event, failure, attempt, options);
  }
}

async function giveUp<E>(event: E, failure: unknown, attempts: number, options: ProcessWithRetryOptions): Promise<ProcessOutcome> {
  const outcome: ProcessOutcome = { ok: false, attempts, error: describeError(failure) };
  if (!options.deadLetter) return outcome;
  try {
    const failureInfo: { error: string; attempts: number; source?: string; errorName?: string } = {
      error: outcome.error ?? 'unknown error', attempts, errorName: errorNameOf(failure),
    };
    if (options.source !== undefined) failureInfo.source = options.source;
    outcome.deadLetterId = await options.deadLetter.add(event, failureInfo);
    outcome.deadLettered = true;
  } catch (e) {
    outcome.deadLettered = false;
    outcome.deadLetterError = describeError(e);
  }
  return outcome;
}

/** A predicate that throws counts as "do not retry": the safe answer when we cannot tell. */
function safePredicate(p: (error: unknown) => boolean, error: unknown): boolean {
  try {
    return p(error) === true;
  } catch {
    return false;
  }
}

function errorNameOf(e: unknown): string {
  if (e instanceof Error) return e.name || 'Error';
  return typeof e;
}

// Idempotency check on Redis, wire-compatible with the guide (`event_idempotent:{fingerprint}`, TTL 3600 s) but
// atomic: one `SET key <token> NX EX ttl GET` answers "seen before?" and records the event in the same step. The
// guide's EXISTS-then-SETEX lets two consumers that race both see "new" and both process the event.
//
// The mark holds a random token per check (the guide's EXISTS sees the key whatever its value). When Redis applied a
// mark but the reply was lost (the connection dropped, a timeout, the server killed after its AOF write), the check
// sends the same SET again with the same token: finding its own token, it knows the mark is its own and answers
// "new" — a plain `SET NX` would call the event a duplicate although nobody processed it.
import * as crypto from 'node:crypto';
import { BadInputError, RedisCommandError } from '../errors';
import type { EventLike } from '../envelope/envelope';
import { isRetryable } from '../retry/classify';
import { backoffDelay } from '../retry/policy';
import { abortableSleep } from '../retry/sleep';
import type { Transport } from '../transport/types';
import { fingerprint, fingerprintJson } from './fingerprint';

export interface DeduplicatorOptions {
  /** How long an event counts as seen. @default 3600 */
  ttlSeconds?: number;
  /** @default 'event_idempotent:' */
  keyPrefix?: string;
  /**
   * How long one check keeps sending its mark again, with the same token, while no answer comes back (the connection
   * dropped with the command in flight, a timeout, the server restarting); then it throws the last error. 0: one
   * attempt only. @default 10000
   */
  retryForMs?: number;
}

export interface DedupCheckOptions {
  /**
   * The token the mark is written with; a fresh random one (`newDedupToken()`) by default. To repeat a check that
   * threw (its outcome unknown), pass the token it used: if its mark did reach Redis, the repeat recognises it and
   * answers "new". Never share a token between two checks: the second would take the first one's mark for its own.
   */
  token?: string;
  /** Stops the waits between attempts (AbortedError). */
  signal?: AbortSignal;
}

export interface DedupResult {
  /** The event was seen within the TTL (by another check, or by a service that marks keys the guide's way). */
  duplicate: boolean;
  fingerprint: string;
  key: string;
  /** The token this check marked with. */
  token: string;
  /** Sends it took: more than 1 when an answer was lost and the same mark was sent again. */
  attempts: number;
  /** The key already held this check's token: an earlier send whose answer was lost made the mark. */
  ownMark: boolean;
}

/** An event object, or its JSON text (fingerprinted with numbers as written, as Python reads them; see fingerprintJson). */
export type DedupInput = EventLike | string;

export const DEFAULT_DEDUP_TTL_SECONDS = 3600;
export const DEFAULT_DEDUP_KEY_PREFIX = 'event_idempotent:';
export const DEFAULT_DEDUP_RETRY_FOR_MS = 10_000;

/** Keys per pipelined batch: one round trip each, and no unbounded pipeline for a huge input. */
const BATCH_CHUNK = 5000;
/** Waits between the sends of one mark: 50 ms doubling to 1 s, with jitter. */
const RESEND_BACKOFF = { baseDelayMs: 50, maxDelayMs: 1000, jitter: 'equal' } as const;

let tokenPool = Buffer.alloc(0);
let tokenPoolAt = 0;

/** A random mark token: 16 hex characters (64 bits), cut from a pool of random bytes (one getrandom per 512 tokens). */
export function newDedupToken(): string {
  if (tokenPoolAt + 8 > tokenPool.length) {
    tokenPool = crypto.randomBytes(4096);
    tokenPoolAt = 0;
  }
  tokenPoolAt += 8;
  return tokenPool.toString('hex', tokenPoolAt - 8, tokenPoolAt);
}

export class Deduplicator {
  readonly ttlSeconds: number;
  readonly keyPrefix: string;
  readonly retryForMs: number;

  constructor(private readonly transport: Transport, options: DeduplicatorOptions = {}) {
    const ttl = options.ttlSeconds ?? DEFAULT_DEDUP_TTL_SECONDS;
    if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new BadInputError(`ttlSeconds must be a positive integer, not ${ttl}`);
    const retryFor = options.retryForMs ?? DEFAULT_DEDUP_RETRY_FOR_MS;
    if (!(retryFor >= 0) || !Number.isFinite(retryFor)) throw new BadInputError(`retryForMs must be a number ≥ 0, not ${retryFor}`);
    this.ttlSeconds = ttl;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_DEDUP_KEY_PREFIX;
    this.retryForMs = retryFor;
  }

  /** The Redis key that marks this event as seen. Give the JSON text when you have it (see DedupInput). */
  key(event: DedupInput): string {
    return this.keyPrefix + fingerprintOf(event);
  }

  /**
   * Marks the event as seen and says whether it had been seen before: one `SET key token NX EX ttl GET`, atomic,
   * sent again with the same token while answers are lost (up to `retryForMs`).
   */
  async check(event: DedupInput, options: DedupCheckOptions = {}): Promise<DedupResult> {
    const fp = fingerprintOf(event);
    const key = this.keyPrefix + fp;
    const token = checkToken(options.token);
    const { value: old, attempts } = await this.resend(() => this.transport.setNxGet(key, token, this.ttlSeconds), options.signal);
    const ownMark = old === token;
    return { duplicate: old !== null && !ownMark, fingerprint: fp, key, token, attempts, ownMark };
  }

  /** True when the event WAS a duplicate; otherwise it is now recorded as seen. See `check`. */
  async isDuplicate(event: DedupInput, options: DedupCheckOptions = {}): Promise<boolean> {
    return (await this.check(event, options)).duplicate;
  }

  /**
   * `isDuplicate` for many events in one pipelined round trip (per 5000). Result i is true when event i was a
   * duplicate, including a repeat of an earlier event in the same batch. Each event gets its own token
   * (`{token}:{i}`), so a batch sent again after a lost answer recognises its own marks and still sees repeats.
   */
  async checkBatch(events: readonly DedupInput[], options: DedupCheckOptions = {}): Promise<boolean[]> {
    const base = checkToken(options.token);
    const items = events.map((e, i) => [this.key(e), `${base}:${i}`] as const);
    const out: boolean[] = [];
    for (let i = 0; i < items.length; i += BATCH_CHUNK) {
      const chunk = items.slice(i, i + BATCH_CHUNK);
      const { value: olds } = await this.resend(() => this.transport.setNxGetBatch(chunk, this.ttlSeconds), options.signal);
      olds.forEach((old, j) => out.push(old !== null && old !== chunk[j][1]));
    }
    return out;
  }

  /** Forgets the event, so it counts as new again (e.g. when its processing failed and must be retried). */
  async forget(event: DedupInput): Promise<void> {
    await this.transport.del([this.key(event)]);
  }

  /** Sends until an answer comes back, a non-transient error, the transport closed, or `retryForMs` passed. */
  private async resend<T>(send: () => Promise<T>, signal?: AbortSignal): Promise<{ value: T; attempts: number }> {
    const deadline = Date.now() + this.retryForMs;
    for (let attempts = 1; ; attempts++) {
      try {
        return { value: await send(), attempts };
      } catch (e) {
        const wait = backoffDelay(RESEND_BACKOFF, attempts);
        if (!(isRetryable(e) || notRunYet(e)) || this.transport.status === 'closed' || Date.now() + wait > deadline) throw e;
        await abortableSleep(wait, signal);
      }
    }
  }
}

/** Redis refused the command without running it for a passing reason: a restarted server loading its AOF, a failover. */
function notRunYet(e: unknown): boolean {
  return e instanceof RedisCommandError && /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/.test(e.message);
}

function fingerprintOf(event: DedupInput): string {
  return typeof event === 'string' ? fingerprintJson(event) : fingerprint(event);
}

function checkToken(token: string | undefined): string {
  if (token === undefined) return newDedupToken();
  // Short tokens would collide with other writers' values (the guide's own mark is "1").
  if (typeof token !== 'string' || token.length < 8 || token.length > 200) throw new BadInputError('a dedup token must be a string of 8 to 200 characters');
  return token;
}

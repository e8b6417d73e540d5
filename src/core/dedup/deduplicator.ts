// Idempotency check on Redis, wire-compatible with the guide (`event_idempotent:{fingerprint}`, TTL 3600 s) but
// atomic: one `SET key 1 NX EX ttl` answers "seen before?" and records the event in the same step. The guide's
// EXISTS-then-SETEX lets two consumers that race both see "new" and both process the event.
import { BadInputError } from '../errors';
import type { EventLike } from '../envelope/envelope';
import type { Transport } from '../transport/types';
import { fingerprint, fingerprintJson } from './fingerprint';

export interface DeduplicatorOptions {
  /** How long an event counts as seen. @default 3600 */
  ttlSeconds?: number;
  /** @default 'event_idempotent:' */
  keyPrefix?: string;
}

/** An event object, or its JSON text (fingerprinted with numbers as written; see fingerprintJson). */
export type DedupInput = EventLike | string;

export const DEFAULT_DEDUP_TTL_SECONDS = 3600;
export const DEFAULT_DEDUP_KEY_PREFIX = 'event_idempotent:';

/** Keys per pipelined SET batch: one round trip each, and no unbounded pipeline for a huge input. */
const BATCH_CHUNK = 5000;

export class Deduplicator {
  readonly ttlSeconds: number;
  readonly keyPrefix: string;

  constructor(private readonly transport: Transport, options: DeduplicatorOptions = {}) {
    const ttl = options.ttlSeconds ?? DEFAULT_DEDUP_TTL_SECONDS;
    if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new BadInputError(`ttlSeconds must be a positive integer, not ${ttl}`);
    this.ttlSeconds = ttl;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_DEDUP_KEY_PREFIX;
  }

  /** The Redis key that marks this event as seen. */
  key(event: DedupInput): string {
    return this.keyPrefix + (typeof event === 'string' ? fingerprintJson(event) : fingerprint(event));
  }

  /** True when the event WAS a duplicate; otherwise it is now recorded as seen. One round trip, atomic. */
  async isDuplicate(event: DedupInput): Promise<boolean> {
    const wasSet = await this.transport.set(this.key(event), '1', { nx: true, ttlSeconds: this.ttlSeconds });
    return !wasSet;
  }

  /**
   * `isDuplicate` for many events in one pipelined round trip (per 5000). Result i is true when event i was a
   * duplicate, including a repeat of an earlier event in the same batch.
   */
  async checkBatch(events: readonly DedupInput[]): Promise<boolean[]> {
    const keys = events.map((e) => this.key(e));
    const out: boolean[] = [];
    for (let i = 0; i < keys.length; i += BATCH_CHUNK) {
      const fresh = await this.transport.setNxBatch(keys.slice(i, i + BATCH_CHUNK), '1', this.ttlSeconds);
      for (const isNew of fresh) out.push(!isNew);
    }
    return out;
  }

  /** Forgets the event, so it counts as new again (e.g. when its processing failed and must be retried). */
  async forget(event: DedupInput): Promise<void> {
    await this.transport.del([this.key(event)]);
  }
}

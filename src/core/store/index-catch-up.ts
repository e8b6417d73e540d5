// Brings a store's indexes up to date with entries other apps appended (the guide's `XADD event_store * event …`),
// one bounded script call at a time so Redis is never blocked for long, with progress and cancellation for a large
// backlog. Several processes may do this at once: each call indexes from the watermark it reads atomically.
import { AbortedError } from '../errors';
import type { StoreLayout, Transport } from '../transport/types';
import { idTime } from './stream-ids';

/** Entries indexed per script call: a few ms of Redis time (cjson + two XADDs per entry). */
export const INDEX_BATCH = 1000;

export interface IndexProgress {
  stream: string;
  /** Entries indexed (or found unindexable) so far in this catch-up, over all streams. */
  done: number;
  /** Share of this stream's backlog behind us, 0..1, told by the ids' times (an estimate: ids are append times). */
  fraction: number;
  /** The last entry the indexes of this stream cover now. */
  watermark: string | null;
}

export interface IndexCatchUpOptions {
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
  /** Stop after this many script calls (a background keeper's slice); the result says whether it is done. */
  maxBatches?: number;
}

export interface IndexCatchUp {
  /** Entries that went into an index now. */
  indexed: number;
  /** Entries whose `event` field is missing or not a JSON object: never indexed, still in the stream. */
  malformed: number;
  /** Entries whose event has neither an event_type nor an entity_id the indexes can hold. */
  without: number;
  /** Every stream is indexed up to its last entry. */
  done: boolean;
  batches: number;
}

export async function catchUpIndexes(
  transport: Transport, sources: ReadonlyArray<{ stream: string; layout: StoreLayout }>, options: IndexCatchUpOptions = {},
): Promise<IndexCatchUp> {
  const total: IndexCatchUp = { indexed: 0, malformed: 0, without: 0, done: true, batches: 0 };
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
  for (const { stream, layout } of sources) {
    let span: { from: number; to: number } | undefined;
    for (;;) {
      if (options.signal?.aborted) throw new AbortedError('indexing was cancelled');
      if (total.batches >= maxBatches) {
        total.done = false;
        return total;
      }
      const r = await transport.storeIndexTail(stream, layout, INDEX_BATCH);
      total.batches++;
      total.indexed += r.indexed;
      total.malformed += r.malformed;
      total.without += r.without;
      if (r.done) break;
      // More than one batch: a backlog worth reporting. Its span is measured once, from the ids' times.
      span ??= await backlogSpan(transport, stream);
      if (options.onProgress) {
        const at = r.watermark === null ? span.from : idTime(r.watermark)?.getTime() ?? span.from;
        const fraction = span.to > span.from ? Math.min(1, Math.max(0, (at - span.from) / (span.to - span.from))) : 0;
        options.onProgress({ stream, done: total.indexed + total.malformed + total.without, fraction, watermark: r.watermark });
      }
    }
  }
  return total;
}

async function backlogSpan(transport: Transport, stream: string): Promise<{ from: number; to: number }> {
  const [first, last] = await Promise.all([transport.xrange(stream, '-', '+', 1), transport.xrevrange(stream, '+', '-', 1)]);
  const ms = (id: string | undefined) => (id === undefined ? 0 : idTime(id)?.getTime() ?? 0);
  return { from: ms(first[0]?.id), to: ms(last[0]?.id) };
}

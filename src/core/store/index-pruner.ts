// Trimming the store's stream leaves index entries that point at events no longer there. Reads skip them, but the
// index streams would grow for ever; pruning removes every index entry older than the stream's first entry.
// Index keys are found with SCAN (never KEYS) and cleaned a page at a time, so memory stays bounded.
import type { Transport } from '../transport/types';
import { exclusive } from './stream-ids';

export interface PruneOptions {
  /** Stops between index keys. */
  signal?: AbortSignal;
  /** Keys per SCAN step. @default 500 */
  scanCount?: number;
}

export interface PruneResult {
  /** Index streams looked at. */
  keys: number;
  /** Index entries removed. */
  removed: number;
  aborted: boolean;
}

const DELETE_PAGE = 1000;
/** Index keys cleaned at the same time: enough to fill the connection, few enough to keep replies small. */
const PARALLEL_KEYS = 32;

/**
 * Removes index entries older than the oldest event of their stream. `streams` is the store's stream, or all its
 * partitions (`base:{0}` …), which are pruned in one SCAN of `base:{*}:idx:*` rather than one SCAN each.
 */
export async function pruneIndexes(transport: Transport, streams: string | string[], options: PruneOptions = {}): Promise<PruneResult> {
  const keys = typeof streams === 'string' ? [streams] : streams;
  // Everything before a stream's oldest event is stale; with the stream gone, every index entry is.
  const ends = new Map<string, string>();
  for (const key of keys) {
    const first = await transport.xrange(key, '-', '+', 1);
    ends.set(key, first.length ? exclusive(first[0].id) : '+');
  }
  const match = keys.length === 1 ? `${escapeGlob(keys[0])}:idx:*` : `${escapeGlob(keys[0].replace(/:\{\d+\}$/, ''))}:{*}:idx:*`;
  const streamOf = (indexKey: string) => keys.find((k) => indexKey.startsWith(`${k}:idx:`));
  const result: PruneResult = { keys: 0, removed: 0, aborted: false };
  let cursor = '0';
  do {
    if (options.signal?.aborted) return { ...result, aborted: true };
    const step = await transport.scan(cursor, { match, type: 'stream', count: options.scanCount ?? 500 });
    cursor = step.cursor;
    const mine = step.keys.filter((k) => streamOf(k) !== undefined);
    for (let i = 0; i < mine.length; i += PARALLEL_KEYS) {
      if (options.signal?.aborted) return { ...result, aborted: true };
      const removed = await Promise.all(mine.slice(i, i + PARALLEL_KEYS).map((key) => pruneOne(transport, key, ends.get(streamOf(key)!)!)));
      for (const n of removed) result.removed += n;
      result.keys += removed.length;
    }
  } while (cursor !== '0');
  return result;
}

async function pruneOne(transport: Transport, indexKey: string, end: string): Promise<number> {
  let removed = 0;
  for (;;) {
    const stale = await transport.xrange(indexKey, '-', end, DELETE_PAGE);
    if (stale.length === 0) return removed;
    removed += await transport.xdel(indexKey, stale.map((e) => e.id));
    if (stale.length < DELETE_PAGE) return removed;
  }
}

/** A key as a literal SCAN MATCH pattern. */
export function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

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

export async function pruneIndexes(transport: Transport, streamKey: string, options: PruneOptions = {}): Promise<PruneResult> {
  const first = await transport.xrange(streamKey, '-', '+', 1);
  // Everything before the oldest event is stale; with the stream gone, every index entry is.
  const end = first.length ? exclusive(first[0].id) : '+';
  const result: PruneResult = { keys: 0, removed: 0, aborted: false };
  let cursor = '0';
  do {
    if (options.signal?.aborted) return { ...result, aborted: true };
    const step = await transport.scan(cursor, { match: `${escapeGlob(streamKey)}:idx:*`, type: 'stream', count: options.scanCount ?? 500 });
    cursor = step.cursor;
    for (let i = 0; i < step.keys.length; i += PARALLEL_KEYS) {
      if (options.signal?.aborted) return { ...result, aborted: true };
      const removed = await Promise.all(step.keys.slice(i, i + PARALLEL_KEYS).map((key) => pruneOne(transport, key, end)));
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

// Feeds a FlowMiner from the event store's history, oldest first, page by page: memory stays a page plus what the
// miner keeps, and a signal stops it between pages.
import { AbortedError } from '../errors';
import type { EventStore } from '../store/event-store';
import type { StoreQuery } from '../store/query-plan';
import type { FlowMiner } from './flow-miner';
import type { FlowVia } from './flow-types';

export interface MineProgress {
  /** Entries read so far. */
  read: number;
  /** The last entry id read. */
  lastId: string | null;
}

export interface MineStoreOptions {
  /** Which part of the history: since/until (on the event's or the append clock), id range. */
  query?: Pick<StoreQuery, 'since' | 'until' | 'clock' | 'fromId' | 'toId'>;
  /** Read at most this many entries (the oldest of the range). @default 1000000 */
  maxEntries?: number;
  /** @default 1000 */
  pageSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: MineProgress) => void;
}

export interface MineResult extends MineProgress {
  /** True when maxEntries stopped the read before the end of the range. */
  truncated: boolean;
}

export async function mineStore(store: EventStore, miner: FlowMiner, options: MineStoreOptions = {}): Promise<MineResult> {
  const max = options.maxEntries ?? 1_000_000;
  const progress: MineProgress = { read: 0, lastId: null };
  const signal = options.signal;
  if (signal?.aborted) throw new AbortedError('flow mining was cancelled');
  // limit max + 1: one entry more than allowed tells the range went on.
  const pages = store.scan({ ...options.query, limit: max + 1, pageSize: options.pageSize ?? 1000, signal });
  let truncated = false;
  // One via object per stream, not per entry: a million entries make a million fewer objects.
  const vias = new Map<string, FlowVia>();
  const viaOf = (stream: string) => {
    let v = vias.get(stream);
    if (!v) vias.set(stream, (v = { kind: 'stream', name: stream }));
    return v;
  };
  for await (const page of pages) {
    for (const stored of page) {
      if (progress.read >= max) { truncated = true; break; }
      progress.read++;
      progress.lastId = stored.id;
      if (stored.error !== undefined) { miner.addMalformed(); continue; }
      miner.add({
        event: stored.event,
        via: viaOf(stored.stream ?? store.streamKey),
        id: stored.id,
      });
    }
    options.onProgress?.({ ...progress });
    if (truncated) break;
    if (signal?.aborted) throw new AbortedError('flow mining was cancelled');
  }
  return { ...progress, truncated };
}

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
  const query = { ...options.query, limit: max + 1, pageSize: options.pageSize ?? 1000, signal };
  // Where the store can be read as bytes, only the fields mining needs are read from each event (FlowMiner.addRaw).
  const bytePages = store.scanEventBytes(query);
  const pages = bytePages ?? store.scan(query);
  let truncated = false;
  // One via object per stream, not per entry: a million entries make a million fewer objects.
  const vias = new Map<string, FlowVia>();
  const viaOf = (stream: string) => {
    let v = vias.get(stream);
    if (!v) vias.set(stream, (v = { kind: 'stream', name: stream }));
    return v;
  };
  const storeVia = viaOf(store.streamKey);
  for await (const page of pages) {
    for (const entry of page) {
      if (progress.read >= max) { truncated = true; break; }
      progress.read++;
      progress.lastId = entry.id;
      if ('value' in entry) {
        if (entry.value === null) miner.addMalformed();
        else miner.addRaw(entry.value, storeVia, entry.id);
      } else if (entry.error !== undefined) miner.addMalformed();
      else miner.add({ event: entry.event, via: entry.stream === undefined ? storeVia : viaOf(entry.stream), id: entry.id });
    }
    options.onProgress?.({ ...progress });
    if (truncated) break;
    if (signal?.aborted) throw new AbortedError('flow mining was cancelled');
  }
  return { ...progress, truncated };
}

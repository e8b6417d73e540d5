// Pages of the keyspace's streams, as the explorer's Streams view lists them: `SCAN … TYPE stream` from where the last
// page stopped, each stream with its XINFO STREAM. In the core so the view and the volume bench (100,000 streams among
// 1,000,000 keys) run the same code.
//
// A listing keeps the SCAN cursor between pages: "Load more…" goes on from there rather than scanning again from 0
// with a larger limit (which, with a step cap per page, never got past the first ~10,000 streams of a big keyspace,
// and cost more at each press). SCAN may return a key twice (the table grows or shrinks while it runs): the listing
// remembers every key it handed out and hands out each once.
import { isIndexKey } from './index-keys';
import type { StreamInfo, Transport } from '../transport/types';

/** SCAN steps per page at most: a huge keyspace with few streams must not hang the view (a short page is returned). */
export const MAX_SCAN_STEPS = 200;
const SCAN_COUNT = 500;
const INFO_GROUP = 100;

export interface StreamListPage {
  /** Sorted by key; a stream that went away between SCAN and XINFO is left out. */
  streams: Array<{ key: string; info: StreamInfo }>;
  /** More streams than shown may exist (found beyond the page, or the scan stopped before its end). */
  more: boolean;
}

/** One listing of the keyspace's streams, page after page, each stream once. */
export class StreamListing {
  private cursor = '0';
  private started = false;
  private readonly seen = new Set<string>();
  /** Found by the last step of a page beyond its limit: the next page starts with them. */
  private held: string[] = [];
  private scannedSteps = 0;

  constructor(private readonly transport: Transport, private readonly maxSteps = MAX_SCAN_STEPS) {}

  /** The scan has reached its end and every key it found was handed out. */
  get done(): boolean {
    return this.started && this.cursor === '0' && this.held.length === 0;
  }

  /** Keys handed out so far. */
  get listed(): number {
    return this.seen.size - this.held.length;
  }

  /** SCAN steps run so far (each looks at about SCAN_COUNT keys). */
  get steps(): number {
    return this.scannedSteps;
  }

  /**
   * The next `limit` stream keys (sorted), never one handed out before. Fewer when the scan ends, or when `maxSteps`
   * SCAN steps found fewer (a huge keyspace with few streams): then `done` is still false and the next call goes on.
   */
  async next(limit: number): Promise<string[]> {
    const out = this.held.splice(0, limit);
    let steps = 0;
    while (out.length < limit && !this.done && steps < this.maxSteps) {
      const r = await this.transport.scan(this.cursor, { type: 'stream', count: SCAN_COUNT });
      this.started = true;
      this.cursor = r.cursor;
      steps++;
      this.scannedSteps++;
      for (const k of r.keys) {
        // The store's per-entity and per-type index streams are internal; they would drown the list.
        if (isIndexKey(k) || this.seen.has(k)) continue;
        this.seen.add(k);
        if (out.length < limit) out.push(k);
        else this.held.push(k);
      }
    }
    return out.sort();
  }
}

/** XINFO STREAM of each key, sorted by key; a stream that went away (or is no longer a stream) is left out. */
export async function streamInfos(transport: Transport, keys: readonly string[]): Promise<StreamListPage['streams']> {
  const sorted = [...keys].sort();
  const streams: StreamListPage['streams'] = [];
  // XINFO in groups of INFO_GROUP: thousands of commands sent (and their replies handled) in one go held the extension
  // host's event loop for half a second.
  for (let i = 0; i < sorted.length; i += INFO_GROUP) {
    const group = sorted.slice(i, i + INFO_GROUP);
    const infos = await Promise.all(group.map((k) => transport.xinfoStream(k).catch(() => null)));
    group.forEach((key, j) => {
      const info = infos[j];
      if (info) streams.push({ key, info });
    });
  }
  return streams;
}

/** The first page of a fresh listing (the view's first page; the bench's). */
export async function streamPage(transport: Transport, limit: number, maxSteps = MAX_SCAN_STEPS): Promise<StreamListPage> {
  const listing = new StreamListing(transport, maxSteps);
  const keys = await listing.next(limit);
  return { streams: await streamInfos(transport, keys), more: !listing.done };
}

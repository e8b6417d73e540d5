// One page of the keyspace's streams, as the explorer's Streams view lists them: `SCAN … TYPE stream` until more than
// `limit` streams are found (or the cursor ends, or the step budget is spent), sorted by key, each with its XINFO
// STREAM. In the core so the view and the volume bench (100,000 streams among 1,000,000 keys) run the same code.
import { isIndexKey } from './index-keys';
import type { StreamInfo, Transport } from '../transport/types';

/** SCAN steps per page at most: a huge keyspace with few streams must not hang the view. */
export const MAX_SCAN_STEPS = 200;
const SCAN_COUNT = 500;
const INFO_GROUP = 100;

export interface StreamListPage {
  /** Sorted by key; a stream that went away between SCAN and XINFO is left out. */
  streams: Array<{ key: string; info: StreamInfo }>;
  /** More streams than shown may exist (more found than `limit`, or the scan stopped before its end). */
  more: boolean;
}

export async function streamPage(transport: Transport, limit: number, maxSteps = MAX_SCAN_STEPS): Promise<StreamListPage> {
  const found = new Set<string>();
  let cursor = '0';
  let steps = 0;
  do {
    const r = await transport.scan(cursor, { type: 'stream', count: SCAN_COUNT });
    cursor = r.cursor;
    // The store's per-entity and per-type index streams are internal; they would drown the list.
    for (const k of r.keys) if (!isIndexKey(k)) found.add(k);
    steps++;
  } while (cursor !== '0' && found.size <= limit && steps < maxSteps);
  const sorted = [...found].sort();
  const keys = sorted.slice(0, limit);
  const streams: StreamListPage['streams'] = [];
  // XINFO in groups of INFO_GROUP: a page grows by 200 streams at each Load more, and thousands of commands sent (and
  // their replies handled) in one go held the extension host's event loop for half a second.
  for (let i = 0; i < keys.length; i += INFO_GROUP) {
    const group = keys.slice(i, i + INFO_GROUP);
    const infos = await Promise.all(group.map((k) => transport.xinfoStream(k).catch(() => null)));
    group.forEach((key, j) => {
      const info = infos[j];
      if (info) streams.push({ key, info });
    });
  }
  return { streams, more: sorted.length > limit || cursor !== '0' };
}

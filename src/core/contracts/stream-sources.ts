// The streams a contract channel or an inference source speaks about: its key, or, for a glob address, the stream
// keys that match it now (SCAN MATCH … TYPE stream, bounded; never KEYS). And the text an entry stands for: its
// `event` field (the guide's format), else its fields as a JSON object, as every contract check reads it.
import { EVENT_FIELD } from '../store/stored-event';
import type { StreamEntry, Transport } from '../transport/types';

/** At most this many streams are taken for one glob address. */
export const MAX_STREAMS_PER_GLOB = 1000;
const SCAN_COUNT = 500;
/** SCAN steps for one glob: a huge keyspace with few matches ends here instead of scanning on and on. */
const MAX_SCAN_STEPS = 2000;

/** A Redis glob (matched by PSUBSCRIBE / SCAN MATCH) rather than one literal name. */
export const isRedisGlob = (s: string): boolean => /[*?[\\]/.test(s);

/** The stream keys an address names: itself, or the streams matching a glob (sorted, at most MAX_STREAMS_PER_GLOB). */
export async function streamKeysOf(transport: Transport, address: string, signal?: AbortSignal): Promise<string[]> {
  if (!isRedisGlob(address)) return [address];
  const keys = new Set<string>();
  let cursor = '0';
  for (let step = 0; step < MAX_SCAN_STEPS && !signal?.aborted; step++) {
    const page = await transport.scan(cursor, { match: address, type: 'stream', count: SCAN_COUNT });
    for (const k of page.keys) if (keys.size < MAX_STREAMS_PER_GLOB) keys.add(k);
    cursor = page.cursor;
    if (cursor === '0' || keys.size >= MAX_STREAMS_PER_GLOB) break;
  }
  return [...keys].sort();
}

/** The event text of a stream entry, as contracts read it. */
export function entryEventText(entry: Pick<StreamEntry, 'fields'>): string {
  return entry.fields[EVENT_FIELD] ?? JSON.stringify(entry.fields);
}

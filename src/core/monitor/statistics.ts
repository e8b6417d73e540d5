// The guide's get_event_statistics over the `event_counts:{channel}:{event_type}` counters, read with SCAN pages
// (never KEYS, which blocks Redis) and the GETs of each page sent together.
import type { Transport } from '../transport/types';
import { COUNTER_KEY_PREFIX } from './counter-flusher';

export interface EventStatisticsOptions {
  /** @default 'event_counts:' */
  prefix?: string;
  /** SCAN COUNT hint. @default 1000 */
  pageSize?: number;
  /** Stop after this many keys, so a huge keyspace cannot grow the result without bound. @default 100000 */
  maxKeys?: number;
}

export type EventStatistics = Record<string, Record<string, number>>;

/**
 * `{ [channel]: { [event_type]: count } }` (null-prototype objects). A key is split at its LAST colon, so a channel
 * like `orders:eu` reads correctly (the guide splits at every colon and would misread it); an event type that
 * contains a colon is read as part of the channel. Keys that are not integer strings are skipped.
 */
export async function getEventStatistics(transport: Transport, options: EventStatisticsOptions = {}): Promise<EventStatistics> {
  const prefix = options.prefix ?? COUNTER_KEY_PREFIX;
  const pageSize = options.pageSize ?? 1000;
  const maxKeys = options.maxKeys ?? 100_000;
  const stats: EventStatistics = Object.create(null);
  let cursor = '0';
  let seen = 0;
  const seenKeys = new Set<string>(); // SCAN may return a key twice
  do {
    const page = await transport.scan(cursor, { match: `${escapeGlob(prefix)}*`, count: pageSize });
    cursor = page.cursor;
    const keys = page.keys.filter((k) => !seenKeys.has(k) && k.startsWith(prefix)).slice(0, maxKeys - seen);
    const values = await Promise.all(keys.map((k) => transport.get(k).catch(() => null))); // a non-string key: skip it
    keys.forEach((key, i) => {
      seenKeys.add(key);
      const count = parseCount(values[i]);
      const rest = key.slice(prefix.length);
      const cut = rest.lastIndexOf(':');
      if (count === null || cut < 0) return;
      const channel = rest.slice(0, cut);
      const type = rest.slice(cut + 1);
      const byType = stats[channel] ?? (stats[channel] = Object.create(null) as Record<string, number>);
      byType[type] = count;
    });
    seen += keys.length;
  } while (cursor !== '0' && seen < maxKeys);
  return stats;
}

function parseCount(v: string | null | undefined): number | null {
  if (typeof v !== 'string' || !/^-?\d{1,16}$/.test(v)) return null;
  return Number(v);
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

// Searching a stream's history with a filter: XRANGE pages (COUNT, the next page asked for while this one is
// filtered), so memory holds one or two pages whatever the stream's length. Results come out page by page as they
// are found, with progress (scanned of total); a scan budget, a result limit and an AbortSignal end it early, and
// how it ended is part of the result, not an exception.
import { BadInputError } from '../errors';
import { idBound, formatId } from '../store/stream-ids';
import type { Transport } from '../transport/types';
import { pageEntryText, searchPages, type SearchPageEntry } from './event-pages';
import { type EventFilter, FilterStats } from './expression';

export interface HistorySearchOptions {
  /** First id (inclusive; `-` or an ms-only id allowed). @default '-' */
  start?: string;
  /** Last id (inclusive; `+` allowed). @default '+' */
  end?: string;
  /** Newest first. */
  reverse?: boolean;
  /** Stop after this many matches. @default 100 */
  limit?: number;
  /** Stop after scanning this many entries (the scan budget). @default 1,000,000 */
  maxScan?: number;
  /** Entries per XRANGE. @default 1000 */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface SearchMatch {
  id: string;
  /** The event's JSON text as stored (null for an entry without an `event` field). */
  raw: string | null;
  /** The parsed event, or the entry's field map. */
  event: unknown;
}

export type SearchEnd = 'end' | 'limit' | 'budget' | 'aborted';

export interface SearchProgress {
  scanned: number;
  /** The stream's length when the search started: scanned of total is the share of the whole stream read. */
  total: number;
  matched: number;
  /** Entries the expression could not be evaluated on (they do not match). */
  errors: number;
  /** The last id scanned: a later search from `(lastId` goes on where this one stopped. */
  lastId: string | null;
}

export interface SearchBatch {
  matches: SearchMatch[];
  progress: SearchProgress;
}

export interface SearchResult extends SearchProgress {
  ended: SearchEnd;
  /** Why some entries could not be evaluated, with counts; null when all could. */
  errorSummary: string | null;
}

export const DEFAULT_SEARCH_LIMIT = 100;
export const DEFAULT_SCAN_BUDGET = 1_000_000;

/**
 * Yields a batch per page read (matches may be empty: the progress still moves) and returns how the search ended.
 * Stopping the iteration early stops the reads.
 */
export async function* searchHistory(transport: Transport, stream: string, filter: EventFilter, options: HistorySearchOptions = {}): AsyncGenerator<SearchBatch, SearchResult> {
  if (!stream) throw new BadInputError('search needs a stream');
  const limit = positive(options.limit, DEFAULT_SEARCH_LIMIT, 'limit');
  const maxScan = positive(options.maxScan, DEFAULT_SCAN_BUDGET, 'maxScan');
  const start = idBound(options.start, 'start', 'start');
  const end = idBound(options.end, 'end', 'end');
  const reverse = options.reverse === true;
  const stats = new FilterStats();
  const progress: SearchProgress = { scanned: 0, total: await transport.xlen(stream), matched: 0, errors: 0, lastId: null };
  const result = (ended: SearchEnd): SearchResult => ({ ...progress, errors: stats.errors, ended, errorSummary: stats.summary() });
  if (options.signal?.aborted) return result('aborted');
  const plan = { stream, start: start ? formatId(start) : '-', end: end ? formatId(end) : '+', reverse };
  const meta = { _stream: stream } as { _stream: string; _id?: string };
  for await (const page of searchPages(transport, plan, { pageSize: options.pageSize ?? 1000, limit: maxScan })) {
    const matches: SearchMatch[] = [];
    let stoppedAt = page.length;
    for (let i = 0; i < page.length; i++) {
      const entry = page[i];
      const m = test(entry, filter, stats, meta);
      if (m) {
        matches.push(m);
        if (stats.matched >= limit) {
          stoppedAt = i + 1;
          break;
        }
      }
    }
    progress.scanned += stoppedAt;
    progress.matched = stats.matched;
    progress.errors = stats.errors;
    progress.lastId = page[stoppedAt - 1].id;
    yield { matches, progress: { ...progress } };
    if (stats.matched >= limit) return result('limit');
    if (options.signal?.aborted) return result('aborted');
  }
  return result(progress.scanned >= maxScan ? 'budget' : 'end');
}

/** Runs a search to its end, handing each batch to `onBatch`; resolves with how it ended. */
export async function searchStream(transport: Transport, stream: string, filter: EventFilter, options: HistorySearchOptions & { onBatch?: (b: SearchBatch) => void } = {}): Promise<SearchResult> {
  const it = searchHistory(transport, stream, filter, options);
  for (;;) {
    const next = await it.next();
    if (next.done) return next.value;
    options.onBatch?.(next.value);
  }
}

function test(entry: SearchPageEntry, filter: EventFilter, stats: FilterStats, meta: { _id?: string }): SearchMatch | null {
  // Inlined rather than through parseEntry: this runs for every entry of a scan of millions, allocation-free when it
  // does not match.
  const raw = pageEntryText(entry);
  let value: unknown;
  if (raw === null) {
    // searchPages reads entries without an `event` field as field maps.
    value = 'fields' in entry ? entry.fields : {};
  } else {
    if (!filter.mayMatchText(raw)) {
      stats.evaluated++;
      return null;
    }
    try {
      value = JSON.parse(raw);
    } catch {
      stats.add({ error: 'the entry is not JSON' });
      return null;
    }
  }
  meta._id = entry.id;
  return stats.add(filter.evaluate(value, meta)) ? { id: entry.id, raw, event: value } : null;
}

function positive(v: number | undefined, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (!(v >= 1)) throw new BadInputError(`${what} must be ≥ 1, not ${v}`);
  return Math.floor(v);
}

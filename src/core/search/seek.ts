// Opening a stream at a date-time and paging both ways from there. A stream id's first part is its append time in
// ms, so "the first entry at or after 10:00" is one XRANGE from `<ms>-0` with COUNT: O(log n) in Redis whatever
// the stream's length. Pages are oldest first; each says whether there is more on either side, found by asking
// for one entry more (newer) and one entry before (older), both in the same round trip.
import { BadInputError } from '../errors';
import { dateBound, exclusive, formatId, MAX_SEQ, parseId } from '../store/stream-ids';
import type { StreamEntry, Transport } from '../transport/types';

export interface StreamPage {
  /** Oldest first. */
  entries: StreamEntry[];
  /** An older entry exists: `pageBefore(entries[0].id)` (or, when empty, `pageBefore` of the position) shows it. */
  hasOlder: boolean;
  /** A newer entry exists: `pageAfter(last id)` shows it. */
  hasNewer: boolean;
}

export const DEFAULT_PAGE = 50;
const MAX_PAGE = 10_000;

/** The page starting at the first entry appended at or after `at` (ISO text, UTC without an offset, or a Date). */
export async function pageAt(transport: Transport, stream: string, at: string | Date, count = DEFAULT_PAGE): Promise<StreamPage & { position: string }> {
  const bound = dateBound(at, 'start', 'at');
  if (!bound) throw new BadInputError('seek needs a date-time');
  const position = formatId(bound);
  const n = pageCount(count);
  const [entries, before] = await Promise.all([
    transport.xrange(stream, position, '+', n + 1),
    position === '0-0' ? Promise.resolve([]) : transport.xrevrange(stream, exclusive(position), '-', 1),
  ]);
  return { position, entries: entries.slice(0, n), hasNewer: entries.length > n, hasOlder: before.length > 0 };
}

/** The page of entries after `id` (exclusive). */
export async function pageAfter(transport: Transport, stream: string, id: string, count = DEFAULT_PAGE): Promise<StreamPage> {
  const n = pageCount(count);
  checkId(id);
  const [entries, before] = await Promise.all([
    transport.xrange(stream, exclusive(id), '+', n + 1),
    transport.xrevrange(stream, id, '-', 1),
  ]);
  return { entries: entries.slice(0, n), hasNewer: entries.length > n, hasOlder: before.length > 0 };
}

/** The page of entries before `id` (exclusive), oldest first. */
export async function pageBefore(transport: Transport, stream: string, id: string, count = DEFAULT_PAGE): Promise<StreamPage> {
  const n = pageCount(count);
  checkId(id);
  const [entries, after] = await Promise.all([
    transport.xrevrange(stream, exclusive(id), '-', n + 1),
    transport.xrange(stream, id, '+', 1),
  ]);
  return { entries: entries.slice(0, n).reverse(), hasOlder: entries.length > n, hasNewer: after.length > 0 };
}

/** The oldest entries of the stream (its first page). */
export async function pageFirst(transport: Transport, stream: string, count = DEFAULT_PAGE): Promise<StreamPage> {
  const n = pageCount(count);
  const entries = await transport.xrange(stream, '-', '+', n + 1);
  return { entries: entries.slice(0, n), hasNewer: entries.length > n, hasOlder: false };
}

/** The newest entries of the stream (its last page), oldest first. */
export async function pageLast(transport: Transport, stream: string, count = DEFAULT_PAGE): Promise<StreamPage> {
  const n = pageCount(count);
  const entries = await transport.xrevrange(stream, '+', '-', n + 1);
  return { entries: entries.slice(0, n).reverse(), hasOlder: entries.length > n, hasNewer: false };
}

function pageCount(count: number): number {
  if (!Number.isFinite(count) || count < 1) throw new BadInputError(`a page holds at least 1 entry, not ${count}`);
  return Math.min(Math.floor(count), MAX_PAGE);
}

function checkId(id: string): void {
  if (!parseId(id)) throw new BadInputError(`not a stream id: ${String(id).slice(0, 60)}`);
}

/** The id right after `id` (inclusive bounds for "after this one"); null for a malformed id. */
export function idAfter(id: string): string | null {
  const p = parseId(id);
  if (!p) return null;
  return p.seq < BigInt(MAX_SEQ) ? formatId({ ms: p.ms, seq: p.seq + 1n }) : formatId({ ms: p.ms + 1n, seq: 0n });
}

/** The id right before `id`; null for 0-0 or a malformed id. */
export function idBefore(id: string): string | null {
  const p = parseId(id);
  if (!p || (p.ms === 0n && p.seq === 0n)) return null;
  return p.seq > 0n ? formatId({ ms: p.ms, seq: p.seq - 1n }) : formatId({ ms: p.ms - 1n, seq: BigInt(MAX_SEQ) });
}

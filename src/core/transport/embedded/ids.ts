// Stream ids as Redis parses, compares and prints them (t_stream.c streamGenericParseIDOrReply and friends).
// Parts are unsigned 64-bit in Redis; here they are doubles, exact up to 2^53 (ms until the year 287396, any
// realistic sequence). The largest value, 18446744073709551615 (`+`, the end of `ms`-only ranges), is 2^64 here.
import { RedisCommandError } from '../../errors';

export interface StreamId {
  readonly ms: number;
  readonly seq: number;
}

/** Stands for 2^64 - 1, the largest part of a stream id. */
export const U64_MAX = 2 ** 64;
const U64_MAX_TEXT = '18446744073709551615';

export const MIN_ID: StreamId = { ms: 0, seq: 0 };
export const MAX_ID: StreamId = { ms: U64_MAX, seq: U64_MAX };

export const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

export function invalidId(): RedisCommandError {
  return new RedisCommandError(ERR_INVALID_ID);
}

/** Decimal digits only, at most 2^64 - 1; null otherwise. */
export function parseU64(text: string): number | null {
  const n = text.length;
  if (n === 0) return null;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (n <= 15) return Number(text);
  let i = 0;
  while (i < n - 1 && text.charCodeAt(i) === 48) i++;
  const t = i ? text.slice(i) : text;
  if (t.length > 20 || (t.length === 20 && t > U64_MAX_TEXT)) return null;
  return Number(t);
}

export function formatU64(n: number): string {
  return n >= U64_MAX ? U64_MAX_TEXT : String(n);
}

export function formatId(id: StreamId): string {
  return formatU64(id.ms) + '-' + formatU64(id.seq);
}

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function isZeroId(id: StreamId): boolean {
  return id.ms === 0 && id.seq === 0;
}

/** The next id, or null past the largest one. */
export function incrId(id: StreamId): StreamId | null {
  if (id.seq >= U64_MAX) return id.ms >= U64_MAX ? null : { ms: id.ms + 1, seq: 0 };
  return { ms: id.ms, seq: id.seq + 1 };
}

/** The previous id, or null before 0-0. */
export function decrId(id: StreamId): StreamId | null {
  if (id.seq === 0) return id.ms === 0 ? null : { ms: id.ms - 1, seq: U64_MAX };
  return { ms: id.ms, seq: id.seq - 1 };
}

/**
 * `ms-seq`, or `ms` alone (seq = `missingSeq`), or `-` / `+` unless `strict`.
 * Throws "ERR Invalid stream ID ..." like Redis.
 */
export function parseId(text: string, missingSeq: number, strict: boolean): StreamId {
  if (text.length > 127) throw invalidId();
  if (text === '-') { if (strict) throw invalidId(); return MIN_ID; }
  if (text === '+') { if (strict) throw invalidId(); return MAX_ID; }
  const dash = text.indexOf('-');
  if (dash < 0) {
    const ms = parseU64(text);
    if (ms === null) throw invalidId();
    return { ms, seq: missingSeq };
  }
  const ms = parseU64(text.slice(0, dash));
  const seq = parseU64(text.slice(dash + 1));
  if (ms === null || seq === null) throw invalidId();
  return { ms, seq };
}

/** XADD's id argument: null for `*`; `ms-*` leaves the sequence to the stream. */
export function parseXAddId(text: string): { id: StreamId; seqGiven: boolean } | null {
  if (text === '*') return null;
  if (text.length > 127) throw invalidId();
  if (text === '-' || text === '+') throw invalidId();
  const dash = text.indexOf('-');
  if (dash >= 0 && text.length === dash + 2 && text.charCodeAt(dash + 1) === 0x2a) {
    const ms = parseU64(text.slice(0, dash));
    if (ms === null) throw invalidId();
    return { id: { ms, seq: 0 }, seqGiven: false };
  }
  return { id: parseId(text, 0, true), seqGiven: true };
}

/** The start of an XRANGE-style interval: `-`, an id, `ms` (ms-0), or `(id` exclusive. */
export function parseRangeStart(text: string): StreamId {
  if (text.length > 1 && text.charCodeAt(0) === 0x28) {
    const id = incrId(parseId(text.slice(1), 0, true));
    if (!id) throw new RedisCommandError('ERR invalid start ID for the interval');
    return id;
  }
  return parseId(text, 0, false);
}

/** The end of an XRANGE-style interval: `+`, an id, `ms` (ms-max), or `(id` exclusive. */
export function parseRangeEnd(text: string): StreamId {
  if (text.length > 1 && text.charCodeAt(0) === 0x28) {
    const id = decrId(parseId(text.slice(1), U64_MAX, true));
    if (!id) throw new RedisCommandError('ERR invalid end ID for the interval');
    return id;
  }
  return parseId(text, U64_MAX, false);
}

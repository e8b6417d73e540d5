// Stream ids (`<ms>-<seq>`) as the store uses them: validating what callers pass, comparing without losing precision
// (seq goes up to 2^64-1, beyond a JS number), and turning dates into id bounds (an id's ms part is its append time).
import { BadInputError } from '../errors';
import { timeBoundMicros } from './time-range';

/** Largest sequence number Redis allows: `${ms}-${MAX_SEQ}` is the last possible id of a millisecond. */
export const MAX_SEQ = '18446744073709551615';

const ID = /^(\d{1,20})(?:-(\d{1,20}))?$/;

export interface ParsedId {
  ms: bigint;
  seq: bigint;
}

/**
 * Parses a full or ms-only id. An ms-only id means the first id of that millisecond as a start bound and the last
 * as an end bound, as in XRANGE. Returns null for anything else.
 */
export function parseId(id: string, as: 'start' | 'end' = 'start'): ParsedId | null {
  const m = ID.exec(id);
  if (!m) return null;
  const ms = BigInt(m[1]);
  const seq = BigInt(m[2] ?? (as === 'start' ? '0' : MAX_SEQ));
  if (seq > BigInt(MAX_SEQ) || ms > BigInt(MAX_SEQ)) return null;
  return { ms, seq };
}

export function compareParsed(a: ParsedId, b: ParsedId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** Compares two full ids; malformed ids sort first so a bad value never hides good ones. */
export function compareIds(a: string, b: string): number {
  const pa = parseId(a);
  const pb = parseId(b);
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0;
  return compareParsed(pa, pb);
}

/** The append time of an entry, from its id's ms part; null for an id that is not one. */
export function idTime(id: string): Date | null {
  const p = parseId(id);
  if (!p || p.ms > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return new Date(Number(p.ms));
}

export function formatId(p: ParsedId): string {
  return `${p.ms}-${p.seq}`;
}

/** A caller's id bound (`-`/`+` allowed) as a full id, or undefined when unbounded. Rejects malformed ids. */
export function idBound(value: string | undefined, as: 'start' | 'end', what: string): ParsedId | undefined {
  if (value === undefined || value === '') return undefined;
  if ((as === 'start' && value === '-') || (as === 'end' && value === '+')) return undefined;
  const p = parseId(value, as);
  if (!p) throw new BadInputError(`${what}: "${clip(value)}" is not a stream id; use <ms>-<seq> (e.g. 1718000000000-0) or <ms>`);
  return p;
}

/**
 * A date bound (ISO text, UTC without an offset, or a Date) as the first (`start`) or last (`end`) possible id of its
 * millisecond: the append clock's range.
 */
export function dateBound(value: string | Date | undefined, as: 'start' | 'end', what: string): ParsedId | undefined {
  const micros = timeBoundMicros(value, what);
  if (micros === undefined) return undefined;
  const ms = Math.floor(micros / 1000);
  // Stream ids cannot be negative: a date before 1970 bounds nothing from below, and from above leaves only 0-0,
  // an id no entry can have.
  if (ms < 0) return as === 'start' ? undefined : { ms: 0n, seq: 0n };
  return { ms: BigInt(ms), seq: as === 'start' ? 0n : BigInt(MAX_SEQ) };
}

/** `(id`: XRANGE's exclusive bound, for paging past the last entry read. */
export function exclusive(id: string): string {
  return `(${id}`;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

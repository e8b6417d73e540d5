// The two clocks a time range (`since` / `until`) can read:
//   'event'  the event's own `timestamp` (ISO-8601), what every output shows and what the guide's replay filters on.
//            A filter on the parsed event: it reads the whole id range (or the entity/type index it goes through).
//   'append' the stream id's time, i.e. when Redis appended the entry. An id range: cheap, but an event imported,
//            backfilled or replayed later than it happened is found by when it was written, not by its timestamp.
// Times are compared in microseconds: the guide's Python writes `datetime.utcnow().isoformat()`, six fraction digits
// and no offset, which means UTC (the envelope's timestamps are UTC); a time without an offset is read as UTC here too.
import { BadInputError } from '../errors';

export type TimeClock = 'event' | 'append';

/** The event's `timestamp`: the time every output shows, and the one the guide's replay filters on. */
export const DEFAULT_CLOCK: TimeClock = 'event';

export const CLOCKS: readonly TimeClock[] = ['event', 'append'];

/** How a range on each clock is described to users. */
export const CLOCK_NAMES: Record<TimeClock, string> = {
  event: "the event's timestamp",
  append: 'the append time (stream id)',
};

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An ISO-8601 date or date-time as microseconds since 1970, UTC when it carries no offset; null for anything else
 * (another format, an impossible date such as 2025-02-30, a non-string).
 */
export function parseIsoMicros(text: unknown): number | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const dayMs = dayStartMs(y, mo, d, year, month, day);
  if (dayMs === null) return null;
  let ms = dayMs + ((hour * 60 + minute) * 60 + second) * 1000;
  if (offset && offset !== 'Z' && offset !== 'z') {
    const sign = offset[0] === '-' ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return null;
    ms -= sign * (oh * 60 + om) * 60_000;
  }
  return ms * 1000 + Number(frac.padEnd(6, '0').slice(0, 6));
}

/**
 * parseIsoMicros of the form the guide and the core write, `2026-01-01T10:00:00.123456` with an optional `Z`, read
 * from bytes without making a text or running the expression (flow mining reads a million); null for any other
 * form, which the caller then hands to parseIsoMicros as text. Same answer as parseIsoMicros for every input it takes.
 */
export function isoBytesMicros(b: Uint8Array, start: number, end: number): number | null {
  const len = end - start;
  if (len < 19 || len > 30 || b[start + 4] !== 0x2d || b[start + 7] !== 0x2d || b[start + 10] !== 0x54 || b[start + 13] !== 0x3a || b[start + 16] !== 0x3a) return null;
  const year = digits(b, start, 4);
  const month = digits(b, start + 5, 2);
  const day = digits(b, start + 8, 2);
  const hour = digits(b, start + 11, 2);
  const minute = digits(b, start + 14, 2);
  const second = digits(b, start + 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  let i = start + 19;
  let last = end;
  if (b[last - 1] === 0x5a || b[last - 1] === 0x7a) last--;
  let micros = 0;
  if (i < last) {
    if (b[i] !== 0x2e) return null;
    i++;
    const n = last - i;
    if (n < 1 || n > 9) return null;
    let scale = 100_000;
    for (let k = 0; k < n; k++) {
      const c = b[i + k] - 0x30;
      if (!(c >= 0 && c <= 9)) return null;
      if (k < 6) {
        micros += c * scale;
        scale /= 10;
      }
    }
  }
  const dayMs = utcDayMs(year, month, day);
  if (dayMs === null) return null;
  return (dayMs + ((hour * 60 + minute) * 60 + second) * 1000) * 1000 + micros;
}

/** The number written in n digits at start, -1 when one is not a digit. */
function digits(b: Uint8Array, start: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = b[start + k] - 0x30;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

let lastUtcDay = { key: -1, ms: null as number | null };
/** dayStartMs for numbers (a year of four digits): midnight UTC, null for an impossible date; the last day is kept. */
function utcDayMs(year: number, month: number, day: number): number | null {
  const key = (year * 100 + month) * 100 + day;
  if (key === lastUtcDay.key) return lastUtcDay.ms;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  const ms = date.getUTCDate() === day ? date.getTime() : null;
  lastUtcDay = { key, ms };
  return ms;
}

/**
 * Midnight UTC of a date, null for an impossible one (2025-02-30). The last day is kept: a replay's time filter reads
 * thousands of timestamps of the same day, and building a Date for each was a twentieth of `ucore replay --since`'s CPU.
 */
let lastDay = { y: '', mo: '', d: '', ms: null as number | null };
function dayStartMs(y: string, mo: string, d: string, year: number, month: number, day: number): number | null {
  if (y === lastDay.y && mo === lastDay.mo && d === lastDay.d) return lastDay.ms;
  // Through the year 2000 first: Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  const ms = date.getUTCDate() === day ? date.getTime() : null;
  lastDay = { y, mo, d, ms };
  return ms;
}

/**
 * A caller's `since`/`until` (ISO text, else any text Date.parse reads, or a Date) in microseconds; undefined when
 * not given. Throws BadInputError naming `what` for something that is not a date.
 */
export function timeBoundMicros(value: string | Date | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (value instanceof Date) {
    if (Number.isFinite(value.getTime())) return value.getTime() * 1000;
  } else if (typeof value === 'string') {
    const iso = parseIsoMicros(value);
    if (iso !== null) return iso;
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms * 1000;
  }
  const shown = value instanceof Date ? 'Invalid Date' : String(value).slice(0, 60);
  throw new BadInputError(`${what}: "${shown}" is not a date; use ISO-8601, e.g. 2025-09-12T10:30:00Z`);
}

export function checkClock(value: unknown): TimeClock {
  if (value === undefined) return DEFAULT_CLOCK;
  if (value === 'event' || value === 'append') return value;
  throw new BadInputError(`clock must be "event" (the event's timestamp) or "append" (the stream id's time), not "${String(value).slice(0, 30)}"`);
}

/** What an event-clock range left out because the event has no `timestamp` it can read. */
export interface TimeRangeCounts {
  untimed: number;
}

/**
 * The check of an event-clock range (both bounds inclusive, in microseconds) on the event's timestamp as read by
 * parseIsoMicros. An event whose `timestamp` is missing or not ISO-8601 (null) never matches; it is counted in
 * `counts.untimed`.
 */
export function timeRangeCheck(since: number | undefined, until: number | undefined, counts: TimeRangeCounts): (atMicros: number | null) => boolean {
  return (at) => {
    if (at === null) {
      counts.untimed++;
      return false;
    }
    return (since === undefined || at >= since) && (until === undefined || at <= until);
  };
}

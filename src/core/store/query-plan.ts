// Turns a store query into a read plan: which stream to read (the entity index, the type index or the whole
// stream), the id range, and what must still be filtered after reading. Shared by the store and replay so both
// choose the same (cheapest) path and validate input the same way.
import { type EventLike, entityOf } from '../envelope/envelope';
import { BadInputError } from '../errors';
import type { IndexProgress } from './index-catch-up';
import { indexBase } from './index-keys';
import { compareParsed, dateBound, formatId, idBound, type ParsedId } from './stream-ids';
import { checkClock, parseIsoMicros, type TimeClock, timeBoundMicros, timeRangeCheck, type TimeRangeCounts } from './time-range';

export interface StoreQuery {
  /** Only events of this entity (`entity_id`). */
  entity?: string;
  /** Only events of these types; an empty list means any type. */
  types?: string[];
  /** At or after this time (ISO-8601, UTC without an offset, or a Date), on the `clock`. */
  since?: string | Date;
  /** At or before this time, on the `clock`. */
  until?: string | Date;
  /**
   * Which time `since`/`until` compare. 'event' (default): the event's `timestamp`, what outputs show and the guide's
   * replay filters on; a filter, so it reads the whole id range (or the entity/type index it goes through), and
   * events without a readable ISO-8601 timestamp never match. 'append': the stream id's time (when Redis appended the
   * entry), an id range, cheap; events imported or replayed later than they happened are found by when they were
   * written.
   */
  clock?: TimeClock;
  /** First stream id to include (`-` or omitted: from the start). */
  fromId?: string;
  /** Last stream id to include (`+` or omitted: to the end). */
  toId?: string;
  /** Most events to return. */
  limit?: number;
  /** Newest first. */
  reverse?: boolean;
  /** Keeps only events it returns true for; malformed entries never reach it. */
  predicate?: (e: EventLike) => boolean;
  /** Stops the read (and the index catch-up before it) with AbortedError. */
  signal?: AbortSignal;
  /** Progress of indexing what other apps appended, when a read through an index has to do that first. */
  onIndexProgress?: (p: IndexProgress) => void;
  /**
   * Filled in as the read runs: how many events an event-clock time range left out for want of a readable
   * `timestamp`, so a caller can say so instead of dropping them silently.
   */
  counts?: TimeRangeCounts;
}

/** One stream (or index) read, in XRANGE terms. */
export interface ReadPlan {
  stream: string;
  /** Read through this index stream with `readByIndex` instead of XRANGE on the stream. */
  indexKey?: string;
  /** The index holds copies of the entries (the store's entity index): see ReadByIndexOptions.copies. */
  copies?: boolean;
  start: string;
  end: string;
  reverse: boolean;
}

export interface QueryPlan {
  read: ReadPlan;
  /** What still has to be checked on the parsed event; null when everything the read returns matches. */
  filter: ((e: EventLike) => boolean) | null;
  /**
   * The same check on the only fields it reads, for readers that take them from the event's bytes without parsing it;
   * null when the query has a predicate (it may read anything) or nothing to check.
   */
  fieldFilter: ((f: EventFields) => boolean) | null;
  /** The caller's limit, if any. */
  limit: number | undefined;
  /** True when the id range is empty: nothing can match, no read is needed. */
  empty: boolean;
  /** The clock `since`/`until` compared; null when the query has no time range. */
  clock: TimeClock | null;
  /** What the filter left out of an event-clock range for want of a readable `timestamp` (counted as it runs). */
  counts: TimeRangeCounts;
}

/** The fields of an event a query's filter reads: as JSON.parse gives them, and the timestamp as microseconds. */
export interface EventFields {
  event_type: unknown;
  entity_id: unknown;
  /** parseIsoMicros of the `timestamp`. */
  atMicros: number | null;
}

export interface PlanOptions {
  /** The stream has the store's index streams (written by `appendIndexed`). */
  indexed: boolean;
  /** Where its index keys live (indexBase). @default `<stream>:idx:` */
  indexBase?: string;
}

export function planQuery(stream: string, query: StoreQuery, options: PlanOptions): QueryPlan {
  const entity = checkName(query.entity, 'entity');
  const types = checkTypes(query.types);
  const limit = checkLimit(query.limit);
  if (query.predicate !== undefined && typeof query.predicate !== 'function') throw new BadInputError('predicate must be a function');

  const clock = checkClock(query.clock);
  const ranged = (query.since !== undefined && query.since !== '') || (query.until !== undefined && query.until !== '');
  let start = idBound(query.fromId, 'start', 'fromId');
  let end = idBound(query.toId, 'end', 'toId');
  let empty = limit === 0;
  const counts: TimeRangeCounts = { untimed: 0 };
  let timeCheck: ((atMicros: number | null) => boolean) | null = null;
  if (clock === 'append') {
    start = latest(start, dateBound(query.since, 'start', 'since'));
    end = earliest(end, dateBound(query.until, 'end', 'until'));
  } else if (ranged) {
    const since = timeBoundMicros(query.since, 'since');
    const until = timeBoundMicros(query.until, 'until');
    if (since !== undefined && until !== undefined && since > until) empty = true;
    timeCheck = timeRangeCheck(since, until, counts);
  }
  if (start !== undefined && end !== undefined && compareParsed(start, end) > 0) empty = true;

  const read: ReadPlan = {
    stream,
    start: start ? formatId(start) : '-',
    end: end ? formatId(end) : '+',
    reverse: query.reverse === true,
  };
  const checks: Array<(e: EventLike) => boolean> = [];
  const fieldChecks: Array<(f: EventFields) => boolean> = [];
  const base = options.indexBase ?? indexBase(stream);
  if (entity !== undefined && options.indexed) {
    read.indexKey = `${base}entity:${entity}`;
    read.copies = true;
  } else if (entity !== undefined) {
    checks.push((e) => entityOf(e) === entity);
    fieldChecks.push((f) => entityOf({ entity_id: f.entity_id }) === entity);
  }
  if (types && types.length === 1 && options.indexed && !read.indexKey) {
    read.indexKey = `${base}type:${types[0]}`;
  } else if (types) {
    const wanted = new Set(types);
    checks.push((e) => typeof e.event_type === 'string' && wanted.has(e.event_type));
    fieldChecks.push((f) => typeof f.event_type === 'string' && wanted.has(f.event_type));
  }
  // After entity and type, so `counts.untimed` counts only events the rest of the selection wanted.
  if (timeCheck) {
    const inRange = timeCheck;
    checks.push((e) => inRange(parseIsoMicros(e.timestamp)));
    fieldChecks.push((f) => inRange(f.atMicros));
  }
  if (query.predicate) checks.push(query.predicate);
  const fieldFilter = query.predicate ? null : combine(fieldChecks);
  return { read, filter: combine(checks), fieldFilter, limit, empty, clock: ranged ? clock : null, counts };
}

function combine<T>(checks: Array<(x: T) => boolean>): ((x: T) => boolean) | null {
  if (checks.length === 0) return null;
  if (checks.length === 1) return checks[0];
  return (e) => checks.every((c) => c(e));
}

function checkName(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new BadInputError(`${what} must be a non-empty string`);
  return value;
}

function checkTypes(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || t === '')) {
    throw new BadInputError('types must be a list of non-empty event type names');
  }
  return value.length ? [...new Set(value as string[])] : undefined;
}

function checkLimit(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new BadInputError(`limit must be a whole number ≥ 0, not ${String(value).slice(0, 30)}`);
  }
  return value;
}

function latest(a: ParsedId | undefined, b: ParsedId | undefined): ParsedId | undefined {
  if (!a || !b) return a ?? b;
  return compareParsed(a, b) >= 0 ? a : b;
}

function earliest(a: ParsedId | undefined, b: ParsedId | undefined): ParsedId | undefined {
  if (!a || !b) return a ?? b;
  return compareParsed(a, b) <= 0 ? a : b;
}

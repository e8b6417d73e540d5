// Turns a store query into a read plan: which stream to read (the entity index, the type index or the whole
// stream), the id range, and what must still be filtered after reading. Shared by the store and replay so both
// choose the same (cheapest) path and validate input the same way.
import { type EventLike, entityOf } from '../envelope/envelope';
import { BadInputError } from '../errors';
import { entityIndexKey, typeIndexKey } from './index-keys';
import { compareParsed, dateBound, formatId, idBound, type ParsedId } from './stream-ids';

export interface StoreQuery {
  /** Only events of this entity (`entity_id`). */
  entity?: string;
  /** Only events of these types; an empty list means any type. */
  types?: string[];
  /** Appended at or after this time (ISO-8601 or Date); compares the stream id's time, which is the append time. */
  since?: string | Date;
  /** Appended at or before this time. */
  until?: string | Date;
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
  /** The caller's limit, if any. */
  limit: number | undefined;
  /** True when the id range is empty: nothing can match, no read is needed. */
  empty: boolean;
}

export interface PlanOptions {
  /** The stream has the store's index streams (written by `appendIndexed`). */
  indexed: boolean;
}

export function planQuery(stream: string, query: StoreQuery, options: PlanOptions): QueryPlan {
  const entity = checkName(query.entity, 'entity');
  const types = checkTypes(query.types);
  const limit = checkLimit(query.limit);
  if (query.predicate !== undefined && typeof query.predicate !== 'function') throw new BadInputError('predicate must be a function');

  const start = latest(idBound(query.fromId, 'start', 'fromId'), dateBound(query.since, 'start', 'since'));
  const end = earliest(idBound(query.toId, 'end', 'toId'), dateBound(query.until, 'end', 'until'));
  const empty = limit === 0 || (start !== undefined && end !== undefined && compareParsed(start, end) > 0);

  const read: ReadPlan = {
    stream,
    start: start ? formatId(start) : '-',
    end: end ? formatId(end) : '+',
    reverse: query.reverse === true,
  };
  const checks: Array<(e: EventLike) => boolean> = [];
  if (entity !== undefined && options.indexed) {
    read.indexKey = entityIndexKey(stream, entity);
    read.copies = true;
  } else if (entity !== undefined) {
    checks.push((e) => entityOf(e) === entity);
  }
  if (types && types.length === 1 && options.indexed && !read.indexKey) {
    read.indexKey = typeIndexKey(stream, types[0]);
  } else if (types) {
    const wanted = new Set(types);
    checks.push((e) => typeof e.event_type === 'string' && wanted.has(e.event_type));
  }
  if (query.predicate) checks.push(query.predicate);
  return { read, filter: combine(checks), limit, empty };
}

function combine(checks: Array<(e: EventLike) => boolean>): ((e: EventLike) => boolean) | null {
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

import {
  EventStore,
  type StoredEvent,
  type StoreQuery,
  parseJson,
  eventTypeOf,
  entityOf,
  EventText,
  BadInputError,
  CLOCK_NAMES,
  CLOCKS,
  DEFAULT_CLOCK,
  type TimeClock,
  timeBoundMicros,
  DEFAULT_STORE_STREAM,
} from '../../core/index';
import { type CliCommand, int, str, strs, UsageError, type Values } from '../command';
import type { CliContext } from '../context';
import { RawJson, safeText } from '../output';
import { appendFile, RESUME_USAGE, resumeOptions, resumeSettings } from '../file-appender';
import { printMatch, runStoreSearch, SEARCH_USAGE, searchOptions, wantsSearch } from './store-search';

const storeKeyOption = { 'store-key': { type: 'string' as const } };

export const storeAppendCommand: CliCommand = {
  name: 'store append',
  usage: `ucore store append (<json> | --file events.ndjson ${RESUME_USAGE}) [--store-key event_store]`,
  summary: 'append events to the event store (stream event_store, field event), indexed by entity and type; a file is stored exactly once, riding out a server restart for --retry-for seconds',
  options: { file: { type: 'string', short: 'f' }, ...storeKeyOption, ...resumeOptions },
  positionals: [0, 1],
  async run(ctx, [json], values) {
    const file = str(values, 'file');
    if (!file && json === undefined) throw new UsageError('give the event as JSON or --file');
    const resume = resumeSettings(values);
    const store = new EventStore(await ctx.connect(), { streamKey: str(values, 'store-key'), producerId: resume.producerId });
    if (json !== undefined) {
      const parsed = parseJson(json);
      if (!parsed.ok) throw new BadInputError(parsed.error.message);
      if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) throw new BadInputError('an event must be a JSON object');
      const [stored] = await store.appendBatch([new EventText(json, parsed.value)], { retryForMs: resume.retryForMs, signal: ctx.signal });
      ctx.out.record({ id: stored.id, event: new RawJson(stored.raw) }, `stored ${stored.id} ${safeText(eventTypeOf(stored.event), 80)}`);
      return 0;
    }
    const r = await appendFile(file!, store, resume, ctx.signal, (t) => ctx.out.note(t), async (rows, storeBatch) => {
      await storeBatch(rows.map((row) => row.event));
    });
    const bad = r.badLines;
    ctx.out.record({ appended: r.stored, badLines: bad, producer: store.producerId }, `appended ${r.stored} event${r.stored === 1 ? '' : 's'} to ${store.streamKey}${bad ? `; ${bad} bad line${bad === 1 ? '' : 's'} skipped` : ''}`);
    return bad ? 1 : 0;
  },
};

export const selectionOptions = {
  entity: { type: 'string' as const },
  type: { type: 'string' as const, multiple: true },
  since: { type: 'string' as const },
  until: { type: 'string' as const },
  clock: { type: 'string' as const },
  'from-id': { type: 'string' as const },
  'to-id': { type: 'string' as const },
  limit: { type: 'string' as const },
};

export function selectionFrom(values: Values): StoreQuery {
  const q: StoreQuery = {};
  const entity = str(values, 'entity');
  if (entity !== undefined) q.entity = entity;
  const types = strs(values, 'type').flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  if (types.length) q.types = types;
  for (const [flag, key] of [['since', 'since'], ['until', 'until']] as const) {
    const v = str(values, flag);
    if (v !== undefined) {
      try {
        timeBoundMicros(v, flag);
      } catch {
        throw new UsageError(`--${flag} must be an ISO date/time, e.g. 2025-09-12T10:30:00Z (UTC without an offset); got "${v}"`);
      }
      q[key] = v;
    }
  }
  const clock = str(values, 'clock');
  if (clock !== undefined) {
    if (!(CLOCKS as readonly string[]).includes(clock)) throw new UsageError(`--clock must be "event" (the event's timestamp) or "append" (the stream id's time); got "${clock}"`);
    q.clock = clock as TimeClock;
  }
  const fromId = str(values, 'from-id');
  if (fromId !== undefined) q.fromId = fromId;
  const toId = str(values, 'to-id');
  if (toId !== undefined) q.toId = toId;
  const limit = int(values, 'limit', { min: 1, max: 100_000 });
  if (limit !== undefined) q.limit = limit;
  return q;
}

/** The usage text of the selection's time range. */
export const TIME_RANGE_USAGE = '[--since ISO] [--until ISO] [--clock event|append]';

/** Which clock a query's time range compares, for a line on stderr; null without a time range. */
export function clockNote(q: StoreQuery): string | null {
  if (q.since === undefined && q.until === undefined) return null;
  const clock = q.clock ?? DEFAULT_CLOCK;
  const other: TimeClock = clock === 'event' ? 'append' : 'event';
  return `time range on ${CLOCK_NAMES[clock]}${q.clock === undefined ? ' (the default)' : ''}; --clock ${other} compares ${CLOCK_NAMES[other]}`;
}

export const storeGetCommand: CliCommand = {
  name: 'store get',
  usage: `ucore store get [--entity ID] [--type T]... ${TIME_RANGE_USAGE} [--limit N] [--newest] | ucore store get ${SEARCH_USAGE} [--from-id ID] [--to-id ID] [--limit N] [--newest]`,
  summary: "read events from the store: by entity (indexed), type, time range (on the event's timestamp unless --clock append); oldest first unless --newest. " +
    '--where filters with a CEL expression (event_type == "order_created" && data.total_price > 100) over the stream, --at opens it at a date-time',
  options: { ...selectionOptions, newest: { type: 'boolean' }, ...storeKeyOption, ...searchOptions },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    if (wantsSearch(values)) {
      const transport = await ctx.connect();
      return runStoreSearch(ctx, transport, str(values, 'store-key') ?? DEFAULT_STORE_STREAM, values, (m) => printMatch(ctx, m));
    }
    const store = new EventStore(await ctx.connect(), { streamKey: str(values, 'store-key') });
    const q = selectionFrom(values);
    if (values.newest) q.reverse = true;
    if (q.limit === undefined) q.limit = 100;
    q.counts = { untimed: 0 };
    const events = await store.get(q);
    const note = clockNote(q);
    if (note) ctx.out.note(note);
    if (q.counts.untimed > 0) ctx.out.note(`${q.counts.untimed} event${q.counts.untimed === 1 ? '' : 's'} without a readable timestamp left out of the time range; --clock append includes them by their stream id`);
    for (const e of events) printStored(ctx, e);
    if (!ctx.out.json) ctx.out.note(`${events.length} event${events.length === 1 ? '' : 's'}${events.length === q.limit ? ` (limit ${q.limit}; use --limit for more)` : ''}`);
    return 0;
  },
};

function printStored(ctx: CliContext, e: StoredEvent) {
  if (ctx.out.json) {
    ctx.out.record(e.error ? { id: e.id, error: e.error, raw: e.raw.slice(0, 1000) } : { id: e.id, event: new RawJson(e.raw) }, '');
    return;
  }
  if (e.error) {
    ctx.out.line(`${e.id}  (${safeText(e.error, 80)})  ${safeText(e.raw, 200)}`);
    return;
  }
  const ts = typeof e.event.timestamp === 'string' ? e.event.timestamp : '';
  const entity = entityOf(e.event);
  ctx.out.line(`${e.id}  ${safeText(ts, 40)}  ${safeText(eventTypeOf(e.event), 60)}${entity ? `  ${safeText(entity, 60)}` : ''}  ${safeText(JSON.stringify(e.event.data ?? {}), 200)}`);
}

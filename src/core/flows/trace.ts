// Every event of one entity in time order: from the event store (through its entity index for `entity_id`; a
// bounded scan of the newest entries for events that name the entity only at a key path such as data.order_id),
// from the other streams that hold it (dead letters, a service's own stream: their newest entries), and for each
// stream entry what every consumer group did with it ("order_paid is still pending in group fulfilment, 3
// deliveries").
import { eventTypeOf, type EventLike, readEvent } from '../envelope/envelope';
import { AbortedError, BadInputError } from '../errors';
import type { EventStore } from '../store/event-store';
import { isIndexKey } from '../store/index-keys';
import { compareIds, idTime } from '../store/stream-ids';
import { parseIsoMicros } from '../store/time-range';
import type { StreamEntry, Transport } from '../transport/types';
import { DeliveryChecker, type GroupDelivery } from './delivery';
import { clip, entityKey, type EntityKeyOptions } from './entity-key';
import type { FlowVia } from './flow-types';

/** The text of an event kept in a trace step; a larger one is cut (and marked) so a trace stays small. */
export const MAX_TRACE_RAW = 64 * 1024;

export interface TraceOptions extends Pick<EntityKeyOptions, 'keyPaths'> {
  /** Steps kept at most (the oldest beyond it are dropped and `truncated` set). @default 1000 */
  maxSteps?: number;
  /** Newest store entries scanned for key-path matches. @default 100000 */
  maxScan?: number;
  /** Look into other streams too (SCAN TYPE stream, their newest entries). @default true */
  otherStreams?: boolean;
  /** Other streams looked into at most, and newest entries read from each. @default 100 and 2000 */
  maxStreams?: number;
  perStreamScan?: number;
  /** Check consumer groups of each stream entry (XPENDING). @default true */
  deliveries?: boolean;
  /**
   * Recent pub/sub messages the caller kept (the live monitor's ring): those of the entity that no stream holds
   * (same event_id, or the same text) join the trace as `live` steps. Payloads cut short are skipped.
   */
  live?: readonly LiveMessage[];
  signal?: AbortSignal;
}

/** One received pub/sub message, as a monitor keeps it. */
export interface LiveMessage {
  channel: string;
  sharded?: boolean;
  /** ms since 1970. */
  receivedAt: number;
  payload: string;
  /** The payload was cut (a ring keeps the start of large ones): not read as an event. */
  truncated?: boolean;
}

export interface TraceStep {
  via: FlowVia;
  /** Stream entry id. */
  id?: string;
  /** Time of the event (its timestamp, else the stream id's time), ms. */
  at: number;
  sincePreviousMs: number | null;
  eventType: string;
  eventId?: string;
  /** The event as stored (cut at MAX_TRACE_RAW characters: `rawCut`). */
  raw: string;
  rawCut: boolean;
  event: EventLike;
  deliveries: GroupDelivery[];
  /** Seen only live on a channel (the monitor's ring), in no stream. */
  live?: boolean;
}

export interface EntityTrace {
  entity: string;
  steps: TraceStep[];
  /** The streams that hold events of the entity, with how many. */
  streams: Array<{ stream: string; count: number }>;
  /** More steps were found than maxSteps, or a scan stopped at its bound before the start of a stream. */
  truncated: boolean;
  scanned: number;
}

interface Found {
  stream: string;
  id: string;
  raw: string;
  event: EventLike;
}

export async function traceEntity(transport: Transport, store: EventStore, entity: string, options: TraceOptions = {}): Promise<EntityTrace> {
  if (typeof entity !== 'string' || entity === '') throw new BadInputError('an entity id must be a non-empty text');
  const maxSteps = options.maxSteps ?? 1000;
  const keyOf = entityKey({ keyPaths: options.keyPaths });
  const matches = (e: EventLike) => keyOf(e)?.entity === clip(entity);
  const signal = options.signal;
  const found = new Map<string, Found>();
  const keep = (stream: string, id: string, raw: string, event: EventLike) => found.set(`${stream}\u0000${id}`, { stream, id, raw, event });
  const storeStreams = new Set(store.readStreams());
  let truncated = false;
  let scanned = 0;

  // The store through its entity index: what entity_id names.
  const own = await store.getByEntity(entity, { limit: maxSteps + 1, signal });
  if (own.length > maxSteps) truncated = true;
  for (const s of own.slice(-maxSteps)) keep(s.stream ?? store.streamKey, s.id, s.raw, s.event);

  // Key paths are not indexed: the newest entries, bounded.
  if (options.keyPaths?.length) {
    const maxScan = options.maxScan ?? 100_000;
    for await (const page of store.scan({ reverse: true, pageSize: 1000, limit: maxScan, signal })) {
      throwIfAborted(signal);
      for (const s of page) {
        scanned++;
        if (s.error === undefined && matches(s.event)) keep(s.stream ?? store.streamKey, s.id, s.raw, s.event);
      }
    }
    if (scanned >= maxScan) truncated = true;
  }

  if (options.otherStreams !== false) {
    const perStream = options.perStreamScan ?? 2000;
    for (const stream of await otherStreams(transport, storeStreams, options.maxStreams ?? 100, signal)) {
      throwIfAborted(signal);
      const entries = await transport.xrevrange(stream, '+', '-', perStream);
      scanned += entries.length;
      if (entries.length === perStream) truncated = true;
      for (const entry of entries) {
        const ev = eventOfEntry(entry);
        if (ev && matches(ev.event)) keep(stream, entry.id, ev.raw, ev.event);
      }
    }
  }

  const checker = options.deliveries === false ? null : new DeliveryChecker(transport);
  const steps: TraceStep[] = [];
  if (options.live?.length) steps.push(...liveSteps(options.live, found, matches));
  for (const stored of found.values()) {
    const { stream, id } = stored;
    const micros = parseIsoMicros(stored.event.timestamp);
    const at = micros !== null ? micros / 1000 : idTime(id)?.getTime() ?? 0;
    const rawCut = stored.raw.length > MAX_TRACE_RAW;
    steps.push({
      via: { kind: 'stream', name: stream },
      id,
      at,
      sincePreviousMs: null,
      eventType: clip(eventTypeOf(stored.event), 200),
      eventId: typeof stored.event.event_id === 'string' ? clip(stored.event.event_id) : undefined,
      raw: rawCut ? stored.raw.slice(0, MAX_TRACE_RAW) : stored.raw,
      rawCut,
      event: rawCut ? {} : stored.event,
      deliveries: [],
    });
  }
  // Time order; the same time (or no timestamp) keeps stream order.
  steps.sort((a, b) => a.at - b.at || compareIds(a.id ?? '0-0', b.id ?? '0-0'));
  if (steps.length > maxSteps) {
    steps.splice(0, steps.length - maxSteps);
    truncated = true;
  }
  const streams = new Map<string, number>();
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    s.sincePreviousMs = i === 0 ? null : Math.max(0, Math.round(s.at - steps[i - 1].at));
    if (!s.live) streams.set(s.via.name, (streams.get(s.via.name) ?? 0) + 1);
    if (checker && s.id) {
      throwIfAborted(signal);
      s.deliveries = await checker.check(s.via.name, s.id);
    }
  }
  return { entity, steps, streams: [...streams].map(([stream, count]) => ({ stream, count })), truncated, scanned };
}

/** The live messages of the entity that no stream entry found holds, as steps marked live. */
function liveSteps(live: readonly LiveMessage[], found: ReadonlyMap<string, Found>, matches: (e: EventLike) => boolean): TraceStep[] {
  const storedIds = new Set<string>();
  const storedTexts = new Set<string>();
  for (const f of found.values()) {
    if (typeof f.event.event_id === 'string') storedIds.add(f.event.event_id);
    storedTexts.add(f.raw);
  }
  const out: TraceStep[] = [];
  const seen = new Set<string>();
  for (const m of live) {
    if (m.truncated || typeof m.payload !== 'string' || m.payload.length > MAX_TRACE_RAW) continue;
    const r = readEvent(m.payload);
    if (!r.ok || !matches(r.event)) continue;
    const eventId = typeof r.event.event_id === 'string' ? r.event.event_id : undefined;
    // Stored and published (our store publishes each append), or the same event on two channels: one step.
    if ((eventId !== undefined && (storedIds.has(eventId) || seen.has(eventId))) || storedTexts.has(m.payload) || seen.has(m.payload)) continue;
    seen.add(eventId ?? m.payload);
    const micros = parseIsoMicros(r.event.timestamp);
    out.push({
      via: { kind: m.sharded ? 'shard' : 'channel', name: clip(m.channel) },
      at: micros !== null ? micros / 1000 : m.receivedAt,
      sincePreviousMs: null,
      eventType: clip(eventTypeOf(r.event), 200),
      eventId: eventId === undefined ? undefined : clip(eventId),
      raw: m.payload,
      rawCut: false,
      event: r.event,
      deliveries: [],
      live: true,
    });
  }
  return out;
}

/** Streams beside the store's (SCAN TYPE stream, never KEYS), without the store's own index streams. */
export async function otherStreams(transport: Transport, exclude: ReadonlySet<string>, max: number, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  let rounds = 0;
  do {
    throwIfAborted(signal);
    const r = await transport.scan(cursor, { type: 'stream', count: 1000 });
    cursor = r.cursor;
    for (const k of r.keys) {
      if (exclude.has(k) || isIndexKey(k)) continue;
      out.push(k);
      if (out.length >= max) return out.sort();
    }
  } while (cursor !== '0' && ++rounds < 10_000);
  return out.sort();
}

function eventOfEntry(entry: StreamEntry): { raw: string; event: EventLike } | null {
  const raw = entry.fields.event ?? entry.fields.data ?? entry.fields.payload;
  if (typeof raw !== 'string') return null;
  const r = readEvent(raw);
  return r.ok ? { raw, event: r.event } : null;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('the trace was cancelled');
}

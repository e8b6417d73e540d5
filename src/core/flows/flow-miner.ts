// Builds the directly-follows graph of event types per kind of entity, one event at a time, from history (the
// store, oldest first) and live traffic alike. Memory is bounded whatever comes in: at most maxEntities entities are
// remembered (the least recently active is forgotten first), at most maxKinds kinds and maxTypes types per kind
// (the rest fold into `(other)`), and durations go into fixed-size histograms.
import { eventTypeOf, type EventLike } from '../envelope/envelope';
import { BadInputError } from '../errors';
import { parseIsoMicros } from '../store/time-range';
import { DurationHistogram } from './duration-histogram';
import { clip, entityKey, type EntityKey, type EntityKeyOptions } from './entity-key';
import type { FlowEdge, FlowNode, FlowSnapshot, FlowVia, KindFlow, StuckEntity } from './flow-types';

export const OTHER = '(other)';
const MAX_TYPE_CHARS = 120;
const MAX_VIA = 8;
const MAX_SOURCES = 8;
/** Share of a type's events that end their entity's flow above which the type counts as an end. */
const END_SHARE = 0.5;

export interface FlowMinerOptions extends EntityKeyOptions {
  /** @default 100000 */
  maxEntities?: number;
  /** @default 20 */
  maxKinds?: number;
  /** Event types per kind before the rest fold into `(other)`. @default 30 */
  maxTypes?: number;
  /** Types that end a flow (for every kind); when given, only these do. @default found from the data */
  endTypes?: string[];
  /** An entity is stuck when its last event is older than this (ms). @default p95 of the steps out of its last type × stuckFactor */
  stuckAfterMs?: number;
  /** @default 3 */
  stuckFactor?: number;
  /** Never call an entity stuck before this age (ms), whatever the p95 says. @default 1000 */
  minStuckMs?: number;
  /** Stuck entities listed, oldest first. @default 100 */
  maxStuck?: number;
}

export interface FlowInput {
  event: EventLike;
  via: FlowVia;
  /** Stream entry id, for events read from a stream. */
  id?: string;
  /** When the event has no readable `timestamp`: the stream id's time, or when it was received (ms). */
  fallbackAt: number;
}

interface EntityState {
  kind: KindState;
  lastType: string;
  lastAt: number;
  lastId?: string;
  lastEventId?: string;
  /** The entity's last few event ids: the same event seen again (stored and published, replayed) is not a new step. */
  recent: string[];
  via: FlowVia;
  events: number;
}

/** Event ids remembered per entity to recognise one seen again. */
const RECENT_IDS = 4;

interface NodeState {
  count: number;
  starts: number;
  /** Ends of entities forgotten to stay within maxEntities (the remembered ones are counted when asked). */
  endsForgotten: number;
  via: Map<string, { via: FlowVia; count: number }>;
  sources: Map<string, number>;
}

interface EdgeState {
  from: string;
  to: string;
  count: number;
  durations: DurationHistogram;
}

class KindState {
  readonly nodes = new Map<string, NodeState>();
  readonly edges = new Map<string, EdgeState>();
  readonly folded = new Set<string>();
  entities = 0;
  events = 0;
  constructor(readonly name: string, private readonly maxTypes: number) {}

  /** The node an event type counts under: its own until the kind has maxTypes, then `(other)`. */
  node(type: string): [string, NodeState] {
    let n = this.nodes.get(type);
    if (n) return [type, n];
    if (this.nodes.size >= this.maxTypes && type !== OTHER) {
      // Remember a bounded sample of what was folded, to say how many types there were.
      if (this.folded.size < 1000) this.folded.add(type);
      return this.node(OTHER);
    }
    n = { count: 0, starts: 0, endsForgotten: 0, via: new Map(), sources: new Map() };
    this.nodes.set(type, n);
    return [type, n];
  }

  edge(from: string, to: string): EdgeState {
    const key = `${from}\u0000${to}`;
    let e = this.edges.get(key);
    if (!e) this.edges.set(key, (e = { from, to, count: 0, durations: new DurationHistogram() }));
    return e;
  }
}

export class FlowMiner {
  private readonly key: EntityKey;
  private readonly kinds = new Map<string, KindState>();
  /** Insertion order is recency order: an entity is moved to the end on every event. */
  private readonly entities = new Map<string, EntityState>();
  private readonly maxEntities: number;
  private readonly maxKinds: number;
  private readonly maxTypes: number;
  private readonly endTypes: ReadonlySet<string> | null;
  private readonly options: FlowMinerOptions;
  private totals = { events: 0, malformed: 0, withoutEntity: 0, repeated: 0, evictedEntities: 0 };
  private foldedKinds = new Set<string>();
  private firstAt: number | null = null;
  private lastAt: number | null = null;

  constructor(options: FlowMinerOptions = {}) {
    this.options = options;
    this.key = entityKey(options);
    this.maxEntities = whole(options.maxEntities ?? 100_000, 'maxEntities');
    this.maxKinds = whole(options.maxKinds ?? 20, 'maxKinds');
    this.maxTypes = whole(options.maxTypes ?? 30, 'maxTypes');
    this.endTypes = options.endTypes?.length ? new Set(options.endTypes) : null;
    for (const n of ['stuckAfterMs', 'stuckFactor', 'minStuckMs'] as const) {
      const v = options[n];
      if (v !== undefined && !(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new BadInputError(`${n} must be a number ≥ 0`);
    }
  }

  /** Counts a stream entry or message that could not be read as an event. */
  addMalformed(): void {
    this.totals.malformed++;
  }

  add(input: FlowInput): void {
    const { event } = input;
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      this.totals.malformed++;
      return;
    }
    const ref = this.key(event);
    if (!ref) {
      this.totals.withoutEntity++;
      return;
    }
    const micros = parseIsoMicros(event.timestamp);
    const at = micros === null ? input.fallbackAt : micros / 1000;
    const type = clip(eventTypeOf(event), MAX_TYPE_CHARS);
    const eventId = typeof event.event_id === 'string' ? clip(event.event_id) : undefined;
    const prev = this.entities.get(ref.entity);
    if (prev && eventId !== undefined && prev.recent.includes(eventId)) {
      // The same event again (the store publishes what it appends; a replay): only where it travelled is new.
      this.totals.repeated++;
      const [, node] = prev.kind.node(type);
      this.addVia(node, input.via);
      return;
    }
    const kind = prev?.kind ?? this.kind(ref.kind);
    const [name, node] = kind.node(type);
    node.count++;
    kind.events++;
    this.totals.events++;
    this.addVia(node, input.via);
    const source = sourceOf(event);
    if (source !== null && (node.sources.has(source) || node.sources.size < MAX_SOURCES * 4)) node.sources.set(source, (node.sources.get(source) ?? 0) + 1);
    if (this.firstAt === null || at < this.firstAt) this.firstAt = at;
    if (this.lastAt === null || at > this.lastAt) this.lastAt = at;
    if (prev) {
      const edge = kind.edge(prev.lastType, name);
      edge.count++;
      edge.durations.add(at - prev.lastAt);
      this.entities.delete(ref.entity);
      prev.lastType = name;
      prev.lastAt = Math.max(prev.lastAt, at);
      prev.lastId = input.id;
      prev.lastEventId = eventId;
      if (eventId !== undefined) {
        prev.recent.push(eventId);
        if (prev.recent.length > RECENT_IDS) prev.recent.shift();
      }
      prev.via = input.via;
      prev.events++;
      this.entities.set(ref.entity, prev);
      return;
    }
    node.starts++;
    kind.entities++;
    this.entities.set(ref.entity, { kind, lastType: name, lastAt: at, lastId: input.id, lastEventId: eventId, recent: eventId === undefined ? [] : [eventId], via: input.via, events: 1 });
    if (this.entities.size > this.maxEntities) this.evictOldest();
  }

  snapshot(now = Date.now()): FlowSnapshot {
    const remembered = new Map<KindState, Map<string, number>>();
    for (const e of this.entities.values()) {
      let ends = remembered.get(e.kind);
      if (!ends) remembered.set(e.kind, (ends = new Map()));
      ends.set(e.lastType, (ends.get(e.lastType) ?? 0) + 1);
    }
    const kinds: KindFlow[] = [];
    const ends = new Map<KindState, Set<string>>();
    const p95Out = new Map<KindState, Map<string, number>>();
    for (const k of this.kinds.values()) {
      const liveEnds = remembered.get(k) ?? new Map<string, number>();
      const outgoing = new Map<string, number>();
      const slowest = new Map<string, number>();
      const edges: FlowEdge[] = [];
      for (const e of k.edges.values()) {
        outgoing.set(e.from, (outgoing.get(e.from) ?? 0) + e.count);
        const p95 = e.durations.quantile(0.95);
        if (p95 !== null) slowest.set(e.from, Math.max(slowest.get(e.from) ?? 0, p95));
        edges.push({ from: e.from, to: e.to, count: e.count, p50Ms: e.durations.quantile(0.5), p95Ms: p95 });
      }
      p95Out.set(k, slowest);
      const endSet = new Set<string>();
      const nodes: FlowNode[] = [];
      for (const [type, n] of k.nodes) {
        const endCount = n.endsForgotten + (liveEnds.get(type) ?? 0);
        const end = this.endTypes ? this.endTypes.has(type) : endCount >= END_SHARE * n.count || !outgoing.has(type);
        if (end) endSet.add(type);
        nodes.push({
          type, count: n.count, starts: n.starts, ends: endCount, end,
          via: [...n.via.values()].sort((a, b) => b.count - a.count).slice(0, MAX_VIA).map(({ via, count }) => ({ ...via, count })),
          sources: [...n.sources].sort((a, b) => b[1] - a[1]).slice(0, MAX_SOURCES).map(([source, count]) => ({ source, count })),
        });
      }
      ends.set(k, endSet);
      nodes.sort((a, b) => b.count - a.count);
      edges.sort((a, b) => b.count - a.count);
      kinds.push({
        kind: k.name, entities: k.entities, events: k.events, nodes, edges,
        startTypes: nodes.filter((n) => n.starts > 0).map((n) => n.type),
        endTypes: nodes.filter((n) => n.end).map((n) => n.type),
        foldedTypes: k.folded.size,
      });
    }
    kinds.sort((a, b) => b.events - a.events);
    return {
      kinds,
      stuck: this.stuck(now, ends, p95Out),
      totals: { ...this.totals, entities: this.entities.size, foldedKinds: this.foldedKinds.size },
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      now,
    };
  }

  private stuck(now: number, ends: Map<KindState, Set<string>>, p95Out: Map<KindState, Map<string, number>>): StuckEntity[] {
    const factor = this.options.stuckFactor ?? 3;
    const floor = this.options.minStuckMs ?? 1000;
    const max = this.options.maxStuck ?? 100;
    const out: StuckEntity[] = [];
    for (const [entity, e] of this.entities) {
      if (ends.get(e.kind)?.has(e.lastType)) continue;
      const p95 = p95Out.get(e.kind)?.get(e.lastType);
      const threshold = this.options.stuckAfterMs ?? Math.max(floor, (p95 ?? 0) * factor);
      const age = now - e.lastAt;
      if (age <= threshold) continue;
      const s: StuckEntity = { entity, kind: e.kind.name, lastType: e.lastType, lastAt: e.lastAt, ageMs: Math.round(age), thresholdMs: Math.round(threshold), via: e.via, events: e.events };
      if (e.lastId !== undefined) s.lastId = e.lastId;
      if (e.lastEventId !== undefined) s.lastEventId = e.lastEventId;
      out.push(s);
    }
    // Oldest first; a bounded list (the count of all is the caller's to ask for if it matters).
    out.sort((a, b) => b.ageMs - a.ageMs);
    return out.slice(0, max);
  }

  private kind(name: string): KindState {
    let k = this.kinds.get(name);
    if (k) return k;
    if (this.kinds.size >= this.maxKinds && name !== OTHER) {
      if (this.foldedKinds.size < 1000) this.foldedKinds.add(name);
      return this.kind(OTHER);
    }
    k = new KindState(name, this.maxTypes);
    this.kinds.set(name, k);
    return k;
  }

  private addVia(node: NodeState, via: FlowVia): void {
    const key = `${via.kind}\u0000${via.name}`;
    const seen = node.via.get(key);
    if (seen) seen.count++;
    else if (node.via.size < MAX_VIA * 4) node.via.set(key, { via: { kind: via.kind, name: clip(via.name, MAX_TYPE_CHARS) }, count: 1 });
  }

  private evictOldest(): void {
    const oldest = this.entities.entries().next();
    if (oldest.done) return;
    const [entity, e] = oldest.value;
    this.entities.delete(entity);
    const node = e.kind.nodes.get(e.lastType);
    if (node) node.endsForgotten++;
    this.totals.evictedEntities++;
  }
}

function sourceOf(event: EventLike): string | null {
  const m = event.metadata;
  if (typeof m !== 'object' || m === null || Array.isArray(m) || !Object.prototype.hasOwnProperty.call(m, 'source')) return null;
  const s = (m as Record<string, unknown>).source;
  return typeof s === 'string' && s !== '' ? clip(s, MAX_TYPE_CHARS) : null;
}

function whole(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new BadInputError(`${what} must be a whole number ≥ 1, not ${String(n)}`);
  return n;
}

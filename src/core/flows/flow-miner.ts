// Builds the directly-follows graph of event types per kind of entity, one event at a time, from history (the
// store, oldest first) and live traffic alike. Memory is bounded whatever comes in: at most maxEntities entities are
// remembered (the least recently active is forgotten first), at most maxKinds kinds and maxTypes types per kind
// (the rest fold into `(other)`), and durations go into fixed-size histograms.
import { eventTypeText, readEvent, type EventLike } from '../envelope/envelope';
import { BadInputError } from '../errors';
import { idTime } from '../store/stream-ids';
import { parseIsoMicros } from '../store/time-range';
import { BoundedBest } from './bounded-best';
import { DurationHistogram } from './duration-histogram';
import { clip, entityKey, type EntityKey, type EntityKeyOptions, type EntityRef } from './entity-key';
import { ENTITY_SLOT, EVENT_ID_SLOT, FlowFieldReader, KEY_PATH_SLOT, SOURCE_SLOT, TYPE_SLOT } from './flow-fields';
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
  /**
   * When the event has no readable `timestamp`: when it was received (ms). Without it, the stream id's time (worked
   * out only for such events: parsing every id would cost a tenth of the mining).
   */
  fallbackAt?: number;
}

interface EntityState {
  kind: KindState;
  /** The node of its last event (its type, or OTHER). */
  lastNode: NodeState;
  lastAt: number;
  lastId?: string;
  lastEventId?: string;
  /** The entity's last few event ids: the same event seen again (stored and published, replayed) is not a new step. */
  recent: string[];
  via: FlowVia;
  events: number;
  /** The miner's tick when the entity was (re)placed at the end of the map, and of its last event (second chance). */
  placed: number;
  touched: number;
}

/** Event ids remembered per entity to recognise one seen again. */
const RECENT_IDS = 4;

interface NodeState {
  /** The type it counts (its own, or OTHER). */
  name: string;
  count: number;
  starts: number;
  /** Entities whose last event (so far) is of this type, remembered or forgotten: kept as events come, so a snapshot
   *  need not go over every entity to count them. */
  ends: number;
  /** Set by each snapshot for the stuck list: whether the type ends a flow, and past what age an entity waiting
   *  after it is stuck (two reads per entity instead of four map lookups, over up to maxEntities entities). */
  endsFlow: boolean;
  stuckAfterMs: number;
  /** Where events of the type travelled: kind → name → count (nested, so counting one builds no key text). */
  via: Map<FlowVia['kind'], Map<string, { via: FlowVia; count: number }>>;
  viaCount: number;
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
  /** from → to → step (nested, so counting a step builds no key text). */
  readonly edges = new Map<string, Map<string, EdgeState>>();
  readonly folded = new Set<string>();
  entities = 0;
  events = 0;
  constructor(readonly name: string, private readonly maxTypes: number) {}

  /** The node an event type counts under: its own until the kind has maxTypes, then `(other)`. */
  node(type: string): NodeState {
    let n = this.nodes.get(type);
    if (n) return n;
    if (this.nodes.size >= this.maxTypes && type !== OTHER) {
      // Remember a bounded sample of what was folded, to say how many types there were.
      if (this.folded.size < 1000) this.folded.add(type);
      return this.node(OTHER);
    }
    n = { name: type, count: 0, starts: 0, ends: 0, endsFlow: false, stuckAfterMs: 0, via: new Map(), viaCount: 0, sources: new Map() };
    this.nodes.set(type, n);
    return n;
  }

  edge(from: string, to: string): EdgeState {
    let out = this.edges.get(from);
    if (!out) this.edges.set(from, (out = new Map()));
    let e = out.get(to);
    if (!e) out.set(to, (e = { from, to, count: 0, durations: new DurationHistogram() }));
    return e;
  }

  *allEdges(): Iterable<EdgeState> {
    for (const out of this.edges.values()) yield* out.values();
  }

}

export class FlowMiner {
  private readonly key: EntityKey;
  private readonly kinds = new Map<string, KindState>();
  /** In order of placing (see evictOldest): the front is where the least recently active are. */
  private readonly entities = new Map<string, EntityState>();
  private readonly maxEntities: number;
  private readonly maxKinds: number;
  private readonly maxTypes: number;
  private readonly endTypes: ReadonlySet<string> | null;
  private readonly options: FlowMinerOptions;
  private totals = { events: 0, malformed: 0, withoutEntity: 0, repeated: 0, evictedEntities: 0 };
  private foldedKinds = new Set<string>();
  private firstAt: number | null = null;
  private evictor: Iterator<[string, EntityState]> | undefined;
  private tick = 0;
  private lastAt: number | null = null;
  private readonly reader: FlowFieldReader | null;

  constructor(options: FlowMinerOptions = {}) {
    this.options = options;
    this.key = entityKey(options);
    this.reader = FlowFieldReader.create(this.key.paths);
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
    this.addEvent(input.event, input.via, input.id, input.fallbackAt);
  }

  /**
   * Adds an event given as its JSON bytes (a stream entry read as a Buffer). Only the fields mining looks at are
   * read (flow-fields.ts), a fraction of the cost of JSON.parse; when that reader is not sure, it is parsed in full.
   */
  addRaw(bytes: Buffer, via: FlowVia, id?: string): void {
    const r = this.reader;
    if (r !== null && r.read(bytes)) {
      const v = r.values;
      const ref = this.key.fromValues(v[ENTITY_SLOT], v, KEY_PATH_SLOT);
      if (!ref) {
        this.totals.withoutEntity++;
        return;
      }
      const at = r.atMicros !== null ? r.atMicros / 1000 : id === undefined ? 0 : idTime(id)?.getTime() ?? 0;
      const source = v[SOURCE_SLOT];
      this.addStep(ref, at, typeText(v[TYPE_SLOT]), idOf(v[EVENT_ID_SLOT]), typeof source === 'string' && source !== '' ? clip(source, MAX_TYPE_CHARS) : null, via, id);
      return;
    }
    const parsed = readEvent(bytes);
    if (parsed.ok) this.addEvent(parsed.event, via, id, undefined);
    else this.totals.malformed++;
  }

  private addEvent(event: EventLike, via: FlowVia, id: string | undefined, fallbackAt: number | undefined): void {
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
    const at = micros !== null ? micros / 1000 : fallbackAt ?? (id === undefined ? 0 : idTime(id)?.getTime() ?? 0);
    this.addStep(ref, at, typeText(event.event_type), idOf(event.event_id), sourceOf(event), via, id);
  }

  /** One event of an entity, from the fields addEvent and addRaw read. */
  private addStep(ref: EntityRef, at: number, type: string, eventId: string | undefined, source: string | null, via: FlowVia, id: string | undefined): void {
    const prev = this.entities.get(ref.entity);
    if (prev && eventId !== undefined && prev.recent.includes(eventId)) {
      // The same event again (the store publishes what it appends; a replay): only where it travelled is new.
      this.totals.repeated++;
      const node = prev.kind.node(type);
      this.addVia(node, via);
      return;
    }
    const kind = prev?.kind ?? this.kind(ref.kind);
    const node = kind.node(type);
    const name = node.name;
    node.count++;
    kind.events++;
    this.totals.events++;
    this.addVia(node, via);
    if (source !== null && (node.sources.has(source) || node.sources.size < MAX_SOURCES * 4)) node.sources.set(source, (node.sources.get(source) ?? 0) + 1);
    if (this.firstAt === null || at < this.firstAt) this.firstAt = at;
    if (this.lastAt === null || at > this.lastAt) this.lastAt = at;
    if (prev) {
      const edge = kind.edge(prev.lastNode.name, name);
      edge.count++;
      edge.durations.add(at - prev.lastAt);
      prev.touched = ++this.tick;
      prev.lastNode.ends--;
      node.ends++;
      prev.lastNode = node;
      prev.lastAt = Math.max(prev.lastAt, at);
      prev.lastId = id;
      prev.lastEventId = eventId;
      if (eventId !== undefined) {
        prev.recent.push(eventId);
        if (prev.recent.length > RECENT_IDS) prev.recent.shift();
      }
      prev.via = via;
      prev.events++;
      return;
    }
    node.starts++;
    kind.entities++;
    const tick = ++this.tick;
    node.ends++;
    this.entities.set(ref.entity, { kind, lastNode: node, lastAt: at, lastId: id, lastEventId: eventId, recent: eventId === undefined ? [] : [eventId], via: via, events: 1, placed: tick, touched: tick });
    if (this.entities.size > this.maxEntities) this.evictOldest();
  }

  snapshot(now = Date.now()): FlowSnapshot {
    const kinds: KindFlow[] = [];
    const factor = this.options.stuckFactor ?? 3;
    const floor = this.options.minStuckMs ?? 1000;
    for (const k of this.kinds.values()) {
      const outgoing = new Map<string, number>();
      const slowest = new Map<string, number>();
      const edges: FlowEdge[] = [];
      for (const e of k.allEdges()) {
        outgoing.set(e.from, (outgoing.get(e.from) ?? 0) + e.count);
        const p95 = e.durations.quantile(0.95);
        if (p95 !== null) slowest.set(e.from, Math.max(slowest.get(e.from) ?? 0, p95));
        edges.push({ from: e.from, to: e.to, count: e.count, p50Ms: e.durations.quantile(0.5), p95Ms: p95 });
      }
      const nodes: FlowNode[] = [];
      for (const [type, n] of k.nodes) {
        const endCount = n.ends;
        const end = this.endTypes ? this.endTypes.has(type) : endCount >= END_SHARE * n.count || !outgoing.has(type);
        n.endsFlow = end;
        n.stuckAfterMs = this.options.stuckAfterMs ?? Math.max(floor, (slowest.get(type) ?? 0) * factor);
        nodes.push({
          type, count: n.count, starts: n.starts, ends: endCount, end,
          via: [...n.via.values()].flatMap((m) => [...m.values()]).sort((a, b) => b.count - a.count).slice(0, MAX_VIA).map(({ via, count }) => ({ ...via, count })),
          sources: [...n.sources].sort((a, b) => b[1] - a[1]).slice(0, MAX_SOURCES).map(([source, count]) => ({ source, count })),
        });
      }
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
      stuck: this.stuck(now),
      totals: { ...this.totals, entities: this.entities.size, foldedKinds: this.foldedKinds.size },
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      now,
    };
  }

  /** After the nodes' endsFlow and stuckAfterMs were set by snapshot. */
  private stuck(now: number): StuckEntity[] {
    const max = this.options.maxStuck ?? 100;
    // Oldest first (by whole ms; equal ages in the order the entities are held), a bounded list: the count of all is
    // the caller's to ask for if it matters.
    const oldest = new BoundedBest<{ entity: string; e: EntityState; age: number; threshold: number; order: number }>(
      max, (a, b) => a.age > b.age || (a.age === b.age && a.order < b.order),
    );
    let order = 0;
    for (const [entity, e] of this.entities) {
      order++;
      const last = e.lastNode;
      if (last.endsFlow) continue;
      const threshold = last.stuckAfterMs;
      const exact = now - e.lastAt;
      if (exact <= threshold) continue;
      const age = Math.round(exact);
      const bar = oldest.bar;
      if (bar !== undefined && age <= bar.age) continue; // not older than the youngest kept: never kept (it came later)
      oldest.offer({ entity, e, age, threshold, order });
    }
    return oldest.best().map(({ entity, e, age, threshold }) => {
      const s: StuckEntity = { entity, kind: e.kind.name, lastType: e.lastNode.name, lastAt: e.lastAt, ageMs: age, thresholdMs: Math.round(threshold), via: e.via, events: e.events };
      if (e.lastId !== undefined) s.lastId = e.lastId;
      if (e.lastEventId !== undefined) s.lastEventId = e.lastEventId;
      return s;
    });
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
    let byName = node.via.get(via.kind);
    if (!byName) node.via.set(via.kind, (byName = new Map()));
    const seen = byName.get(via.name);
    if (seen) seen.count++;
    else if (node.viaCount < MAX_VIA * 4) {
      node.viaCount++;
      byName.set(via.name, { via: { kind: via.kind, name: clip(via.name, MAX_TYPE_CHARS) }, count: 1 });
    }
  }

  /**
   * Forgets the least recently active entity, approximately ("second chance"): the map is in order of placing, an
   * event only marks its entity touched (moving it to the end on every event cost a delete and an insert each), and
   * the entity at the front is moved to the end if it was touched since it was placed, else forgotten.
   * One iterator is kept across evictions: a Map iterator follows the live map, and what it has passed is forgotten
   * or moved to the end. A fresh entries() each time would walk past every deleted slot at the front again (V8 keeps
   * them until the table is rebuilt): that made mining beyond the cap a hundred times slower.
   */
  private evictOldest(): void {
    let oldest: IteratorResult<[string, EntityState]>;
    for (;;) {
      oldest = this.evictor?.next() ?? { done: true, value: undefined };
      if (oldest.done) {
        this.evictor = this.entities.entries();
        oldest = this.evictor.next();
        if (oldest.done) return;
      }
      const [name, state] = oldest.value;
      if (state.touched <= state.placed) break;
      this.entities.delete(name);
      state.placed = state.touched = ++this.tick;
      this.entities.set(name, state);
    }
    // Its last type keeps counting as an end (NodeState.ends): the flow stopped there as far as the map knows.
    this.entities.delete(oldest.value[0]);
    this.totals.evictedEntities++;
  }
}

/** The type as the graph names it: eventTypeOf, clipped. */
function typeText(t: unknown): string {
  return clip(eventTypeText(t), MAX_TYPE_CHARS);
}

function idOf(v: unknown): string | undefined {
  return typeof v === 'string' ? clip(v) : undefined;
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

// What flow mining answers: per kind of entity, the directly-follows graph of event types (PM4Py's DFG), with the
// time between steps, where each type travelled, and the entities that stopped where they should not have.
import type { EventTarget } from '../target';

/** Where an event was seen: the store's stream, another stream, a channel or a shard channel. */
export type FlowVia = EventTarget;

export interface FlowNode {
  /** The event type (clipped; `(other)` stands for the types past the cap, `(none)` for events without one). */
  type: string;
  count: number;
  /** Entities whose first event (in what was read) was of this type. */
  starts: number;
  /** Entities whose last event (so far) is of this type. */
  ends: number;
  /** Taken as an end of the flow: configured, or most of its events end their entity's flow, or nothing follows it. */
  end: boolean;
  /** The streams and channels events of this type were seen on, most used first (at most MAX_VIA). */
  via: Array<FlowVia & { count: number }>;
  /** `metadata.source` of its events (the publisher), most frequent first (at most MAX_SOURCES). */
  sources: Array<{ source: string; count: number }>;
}

export interface FlowEdge {
  from: string;
  to: string;
  /** How often an event of `to` directly followed one of `from` for the same entity. */
  count: number;
  /** Median and 95th percentile of the time between the two, in ms (within about 5 %). */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface KindFlow {
  kind: string;
  entities: number;
  events: number;
  nodes: FlowNode[];
  edges: FlowEdge[];
  startTypes: string[];
  endTypes: string[];
  /** Distinct types folded into `(other)` because the kind had reached maxTypes. */
  foldedTypes: number;
}

export interface StuckEntity {
  entity: string;
  kind: string;
  lastType: string;
  /** Time of the last event (ms since 1970). */
  lastAt: number;
  ageMs: number;
  /** The age past which it counts as stuck: the threshold given, else p95 of the steps out of lastType × factor. */
  thresholdMs: number;
  /** Stream entry id of the last event, when it came from a stream. */
  lastId?: string;
  lastEventId?: string;
  via: FlowVia;
  events: number;
}

export interface FlowTotals {
  /** Events counted in a flow. */
  events: number;
  /** Entries that were not a JSON object event (skipped). */
  malformed: number;
  /** Events without an entity (no entity_id and nothing at the key paths): counted here only. */
  withoutEntity: number;
  /** The same event seen again (same event_id right after itself, e.g. stored and published): not counted twice. */
  repeated: number;
  /** Entities currently remembered, and how many were forgotten to stay within maxEntities. */
  entities: number;
  evictedEntities: number;
  /** Kinds folded into `(other)` because maxKinds was reached. */
  foldedKinds: number;
}

export interface FlowSnapshot {
  kinds: KindFlow[];
  stuck: StuckEntity[];
  totals: FlowTotals;
  /** Time of the oldest and newest event counted (ms), null when none was. */
  firstAt: number | null;
  lastAt: number | null;
  /** When the snapshot was taken; ages are measured from here. */
  now: number;
}

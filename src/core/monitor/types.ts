// Public shapes of the event monitor: options, snapshot, recent events, alert rules and alerts.
import type { ShardSubscriber } from './shard-follower';
import type { Logger } from '../logger';
import type { ConnectionStatus } from '../transport/types';

export interface AlertRule {
  /** Names the rule in alerts; unique among the rules. */
  id: string;
  /** What the rate is measured on: one channel, one event type, or all traffic. */
  scope: 'channel' | 'type' | 'total';
  /** Channel or type name, exactly or as a Redis glob (`orders:*`); ignored for `total`. */
  match: string;
  /** Fires when the rate goes above this. */
  eventsPerSecond: number;
  /** Seconds the rate is averaged over. @default 10 */
  windowSeconds?: number;
}

export interface MonitorAlert {
  ruleId: string;
  scope: AlertRule['scope'];
  /** The channel or type that crossed (`total` for the total scope). */
  key: string;
  /** The rate when the alert fired or resolved (events/s). */
  rate: number;
  threshold: number;
  /** ms since the epoch. */
  at: number;
  /** `firing` once when the rate goes above the threshold, `resolved` once when it is back at or below. */
  state: 'firing' | 'resolved';
}

export interface MonitorOptions {
  /** PSUBSCRIBE patterns. @default ['*'] */
  patterns?: string[];
  /** Streams sampled every `sampleIntervalMs` (length, new entries, groups' lag and pending). */
  streams?: string[];
  /**
   * Also count shard channels (SPUBLISH) matching `patterns`: those with subscribers are found and followed every
   * `shardDiscoveryMs`. @default true on a Redis Cluster, false elsewhere
   */
  shardChannels?: boolean;
  /** @default 5000 */
  shardDiscoveryMs?: number;
  /**
   * Subscribe to shard channels through this (an EventAdapter on the same transport) instead of on the transport:
   * needed when others subscribe to shard channels on that connection too, so one side's unsubscribe does not end
   * the other's subscription.
   */
  shardSubscriber?: ShardSubscriber;
  /** @default 1000 */
  sampleIntervalMs?: number;
  /** Seconds of per-second history kept per channel and type (10–3600). @default 60 */
  windowSeconds?: number;
  /** Recent events kept. @default 500 */
  recentCapacity?: number;
  /** Chars of a payload kept in the recent buffer; longer ones are truncated and flagged. @default 65536 */
  recentPayloadChars?: number;
  /** Channels tracked by name; more count into `(other)`. @default 500 */
  maxChannels?: number;
  /** Event types tracked by name; more count into `(other)`. @default 500 */
  maxTypes?: number;
  /** Also keep the guide's `event_counts:{channel}:{event_type}` counters in Redis (batched, once a second). */
  counters?: boolean;
  /** Distinct counter keys buffered between flushes; more count into `event_counts:(other):(other)`. @default 10000 */
  maxCounterKeys?: number;
  alerts?: AlertRule[];
  /** Payloads longer than this (in chars) are not parsed; their type is looked for in the first 4 KiB. @default 1 MiB */
  maxPayloadBytes?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  logger?: Logger;
}

export interface RateSummary {
  /** Channel or type name; `(other)` aggregates everything beyond the top N and the untracked names. */
  name: string;
  /** Events counted while tracked (the grand total is exact; a name evicted after a long idle restarts at 0). */
  total: number;
  /** Events/s over the last completed second, 10 seconds, and 60 seconds (or the window, if shorter). */
  rate1s: number;
  rate10s: number;
  rate60s: number;
}

export interface RecentEvent {
  /** Increases by one per event seen since the monitor was created (or cleared). */
  seq: number;
  channel: string;
  pattern?: string;
  /** ms since the epoch. */
  receivedAt: number;
  type: string;
  entity: string | null;
  /** Size of the whole payload in UTF-8 bytes. */
  sizeBytes: number;
  /** The payload text, cut to `recentPayloadChars` when `truncated`. */
  payload: string;
  truncated: boolean;
}

export interface RecentFilter {
  /** Exact channel name. */
  channel?: string;
  /** Exact event type. */
  type?: string;
  /** Substring of the (kept part of the) payload. */
  text?: string;
}

export interface StreamGroupSample {
  name: string;
  consumers: number;
  pending: number;
  /** Entries not yet delivered to the group; null when Redis cannot tell. */
  lag: number | null;
}

export interface StreamSample {
  stream: string;
  exists: boolean;
  length: number;
  lastId: string | null;
  /** Growth in length since the previous sample (0 on the first, and when the stream was trimmed). */
  newEntries: number;
  /** `newEntries` per second; null until there are two samples. */
  entriesPerSecond: number | null;
  groups: StreamGroupSample[];
  /** ms since the epoch. */
  sampledAt: number;
  /** Why the last sample failed, if it did. */
  error?: string;
}

export interface CounterFlushState {
  /** Distinct counter keys waiting for the next flush. */
  pendingKeys: number;
  /** Increments sent to Redis so far. */
  flushed: number;
  /** Increments routed to `event_counts:(other):(other)` because too many distinct keys were pending. */
  overflowed: number;
  failures: number;
  lastError?: string;
}

export interface MonitorSnapshot {
  /** ms since the epoch (monitor clock). */
  at: number;
  running: boolean;
  connection: ConnectionStatus;
  /** Times the subscription connection was lost: messages published meanwhile were not seen. */
  gaps: number;
  lastGapAt: number | null;
  total: RateSummary;
  /** Top channels by 10 s rate, then `(other)` for the rest. */
  channels: RateSummary[];
  /** Top event types by 10 s rate, then `(other)` for the rest. */
  types: RateSummary[];
  trackedChannels: number;
  trackedTypes: number;
  streams: StreamSample[];
  /** Newest first. */
  recent: RecentEvent[];
  activeAlerts: MonitorAlert[];
  counters: CounterFlushState | null;
}

export interface SnapshotOptions {
  /** Channels and types listed by name before `(other)`. @default 10 */
  top?: number;
  /** Recent events included. @default 20 */
  recent?: number;
}

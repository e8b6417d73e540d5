// Monitor: live counts, rates, alerts and recent events of pub/sub traffic; the guide's event_counts statistics.
export { EventMonitor, foldTop, isSentinelHello, type EventTap, type EventInspector } from './monitor';
export type {
  AlertRule, MonitorAlert, MonitorOptions, MonitorSnapshot, RateSummary, RecentEvent, RecentFilter, SnapshotOptions,
  StreamSample, StreamGroupSample, CounterFlushState,
} from './types';
export { getEventStatistics, type EventStatistics, type EventStatisticsOptions } from './statistics';
export { COUNTER_KEY_PREFIX } from './counter-flusher';
export { MALFORMED_TYPE, UNKNOWN_TYPE } from './payload-sniffer';
export { OTHER_KEY } from './bounded-counters';
export type { ShardSubscriber } from './shard-follower';

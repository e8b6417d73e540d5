// Lag over time per consumer group, stuck-consumer detection and the claim that fixes it.
export { LagHistory, claimStuck, type ClaimResult, type LagSample, type StuckConsumer, type LagHistoryOptions } from './lag-history';
export { lagTrend, compactTrend, type LagTrend } from './lag-trend';

// The monitor protocol's limits and its one text helper, apart from its zod schemas (monitorProtocol.ts): the
// extension host's always-loaded monitor code needs only these, and building the schemas when the bundle loads cost
// activation time (issue 13). The schemas are built when the panel's module is first loaded.

/** Longest channel, type, entity, rule id or stream name sent (longer ones are clipped with an ellipsis). */
export const MAX_NAME_CHARS = 200;
/** Payload preview sent per recent event; the whole (kept) payload stays in the host for Inspect. */
export const MAX_PREVIEW_CHARS = 300;
/** Rows of the channel and type tables. */
export const MAX_RATES = 20;
/** Named series per chart; the rest add up to `(other)`. */
export const MAX_SERIES = 8;
/**
 * Recent events per update at most (at 10 updates/s: 500 rows/s, the table's capacity in 2 s). More would only
 * churn: the host keeps each listed payload for Inspect, and at 100 rows per update that alone promoted ~0.5 MB/s
 * to the extension host's old generation.
 */
export const MAX_RECENT_PER_UPDATE = 50;
/** Recent events the page keeps for its table. */
export const MAX_TABLE_ROWS = 1000;
/** Per-second history kept by the host and sent on `init`: 15 minutes, the longest time window. */
export const HISTORY_SECONDS = 900;
/** New points in one update at most (the rest come with the next `init`). */
export const MAX_POINTS_PER_UPDATE = 30;
export const MAX_STREAMS = 10;
export const MAX_GROUPS = 20;
export const MAX_ALERT_RULES = 100;
export const MAX_ALERTS = 50;
export const MAX_STATUSES = 20;
/** Time windows of the charts, in seconds. */
export const TIME_WINDOWS = [60, 300, 900] as const;
/** Updates per second at most (the host's coalescing limit). */
export const MAX_UPDATES_PER_SECOND = 10;
/** Longest explanatory note the host sends (a row's note, the notice after a connection switch). */
export const MAX_NOTE_CHARS = 600;

/** Rows of the contract table (channel × event type) per update. */
export const MAX_CONTRACT_ROWS = 50;
/** New contract violations per update at most (the rest are counted in `skipped`). */
export const MAX_VIOLATIONS_PER_UPDATE = 50;
/** Violations the page keeps in its list. */
export const MAX_VIOLATION_ROWS = 200;
/** Longest violation message, JSON pointer or rule location sent. */
export const MAX_VIOLATION_TEXT = 500;

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

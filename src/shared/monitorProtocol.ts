// Messages between the monitor panel's host (extension) and its webview, validated with zod on arrival on both
// sides: the webview trusts nothing the host did not send in this shape, the host nothing the page sends.
// Shared by src/extension/monitor/* and src/webview/monitor/* (bundled into each). Built on `zod/mini`, which
// tree-shakes: the webview bundle carries only the validators used here instead of all of zod (458 KB → ~100 KB).
//
// Every array is bounded by its schema: the host sends deltas (new recent events since the last update, new
// per-second points) and the page never receives, nor keeps, an unbounded list.
import * as z from 'zod/mini';

export * from './monitorLimits';
import { MAX_NAME_CHARS, MAX_PREVIEW_CHARS, MAX_RATES, MAX_SERIES, MAX_RECENT_PER_UPDATE, MAX_POINTS_PER_UPDATE, MAX_STREAMS, MAX_GROUPS, MAX_ALERT_RULES, MAX_ALERTS, MAX_STATUSES, MAX_NOTE_CHARS, HISTORY_SECONDS, MAX_CONTRACT_ROWS, MAX_VIOLATIONS_PER_UPDATE, MAX_VIOLATION_TEXT } from './monitorLimits';

const name = z.string().check(z.maxLength(MAX_NAME_CHARS + 1));
const count = z.number().check(z.nonnegative());
const int = z.int().check(z.nonnegative());
const pairs = (max: number) => z.array(z.tuple([name, count])).check(z.maxLength(max));

export const connectionStatusSchema = z.enum(['connecting', 'ready', 'reconnecting', 'closed', 'none']);

export const rateRowSchema = z.object({
  name,
  total: count,
  rate1s: count,
  rate10s: count,
  rate60s: count,
  /** Channels only: PUBSUB NUMSUB (pattern subscribers such as the monitor itself are not counted); null unknown. */
  subscribers: z.optional(z.nullable(int)),
  /** Why this row counts what it counts, when that is not obvious (e.g. the event store's echo channel). */
  note: z.optional(z.string().check(z.maxLength(MAX_NOTE_CHARS))),
});
export type RateRow = z.infer<typeof rateRowSchema>;

export const recentRowSchema = z.object({
  seq: int,
  channel: name,
  receivedAt: count,
  type: name,
  entity: z.nullable(name),
  sizeBytes: int,
  preview: z.string().check(z.maxLength(MAX_PREVIEW_CHARS + 1)),
  truncated: z.boolean(),
});
export type RecentRow = z.infer<typeof recentRowSchema>;

/** One second of history: events in that second per top channel and type (+ `(other)`), stream lengths, lags. */
export const pointSchema = z.object({
  /** Epoch seconds of the second measured. */
  t: int,
  total: count,
  channels: pairs(MAX_SERIES + 1),
  types: pairs(MAX_SERIES + 1),
  streams: pairs(MAX_STREAMS),
  /** `stream › group` → entries not yet delivered to the group. */
  lags: pairs(MAX_SERIES),
  /** `stream › group` → seconds its oldest pending entry has been idle (the lag watch's last sample). */
  ages: z.optional(pairs(MAX_SERIES)),
});
export type Point = z.infer<typeof pointSchema>;

export const groupRowSchema = z.object({ name, consumers: int, pending: int, lag: z.nullable(int) });
export const streamRowSchema = z.object({
  stream: name,
  exists: z.boolean(),
  length: int,
  entriesPerSecond: z.nullable(count),
  groups: z.array(groupRowSchema).check(z.maxLength(MAX_GROUPS)),
  error: z.optional(z.string().check(z.maxLength(500))),
});
export type StreamRow = z.infer<typeof streamRowSchema>;

export const alertScopeSchema = z.enum(['channel', 'type', 'total', 'lag']);
export type AlertScope = z.infer<typeof alertScopeSchema>;

/** A threshold: events/s (averaged over windowSeconds) for channel/type/total, entries not yet delivered for lag. */
export const alertRuleSchema = z.object({
  id: name,
  scope: alertScopeSchema,
  /** Channel or type name or glob; for lag the consumer group (name or glob); ignored for total. */
  match: name,
  /** Lag rules: the stream (name or glob), `*` for every sampled stream. */
  stream: z.optional(name),
  threshold: count,
  windowSeconds: z.optional(z.int().check(z.gte(1), z.lte(60))),
  /** Where the rule lives: `ucore.monitor.alerts` in settings, or added in the panel (removable there). */
  source: z.enum(['settings', 'panel']),
});
export type AlertRuleRow = z.infer<typeof alertRuleSchema>;

/** Alerts also come from the stuck-consumer watch (no rule to add for it: `ucore.lag.stuckAfterSeconds`). */
export const alertEventScopeSchema = z.enum(['channel', 'type', 'total', 'lag', 'stuck']);

export const alertEventSchema = z.object({
  ruleId: name,
  scope: alertEventScopeSchema,
  /** The channel, type, `total`, `stream › group` that crossed, or the `stream › group › consumer` stuck. */
  key: name,
  /** Events/s, entries (lag), or seconds the oldest pending entry is idle (stuck). */
  value: count,
  threshold: count,
  at: count,
  state: z.enum(['firing', 'resolved']),
});
export type AlertEventRow = z.infer<typeof alertEventSchema>;

/** The guide's realtime dashboard (the e-commerce projection); null until an e-commerce event is seen. */
export const dashboardSchema = z.object({
  events: int,
  orders: int,
  revenue: count,
  activeUsers: int,
  byStatus: pairs(MAX_STATUSES),
});
export type DashboardView = z.infer<typeof dashboardSchema>;

const targetKind = z.enum(['channel', 'shard', 'stream']);
const violationText = z.string().check(z.maxLength(MAX_VIOLATION_TEXT + 1));

/** Checked and violating events of one channel (or stream) and event type. */
export const contractRowSchema = z.object({ kind: targetKind, channel: name, type: name, checked: int, violating: int });
export type ContractRow = z.infer<typeof contractRowSchema>;

/** One rule an event broke (an event breaking several rules gives several rows with its id). */
export const violationRowSchema = z.object({
  seq: int, time: count, kind: targetKind, channel: name, type: name, eventId: z.nullable(name),
  /** Where in the event (a JSON pointer) and what is wrong there. */
  pointer: violationText, message: violationText,
  /** `file:line:column` of the rule in the contract; null when no rule is to blame. */
  rule: z.nullable(violationText),
});
export type ViolationRow = z.infer<typeof violationRowSchema>;

/** The live contract check; null in an update while nothing is checked (no contract, or not monitoring). */
export const contractsSchema = z.object({
  /** Events on contract channels and streams, checked or not. */
  covered: int,
  checked: int,
  violating: int,
  /** checked / covered: below 1 when sampling. */
  sampledShare: z.number().check(z.gte(0), z.lte(1)),
  maxChecksPerSecond: count,
  /** Busiest violating rows first, then the rest; at most MAX_CONTRACT_ROWS. */
  rows: z.array(contractRowSchema).check(z.maxLength(MAX_CONTRACT_ROWS)),
  /** Violations since the previous update, oldest first. */
  violations: z.array(violationRowSchema).check(z.maxLength(MAX_VIOLATIONS_PER_UPDATE)),
  /** Violations since the previous update not in `violations` (too many to list). */
  skipped: int,
});
export type ContractsView = z.infer<typeof contractsSchema>;

export const updateSchema = z.object({
  /** Increases by one per update; the page notices a gap (it never should). */
  seq: int,
  at: count,
  connection: z.nullable(name),
  status: connectionStatusSchema,
  /** Times the subscription was lost (e.g. Redis dropped the monitor for falling 32 MB behind). */
  gaps: int,
  lastGapAt: z.nullable(count),
  demoRunning: z.boolean(),
  /** The connection the demo traffic runs on (it keeps running there when another connection is shown). */
  demoConnection: z.optional(z.nullable(name)),
  /** Events counted since the monitor started or was cleared. */
  eventsSeen: int,
  total: rateRowSchema,
  channels: z.array(rateRowSchema).check(z.maxLength(MAX_RATES + 1)),
  types: z.array(rateRowSchema).check(z.maxLength(MAX_RATES + 1)),
  streams: z.array(streamRowSchema).check(z.maxLength(MAX_STREAMS)),
  /** Events counted since the previous update, newest first, at most MAX_RECENT_PER_UPDATE of them. */
  recent: z.array(recentRowSchema).check(z.maxLength(MAX_RECENT_PER_UPDATE)),
  /** Events counted since the previous update that are not in `recent` (too many to list). */
  skipped: int,
  /** Seconds completed since the previous update. */
  points: z.array(pointSchema).check(z.maxLength(MAX_POINTS_PER_UPDATE)),
  /** Alerts firing now. */
  active: z.array(alertEventSchema).check(z.maxLength(MAX_ALERTS)),
  /** Alerts that fired or resolved since the previous update, oldest first. */
  alertLog: z.array(alertEventSchema).check(z.maxLength(MAX_ALERTS)),
  dashboard: z.nullable(dashboardSchema),
  /** The live contract check (absent from hosts without one). */
  contracts: z.optional(z.nullable(contractsSchema)),
});
export type MonitorUpdate = z.infer<typeof updateSchema>;

// ---- host → webview ----
export const hostMessageSchema = z.discriminatedUnion('type', [
  /** After `ready`, after clear and after resume: everything the page shows from scratch (then updates). */
  z.object({
    type: z.literal('init'),
    paused: z.boolean(),
    focusChannel: z.nullable(name),
    rules: z.array(alertRuleSchema).check(z.maxLength(MAX_ALERT_RULES)),
    history: z.array(pointSchema).check(z.maxLength(HISTORY_SECONDS)),
    alertLog: z.array(alertEventSchema).check(z.maxLength(MAX_ALERTS)),
    /** The connection whose history this is (the active one, connected or not). */
    connection: z.optional(z.nullable(name)),
    /** Said once after the monitor switched to another connection: what happened to which history. */
    notice: z.optional(z.nullable(z.string().check(z.maxLength(MAX_NOTE_CHARS)))),
  }),
  z.object({ type: z.literal('update'), update: updateSchema }),
  z.object({ type: z.literal('rules'), rules: z.array(alertRuleSchema).check(z.maxLength(MAX_ALERT_RULES)) }),
  z.object({ type: z.literal('paused'), paused: z.boolean() }),
  z.object({ type: z.literal('focusChannel'), channel: z.nullable(name) }),
  /** Sets the recent-events filters (from the flow map: a clicked event type, the channel of a clicked step). */
  z.object({ type: z.literal('filters'), channel: name, eventType: name }),
  /** A problem with something the page asked (an alert rule that cannot be added...). */
  z.object({ type: z.literal('error'), message: z.string().check(z.maxLength(1000)) }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

export const newAlertRuleSchema = z.object({
  scope: alertScopeSchema,
  match: z.string().check(z.maxLength(MAX_NAME_CHARS)),
  stream: z.optional(z.string().check(z.maxLength(MAX_NAME_CHARS))),
  threshold: z.number().check(z.nonnegative(), z.lte(1e9)),
  windowSeconds: z.optional(z.int().check(z.gte(1), z.lte(60))),
});
export type NewAlertRule = z.infer<typeof newAlertRuleSchema>;

// ---- webview → host ----
export const webviewMessageSchema = z.discriminatedUnion('type', [
  /** Sent once the page's script runs, with what it restored from getState; the host posts nothing before it. */
  z.object({ type: z.literal('ready'), paused: z.optional(z.boolean()), focusChannel: z.optional(z.nullable(name)) }),
  z.object({ type: z.literal('startDemo') }),
  z.object({ type: z.literal('stopDemo') }),
  z.object({ type: z.literal('clear') }),
  z.object({ type: z.literal('pause'), paused: z.boolean() }),
  /** The page's filters changed (by the user or a `filters` message): the channel in focus, and all three. */
  z.object({ type: z.literal('setFocus'), channel: z.nullable(name), filters: z.optional(z.object({ channel: name, type: name, text: name })) }),
  z.object({ type: z.literal('addAlertRule'), rule: newAlertRuleSchema }),
  z.object({ type: z.literal('removeAlertRule'), id: name }),
  /** Open a recent event (by its seq) in an Inspect Event document. */
  z.object({ type: z.literal('inspect'), seq: int }),
  /** Open a contract violation (by its seq): the event and the contract at the rule. */
  z.object({ type: z.literal('openViolation'), seq: int }),
  /** Forget the contract violations counted so far. */
  z.object({ type: z.literal('clearViolations') }),
  /** Something the page noticed (e.g. it dropped an invalid message from the host), for the host's log. */
  z.object({ type: z.literal('problem'), message: z.string().check(z.maxLength(500)) }),
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;

/** What the webview keeps with setState, to come back the same after being hidden or reloaded. */
export const webviewStateSchema = z.object({
  focusChannel: z.nullable(name),
  paused: z.boolean(),
  windowSeconds: z.union([z.literal(60), z.literal(300), z.literal(900)]),
  filters: z.object({
    channel: z.string().check(z.maxLength(MAX_NAME_CHARS)),
    type: z.string().check(z.maxLength(MAX_NAME_CHARS)),
    text: z.string().check(z.maxLength(MAX_NAME_CHARS)),
  }),
});
export type WebviewState = z.infer<typeof webviewStateSchema>;

export const DEFAULT_WEBVIEW_STATE: WebviewState = {
  focusChannel: null,
  paused: false,
  windowSeconds: 300,
  filters: { channel: '', type: '', text: '' },
};

/** The first problem of a failed parse, short enough for a log line. */
export function firstIssue(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): string {
  const i = error.issues[0];
  return i ? `${i.path.map(String).join('.') || '(root)'}: ${i.message}` : 'invalid';
}

// Messages between the monitor panel's host (extension) and its webview, validated with zod on arrival on both
// sides: the webview trusts nothing the host did not send in this shape, the host nothing the page sends.
// Shared by src/extension/monitor/MonitorPanel.ts and src/webview/monitor/main.ts (bundled into each).
import { z } from 'zod';

/** Recent events sent at most; payload previews at most this long. */
export const MAX_RECENT = 50;
export const MAX_PREVIEW_CHARS = 300;
export const MAX_RATES = 20;
export const MAX_NAME_CHARS = 200;

const name = z.string().max(MAX_NAME_CHARS * 2);
const count = z.number().finite().nonnegative();

export const rateRowSchema = z.object({
  name,
  total: count,
  rate1s: count,
  rate10s: count,
  rate60s: count,
});
export type RateRow = z.infer<typeof rateRowSchema>;

export const recentRowSchema = z.object({
  seq: count,
  channel: name,
  receivedAt: count,
  type: name,
  entity: name.nullable(),
  sizeBytes: count,
  preview: z.string().max(MAX_PREVIEW_CHARS + 10),
  truncated: z.boolean(),
});
export type RecentRow = z.infer<typeof recentRowSchema>;

export const alertRowSchema = z.object({ ruleId: name, key: name, rate: count, threshold: count, at: count });

export const monitorViewSchema = z.object({
  connection: name.nullable(),
  status: z.enum(['connecting', 'ready', 'reconnecting', 'closed', 'none']),
  gaps: count,
  demoRunning: z.boolean(),
  total: rateRowSchema,
  channels: z.array(rateRowSchema).max(MAX_RATES + 1),
  types: z.array(rateRowSchema).max(MAX_RATES + 1),
  recent: z.array(recentRowSchema).max(MAX_RECENT),
  alerts: z.array(alertRowSchema).max(50),
  /** The channel to highlight ("Show in Monitor"). */
  focusChannel: name.nullable(),
});
export type MonitorView = z.infer<typeof monitorViewSchema>;

// ---- host → webview ----
export const hostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('update'), view: monitorViewSchema }),
  z.object({ type: z.literal('focusChannel'), channel: name.nullable() }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

// ---- webview → host ----
export const webviewMessageSchema = z.discriminatedUnion('type', [
  /** Sent once the page's script runs; the host posts nothing before it. */
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('startDemo') }),
  z.object({ type: z.literal('clear') }),
  z.object({ type: z.literal('setFocus'), channel: name.nullable() }),
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;

/** What the webview keeps with setState, to come back the same after being hidden or reloaded. */
export const webviewStateSchema = z.object({ focusChannel: name.nullable() });
export type WebviewState = z.infer<typeof webviewStateSchema>;

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

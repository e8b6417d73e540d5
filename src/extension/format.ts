// Display helpers shared by trees, the status bar and messages. Names and payloads come from other people: they are
// shortened for display and never interpreted.
import { MAX_LABEL, MAX_TOOLTIP } from './constants';

/** At most `max` characters, with an ellipsis; control characters shown as spaces so a row stays one line. */
export function shorten(text: string, max = MAX_LABEL): string {
  const one = String(text).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** The full value for a tooltip when it is small enough, else undefined (the label already shows the start). */
export function tooltipValue(text: string): string | undefined {
  return text.length <= MAX_TOOLTIP ? text : undefined;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0/s';
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)}k/s`;
  return `${perSecond.toFixed(1)}/s`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = s / 60;
  if (m < 60) return `${Math.floor(m)} min ${Math.round(s % 60)} s`;
  const h = m / 60;
  if (h < 48) return `${Math.floor(h)} h ${Math.round(m % 60)} min`;
  return `${Math.floor(h / 24)} d`;
}

/** "12 s ago", from a stream id's millisecond part. */
export function ago(timeMs: number, now = Date.now()): string {
  return `${formatDuration(Math.max(0, now - timeMs))} ago`;
}

/** Milliseconds of a stream entry id (`1700000000000-0`), or null. */
export function idTimeMs(id: string): number | null {
  const ms = Number(id.split('-')[0]);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}


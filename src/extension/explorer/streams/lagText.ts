// How a group row and a consumer row show lag over time and a stuck consumer (text only; names are shortened and
// stripped of control characters by `shorten`, and tree items render text, never markup).
import { compactTrend, type LagTrend, type StuckConsumer } from '../../../core/index';
import { formatDuration, plural, shorten } from '../../format';

/** e.g. "⚠ 1 stuck · lag 20 ▁▂▅█ ↑+15 · 5 pending" (what matters most first: a narrow side bar cuts the end). */
export function groupDescription(lag: number | null, pending: number, trend: LagTrend | null, stuck: number): string {
  return [...(stuck ? [`⚠ ${stuck} stuck`] : []), `lag ${lag ?? '?'}${trend ? ` ${compactTrend(trend)}` : ''}`, `${pending} pending`].join(' · ');
}

/** The tooltip lines about the group's history and its stuck consumers. */
export function groupTrendLines(trend: LagTrend | null, stuck: StuckConsumer[], stuckAfterMs: number): string[] {
  const lines: string[] = [];
  if (trend) {
    lines.push(`Lag over the last ${formatDuration(trend.spanMs)} (${plural(trend.samples, 'sample')}): now ${trend.now}, min ${trend.min}, max ${trend.max} (${trend.arrow}${trend.delta > 0 ? '+' : ''}${trend.delta})`);
    lines.push(`Oldest pending entry idle ${formatDuration(trend.oldestPendingMs)} now, at most ${formatDuration(trend.maxOldestPendingMs)} in that time`);
  } else {
    lines.push('Lag history: collecting (a sample every few seconds)');
  }
  for (const s of stuck.slice(0, 5)) lines.push(`Stuck: ${shorten(s.consumer, 80)} (${s.pending} pending, oldest idle ${formatDuration(s.oldestPendingMs)} > ${formatDuration(stuckAfterMs)}) while ${shorten(s.healthy, 80)} reads`);
  if (stuck.length > 5) lines.push(`… and ${stuck.length - 5} more stuck`);
  return lines;
}

/** The consumer row's tooltip line when it is stuck. */
export function stuckLine(s: StuckConsumer, stuckAfterMs: number): string {
  return `Stuck: its oldest pending entry has been idle ${formatDuration(s.oldestPendingMs)} (threshold ${formatDuration(stuckAfterMs)}) while ${shorten(s.healthy, 80)} of the same group reads. "Claim Pending for Consumer" hands its entries to another consumer.`;
}

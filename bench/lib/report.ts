// Results of the cases, the table printed to stdout, bench/results/latest.json and the README's Performance text.
import { type PairTimes, ratios } from './pairs';
import { formatBytes, formatMs, formatRate, formatRatio, round, spread } from './stats';

export interface Figure {
  /** One value per measured run, in run order. */
  values: number[];
  median: number;
  min: number;
  max: number;
}

export type Unit = 'events/s' | 'ms' | 'bytes';

export interface Goal {
  text: string;
  /** Met when the median ratio (ours vs baseline, higher is better) is at least this. */
  ratioAtLeast?: number;
  /** Met when our median value is at most this (sizes, times without a baseline). */
  valueAtMost?: number;
}

export interface CaseResult {
  id: string;
  title: string;
  /** What one run does, e.g. "200,000 events". */
  size: string;
  unit: Unit;
  ours: Figure;
  baseline?: Figure & { label: string };
  /** Per pair: baseline time ÷ our time (throughput ratio for rates, speed-up for query times); > 1 means faster. */
  ratio?: Figure;
  /** The same ratio on CPU time (this process + redis-server): steadier than wall time on a loaded machine. */
  cpuRatio?: Figure;
  goal?: Goal;
  met?: boolean;
  notes: string[];
  extra?: Record<string, unknown>;
}

export function figure(values: number[], digits = 3): Figure {
  const s = spread(values);
  return { values: values.map((v) => round(v, digits)), median: round(s.median, digits), min: round(s.min, digits), max: round(s.max, digits) };
}

export interface PairCase {
  id: string;
  title: string;
  times: PairTimes;
  baselineLabel: string;
  /** Events per run: rates are count ÷ time. Omit to report times (ms) instead. */
  count?: number;
  size?: string;
  /** Goal on the median ratio. */
  goal?: number;
  goalText?: string;
  notes?: string[];
  extra?: Record<string, unknown>;
}

export function caseResult(c: PairCase): CaseResult {
  const asRate = c.count !== undefined;
  const conv = (ms: number) => (asRate ? c.count! / (ms / 1000) : ms);
  const ratio = ratios(c.times.baselineMs, c.times.oursMs);
  const r: CaseResult = {
    id: c.id,
    title: c.title,
    size: c.size ?? (asRate ? `${c.count!.toLocaleString('en-US')} events` : ''),
    unit: asRate ? 'events/s' : 'ms',
    ours: figure(c.times.oursMs.map(conv), asRate ? 0 : 3),
    baseline: { label: c.baselineLabel, ...figure(c.times.baselineMs.map(conv), asRate ? 0 : 3) },
    ratio: figure(ratio.values),
    notes: c.notes ?? [],
  };
  if (c.times.oursCpuMs.length) r.cpuRatio = figure(ratios(c.times.baselineCpuMs, c.times.oursCpuMs).values);
  if (c.extra) r.extra = c.extra;
  if (c.goal !== undefined) {
    r.goal = { text: c.goalText ?? `≥ ${c.goal}×`, ratioAtLeast: c.goal };
    r.met = ratio.spread.median >= c.goal;
  }
  return r;
}

export function formatValue(v: number, unit: Unit): string {
  if (unit === 'events/s') return `${formatRate(v)}/s`;
  if (unit === 'ms') return formatMs(v);
  return formatBytes(v);
}

function cellRange(f: Figure, fmt: (v: number) => string): string {
  return f.values.length > 1 ? `${fmt(f.median)} (${fmt(f.min)}–${fmt(f.max)})` : fmt(f.median);
}

export interface TableRow {
  case: string;
  size: string;
  ours: string;
  baseline: string;
  ratio: string;
  cpuRatio: string;
  goal: string;
}

export function tableRows(results: CaseResult[]): TableRow[] {
  return results.map((r) => ({
    case: r.title,
    size: r.size,
    ours: formatValue(r.ours.median, r.unit),
    baseline: r.baseline ? `${formatValue(r.baseline.median, r.unit)} (${r.baseline.label})` : '—',
    ratio: r.ratio ? cellRange(r.ratio, formatRatio) : '—',
    cpuRatio: r.cpuRatio ? formatRatio(r.cpuRatio.median) : '—',
    goal: r.goal ? `${r.goal.text} ${r.met ? '✓' : '✗ missed'}` : 'reported',
  }));
}

const HEADERS: Record<keyof TableRow, string> = { case: 'case', size: 'per run', ours: 'ours (median)', baseline: 'baseline (median)', ratio: 'ratio median (min–max)', cpuRatio: 'CPU ratio', goal: 'goal' };

/** A plain-text table for the terminal. */
export function textTable(results: CaseResult[]): string {
  const rows = tableRows(results);
  const keys = Object.keys(HEADERS) as Array<keyof TableRow>;
  const width = (k: keyof TableRow) => Math.max(HEADERS[k].length, ...rows.map((r) => [...r[k]].length));
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
  const line = (cells: Record<keyof TableRow, string>) => keys.map((k) => pad(cells[k], width(k))).join(' │ ');
  const sep = keys.map((k) => '─'.repeat(width(k))).join('─┼─');
  return [line(HEADERS), sep, ...rows.map(line)].join('\n');
}

/** The same table in markdown. */
export function markdownTable(results: CaseResult[]): string {
  const rows = tableRows(results);
  const keys = Object.keys(HEADERS) as Array<keyof TableRow>;
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${keys.map((k) => HEADERS[k]).join(' | ')} |`,
    `|${keys.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${keys.map((k) => esc(r[k])).join(' | ')} |`),
  ].join('\n');
}

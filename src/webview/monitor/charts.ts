// Time charts of the monitor page, drawn by uPlot on canvas: one line per top name (at most MAX_SERIES, the rest
// summed as `(other)`) plus an optional total, over the chosen time window. Colours come from VS Code's theme
// variables (`--vscode-charts-*`), read again when the theme changes, so light, dark and high-contrast all work.
// Series names are hostile text: uPlot puts labels in its legend with textContent.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { MAX_SERIES, type Point } from '../../shared/monitorProtocol';
import { el } from './dom';

/** Short tick labels: 1500 → 1.5k, 200000 → 200k, 2500000 → 2.5M. */
function axisNumber(n: number): string {
  const short = (x: number) => String(Math.round(x * 10) / 10);
  return n >= 1e6 ? `${short(n / 1e6)}M` : n >= 1000 ? `${short(n / 1000)}k` : short(n);
}

const PALETTE_VARS = [
  '--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple',
  '--vscode-charts-red', '--vscode-charts-yellow', '--vscode-terminal-ansiCyan', '--vscode-terminal-ansiMagenta',
];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700', '#29b8db', '#bc3fbc'];

export interface ThemeColors {
  palette: string[];
  foreground: string;
  muted: string;
  grid: string;
  other: string;
  font: string;
}

export function readTheme(): ThemeColors {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const foreground = v('--vscode-foreground', '#cccccc');
  return {
    palette: PALETTE_VARS.map((name, i) => v(name, FALLBACK[i]!)),
    foreground,
    muted: v('--vscode-descriptionForeground', foreground),
    grid: v('--vscode-charts-lines', v('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    other: v('--vscode-disabledForeground', 'rgba(128,128,128,0.8)'),
    font: `${v('--vscode-font-size', '12px')} ${v('--vscode-font-family', 'sans-serif')}`,
  };
}

export interface ChartSpec {
  title: string;
  /** What a point contributes to this chart. */
  pick: (p: Point) => ReadonlyArray<readonly [string, number]>;
  /** Also draw the point's total (events/s charts). */
  total?: (p: Point) => number;
  unit: string;
  empty: string;
}

export class TimeChart {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly emptyNote: HTMLElement;
  private plot: uPlot | undefined;
  private seriesKey = '';
  private width = 0;
  /** The x range shown: the whole chosen window, however few points there are yet. */
  private xFrom = 0;
  private xTo = 1;

  constructor(private readonly spec: ChartSpec, private theme: ThemeColors) {
    this.body = el('div', { className: 'chart-body' });
    this.emptyNote = el('p', { className: 'muted chart-empty', text: spec.empty });
    this.root = el('section', { className: 'chart card', data: { chart: spec.title } }, el('h3', { text: spec.title }), this.emptyNote, this.body);
  }

  setTheme(theme: ThemeColors): void {
    this.theme = theme;
    this.seriesKey = ''; // rebuilt with the new colours on the next draw
  }

  /** Draws the points of the last `windowSeconds` (ending at the newest point). */
  draw(points: readonly Point[], windowSeconds: number): void {
    const newest = points.length ? points[points.length - 1]!.t : 0;
    const from = newest - windowSeconds + 1;
    const shown = points.filter((p) => p.t >= from);
    this.xFrom = from;
    this.xTo = Math.max(newest, from + 1);
    const names = topNames(shown, this.spec.pick);
    // What is drawn, for tests and for anyone inspecting the page: the series names and how many seconds.
    this.root.dataset.series = names.join('\n');
    this.root.dataset.points = String(shown.length);
    const hasData = shown.some((p) => this.spec.pick(p).length > 0 || (this.spec.total?.(p) ?? 0) > 0);
    this.emptyNote.hidden = hasData;
    this.body.hidden = !hasData;
    if (!hasData) return;
    const xs = shown.map((p) => p.t);
    const columns: number[][] = [];
    if (this.spec.total) columns.push(shown.map((p) => this.spec.total!(p)));
    const named = new Set(names.filter((n) => n !== '(other)'));
    for (const name of names) {
      columns.push(shown.map((p) => {
        let sum = 0;
        for (const [k, v] of this.spec.pick(p)) {
          if (name === '(other)' ? !named.has(k) : k === name) sum += v;
        }
        return sum;
      }));
    }
    const key = `${this.spec.total ? 'total\u0000' : ''}${names.join('\u0000')}`;
    const width = Math.max(200, Math.floor(this.body.clientWidth || this.root.clientWidth || 400));
    const data: uPlot.AlignedData = [xs, ...columns];
    if (!this.plot || key !== this.seriesKey) {
      this.plot?.destroy();
      this.plot = new uPlot(this.options(names, width), data, this.body);
      this.seriesKey = key;
      this.width = width;
    } else {
      if (width !== this.width) {
        this.width = width;
        this.plot.setSize({ width, height: 170 });
      }
      this.plot.setData(data);
    }
  }

  /** Follows the width of its card. */
  resize(): void {
    if (!this.plot) return;
    const width = Math.max(200, Math.floor(this.body.clientWidth || 400));
    if (width !== this.width) {
      this.width = width;
      this.plot.setSize({ width, height: 170 });
    }
  }

  private options(names: string[], width: number): uPlot.Options {
    const t = this.theme;
    const axis = (values?: uPlot.Axis['values']): uPlot.Axis => ({
      stroke: t.muted,
      font: t.font,
      grid: { stroke: t.grid, width: 1 },
      ticks: { stroke: t.grid, width: 1 },
      ...(values ? { values, size: 60 } : {}),
    });
    const series: uPlot.Series[] = [{}];
    if (this.spec.total) series.push({ label: 'total', stroke: t.foreground, width: 2, points: { show: false } });
    names.forEach((name, i) => series.push({
      label: name,
      stroke: name === '(other)' ? t.other : t.palette[i % t.palette.length]!,
      width: 1.5,
      points: { show: false },
      dash: name === '(other)' ? [4, 3] : undefined,
    }));
    const unit = this.spec.unit;
    return {
      width,
      height: 170,
      scales: { x: { time: true, range: () => [this.xFrom, this.xTo] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [axis(), axis((_u, ticks) => ticks.map((v) => `${axisNumber(v)}${unit}`))],
      series,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
    };
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }
}

/** The busiest names over the shown points (at most MAX_SERIES), `(other)` last when anything else is left. */
function topNames(points: readonly Point[], pick: ChartSpec['pick']): string[] {
  const sums = new Map<string, number>();
  for (const p of points) for (const [k, v] of pick(p)) sums.set(k, (sums.get(k) ?? 0) + v);
  const named = [...sums.entries()].filter(([k]) => k !== '(other)').sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = named.slice(0, MAX_SERIES).map(([k]) => k);
  const rest = named.length > MAX_SERIES || (sums.get('(other)') ?? 0) > 0;
  return rest ? [...top, '(other)'] : top;
}

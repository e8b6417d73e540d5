// Results of the cluster benchmark: per operation, the rate of each of the four sides and the ratios taken run by
// run (cluster ÷ single for ours and for raw ioredis, ours ÷ raw on each), the text table for the terminal and the
// markdown section for the README.
import { ratios } from '../lib/pairs';
import { figure, type Figure } from '../lib/report';
import { formatRate, formatRatio, round } from '../lib/stats';
import { SIDE_IDS, type SideId, type SideTimes } from './sides';

export interface ClusterCaseResult {
  id: string;
  title: string;
  /** What one run does on each side, e.g. "100,000 events". */
  size: string;
  /** Events per second, per side. */
  rates: Record<SideId, Figure>;
  /** CPU µs per event (this process + the deployment's redis-servers), per side; absent when /proc was unreadable. */
  cpuUsPerEvent?: Record<SideId, Figure>;
  /** Run by run; rates, so above 1× the first named is faster. */
  ratios: {
    /** Ours on the cluster ÷ ours on one server: the headline. */
    oursClusterVsSingle: Figure;
    /** Raw ioredis on the cluster ÷ raw on one server: what a cluster costs any client. */
    rawClusterVsSingle: Figure;
    /** Ours ÷ raw ioredis on the cluster. */
    oursVsRawCluster: Figure;
    /** Ours ÷ raw ioredis on one server. */
    oursVsRawSingle: Figure;
  };
  /** Ours: CPU per event on the cluster ÷ on one server (above 1×: the cluster spends more CPU per event). */
  cpuClusterVsSingle?: Figure;
  notes: string[];
}

export function clusterCaseResult(c: { id: string; title: string; count: number; size?: string; times: Record<SideId, SideTimes>; notes?: string[] }): ClusterCaseResult {
  const t = c.times;
  const rate = (ms: number) => c.count / (ms / 1000);
  const ratioOf = (over: SideId, under: SideId) => figure(ratios(t[under].ms, t[over].ms).values);
  const cpuKnown = SIDE_IDS.every((id) => t[id].cpuMs.length > 0);
  const r: ClusterCaseResult = {
    id: c.id,
    title: c.title,
    size: c.size ?? `${c.count.toLocaleString('en-US')} events`,
    rates: Object.fromEntries(SIDE_IDS.map((id) => [id, figure(t[id].ms.map(rate), 0)])) as Record<SideId, Figure>,
    ratios: {
      oursClusterVsSingle: ratioOf('ours-cluster', 'ours-single'),
      rawClusterVsSingle: ratioOf('raw-cluster', 'raw-single'),
      oursVsRawCluster: ratioOf('ours-cluster', 'raw-cluster'),
      oursVsRawSingle: ratioOf('ours-single', 'raw-single'),
    },
    notes: c.notes ?? [],
  };
  if (cpuKnown) {
    r.cpuUsPerEvent = Object.fromEntries(SIDE_IDS.map((id) => [id, figure(t[id].cpuMs.map((ms) => (ms * 1000) / c.count), 2)])) as Record<SideId, Figure>;
    r.cpuClusterVsSingle = figure(t['ours-cluster'].cpuMs.map((ms, i) => ms / t['ours-single'].cpuMs[i]));
  }
  return r;
}

interface Row {
  case: string;
  size: string;
  oursSingle: string;
  oursCluster: string;
  oursRatio: string;
  rawSingle: string;
  rawCluster: string;
  rawRatio: string;
  oursVsRaw: string;
  cpu: string;
}

const HEADERS: Record<keyof Row, string> = {
  case: 'case',
  size: 'per run',
  oursSingle: 'ours, 1 server',
  oursCluster: 'ours, cluster',
  oursRatio: 'ours cluster ÷ 1 server (min–max)',
  rawSingle: 'raw, 1 server',
  rawCluster: 'raw, cluster',
  rawRatio: 'raw cluster ÷ 1 server',
  oursVsRaw: 'ours ÷ raw: 1 server / cluster',
  cpu: 'CPU/event, ours cluster ÷ 1 server',
};

const rate = (f: Figure) => `${formatRate(f.median)}/s`;
const withRange = (f: Figure) => (f.values.length > 1 ? `${formatRatio(f.median)} (${formatRatio(f.min)}–${formatRatio(f.max)})` : formatRatio(f.median));

function rows(results: ClusterCaseResult[]): Row[] {
  return results.map((r) => ({
    case: r.title,
    size: r.size,
    oursSingle: rate(r.rates['ours-single']),
    oursCluster: rate(r.rates['ours-cluster']),
    oursRatio: withRange(r.ratios.oursClusterVsSingle),
    rawSingle: rate(r.rates['raw-single']),
    rawCluster: rate(r.rates['raw-cluster']),
    rawRatio: formatRatio(r.ratios.rawClusterVsSingle.median),
    oursVsRaw: `${formatRatio(r.ratios.oursVsRawSingle.median)} / ${formatRatio(r.ratios.oursVsRawCluster.median)}`,
    cpu: r.cpuClusterVsSingle ? formatRatio(r.cpuClusterVsSingle.median) : '—',
  }));
}

export function clusterTextTable(results: ClusterCaseResult[]): string {
  const all = rows(results);
  const keys = Object.keys(HEADERS) as Array<keyof Row>;
  const width = (k: keyof Row) => Math.max(HEADERS[k].length, ...all.map((r) => [...r[k]].length));
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length));
  const line = (cells: Record<keyof Row, string>) => keys.map((k) => pad(cells[k], width(k))).join(' │ ');
  return [line(HEADERS), keys.map((k) => '─'.repeat(width(k))).join('─┼─'), ...all.map(line)].join('\n');
}

export function clusterMarkdownTable(results: ClusterCaseResult[]): string {
  const keys = Object.keys(HEADERS) as Array<keyof Row>;
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${keys.map((k) => HEADERS[k]).join(' | ')} |`,
    `|${keys.map(() => '---').join('|')}|`,
    ...rows(results).map((r) => `| ${keys.map((k) => esc(r[k])).join(' | ')} |`),
  ].join('\n');
}

/** CPU µs per event of each side, one line per case: where the time goes. */
export function cpuLines(results: ClusterCaseResult[]): string[] {
  return results.filter((r) => r.cpuUsPerEvent).map((r) => {
    const c = r.cpuUsPerEvent!;
    return `${r.title}: CPU µs/event — ours ${round(c['ours-single'].median, 1)} on 1 server, ${round(c['ours-cluster'].median, 1)} on the cluster; raw ${round(c['raw-single'].median, 1)} / ${round(c['raw-cluster'].median, 1)}`;
  });
}

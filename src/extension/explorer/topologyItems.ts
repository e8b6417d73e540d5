// What the "Topology" branch beneath a cluster or Sentinel connection says (its rows are in topology/): slot ranges,
// summaries, health and state icons, computed from a Topology value only, so the rows render the same from a live
// transport and from a test's literal. Addresses, ids and states are text from the servers: they are shortened to one
// line and only ever shown as plain text (labels, descriptions, plain-string tooltips), never as markdown.
import * as vscode from 'vscode';
import type { Topology, TopologyNode } from '../../core/index';
import { plural, shorten } from '../format';

export const CLUSTER_SLOTS = 16384;
/** Slot ranges listed in a row's description; the tooltip lists more. */
const RANGES_IN_ROW = 3;
export const RANGES_IN_TOOLTIP = 40;
/** Server text shown in a row: node addresses and states are short; anything longer is not a real one. */
const MAX_TEXT = 120;
/** contextValues of the rows (no menus use them yet; they keep these rows apart from connection rows). */
export const TopologyContext = { root: 'topology', group: 'topology.group', node: 'topology.node' } as const;

/** Modes that have something to show beyond the one server the connection already names. */
export function hasTopology(mode: string | undefined): boolean {
  return mode === 'cluster' || mode === 'sentinel';
}

/** One line of server text: control characters out, bounded. */
export const text = (s: unknown, max = MAX_TEXT) => shorten(String(s ?? ''), max);

/** Well-formed ranges only (a hostile or confused server may send anything), sorted by their first slot. */
export function validRanges(slots: unknown): Array<[number, number]> {
  if (!Array.isArray(slots)) return [];
  const ok = slots.filter((r): r is [number, number] => Array.isArray(r) && r.length >= 2
    && Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[0] >= 0 && r[1] >= r[0] && r[1] < CLUSTER_SLOTS);
  return ok.map(([a, b]): [number, number] => [a, b]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

export function slotCount(slots: unknown): number {
  return validRanges(slots).reduce((n, [a, b]) => n + b - a + 1, 0);
}

/** "0-5460", "0-100, 200, 300-400", "0-10, 20-30, 40-50 +2 more". */
export function formatSlotRanges(slots: unknown, max = RANGES_IN_ROW): string {
  const ranges = validRanges(slots);
  if (ranges.length === 0) return 'no slots';
  const shown = ranges.slice(0, max).map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(', ');
  return ranges.length > max ? `${shown} +${ranges.length - max} more` : shown;
}

export function byFirstSlotThenAddress(a: TopologyNode, b: TopologyNode): number {
  const sa = validRanges(a.slots)[0]?.[0] ?? CLUSTER_SLOTS;
  const sb = validRanges(b.slots)[0]?.[0] ?? CLUSTER_SLOTS;
  return sa - sb || String(a.address).localeCompare(String(b.address));
}

/**
 * Tree ids must be unique in the whole view, and servers are not trusted to send unique node ids: a repeated one
 * gets a counter.
 */
export class IdMaker {
  private readonly seen = new Set<string>();
  constructor(private readonly base: string) {}
  make(part: string): string {
    let id = `${this.base}/${part}`;
    for (let i = 2; this.seen.has(id); i++) id = `${this.base}/${part}#${i}`;
    this.seen.add(id);
    return id;
  }
}

/** "cluster · ok · 3 masters · 3 replicas" / "sentinel · mymaster · master 10.0.0.1:6379". */
export function topologySummary(topology: Topology): string {
  const nodes = Array.isArray(topology.nodes) ? topology.nodes : [];
  const masters = nodes.filter((n) => n.role === 'master');
  const replicas = nodes.filter((n) => n.role === 'replica');
  const parts: string[] = [text(topology.mode, 20)];
  if (topology.mode === 'cluster') {
    if (topology.clusterState !== undefined) parts.push(text(topology.clusterState, 20));
    parts.push(plural(masters.length, 'master'), plural(replicas.length, 'replica'));
    const covered = masters.reduce((n, m) => n + slotCount(m.slots), 0);
    if (covered < CLUSTER_SLOTS) parts.push(`${CLUSTER_SLOTS - covered} slots unassigned`);
  } else if (topology.mode === 'sentinel') {
    if (topology.masterName !== undefined) parts.push(text(topology.masterName, 60));
    const current = masters.find((m) => m.current) ?? masters[0];
    if (current) parts.push(`master ${text(current.address)}`);
    else parts.push('no master known');
    parts.push(plural(replicas.length, 'replica'), plural(nodes.filter((n) => n.role === 'sentinel').length, 'sentinel'));
  }
  return parts.join(' · ');
}

export function healthy(topology: Topology): boolean {
  if (topology.mode === 'cluster') return (topology.clusterState ?? 'ok') === 'ok';
  const masters = (topology.nodes ?? []).filter((n) => n.role === 'master');
  return masters.length > 0 && masters.every((m) => m.state === 'ok');
}

export function stateIcon(state: string, normal: string): vscode.ThemeIcon {
  if (state === 'ok') return new vscode.ThemeIcon(normal);
  if (/fail|down|disconnected|noaddr/i.test(state) && !/pfail|fail\?/i.test(state)) return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
}

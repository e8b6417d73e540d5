// The "Topology" branch beneath a cluster or Sentinel connection in the Connections view: the cluster's state, each
// master with its slot ranges and state, replicas beneath their master; for Sentinel the master name, the current
// master, its replicas and the sentinels. Built from a Topology value only, so it renders the same from a live
// transport and from a test's literal. Addresses, ids and states are text from the servers: they are shortened to one
// line and only ever shown as plain text (labels, descriptions, plain-string tooltips), never as markdown.
import * as vscode from 'vscode';
import type { Topology, TopologyNode } from '../../core/transport/types';
import { ItemContext } from '../constants';
import { plural, shorten } from '../format';

export const CLUSTER_SLOTS = 16384;
/** Slot ranges listed in a row's description; the tooltip lists more. */
const RANGES_IN_ROW = 3;
const RANGES_IN_TOOLTIP = 40;
/** Server text shown in a row: node addresses and states are short; anything longer is not a real one. */
const MAX_TEXT = 120;
/** contextValues of the rows (no menus use them yet; they keep these rows apart from connection rows). */
const Context = { root: 'topology', group: 'topology.group', node: 'topology.node' } as const;

export interface TopologyRootNode { kind: 'topology'; id: string; connection: string; topology: Topology }
export interface TopologyServerNode { kind: 'topologyServer'; id: string; node: TopologyNode; children: TopologyServerNode[]; mode: Topology['mode'] }
export interface TopologyGroupNode { kind: 'topologyGroup'; id: string; label: string; children: TopologyServerNode[] }
export interface TopologyMessageNode { kind: 'topologyMessage'; id: string; text: string; error?: boolean }

export type TopologyTreeNode = TopologyRootNode | TopologyServerNode | TopologyGroupNode | TopologyMessageNode;

/** Modes that have something to show beyond the one server the connection already names. */
export function hasTopology(mode: string | undefined): boolean {
  return mode === 'cluster' || mode === 'sentinel';
}

/** One line of server text: control characters out, bounded. */
const text = (s: unknown, max = MAX_TEXT) => shorten(String(s ?? ''), max);

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

function byFirstSlotThenAddress(a: TopologyNode, b: TopologyNode): number {
  const sa = validRanges(a.slots)[0]?.[0] ?? CLUSTER_SLOTS;
  const sb = validRanges(b.slots)[0]?.[0] ?? CLUSTER_SLOTS;
  return sa - sb || String(a.address).localeCompare(String(b.address));
}

/**
 * Tree ids must be unique in the whole view, and servers are not trusted to send unique node ids: a repeated one
 * gets a counter.
 */
class IdMaker {
  private readonly seen = new Set<string>();
  constructor(private readonly base: string) {}
  make(part: string): string {
    let id = `${this.base}/${part}`;
    for (let i = 2; this.seen.has(id); i++) id = `${this.base}/${part}#${i}`;
    this.seen.add(id);
    return id;
  }
}

/** The single "Topology" row beneath a connection. */
export function topologyRoot(connection: string, topology: Topology): TopologyRootNode {
  // The name is quoted so that no connection name can make one connection's ids look like another's.
  return { kind: 'topology', id: `topology/${JSON.stringify(connection)}`, connection, topology };
}

/** What the "Topology" row contains: masters (replicas beneath), orphan replicas, then a "Sentinels" group. */
export function topologyChildren(root: TopologyRootNode): TopologyTreeNode[] {
  const { topology } = root;
  const nodes = Array.isArray(topology.nodes) ? topology.nodes.filter((n) => n && typeof n === 'object') : [];
  const ids = new IdMaker(root.id);
  const masters = nodes.filter((n) => n.role === 'master').sort(byFirstSlotThenAddress);
  const replicas = nodes.filter((n) => n.role === 'replica');
  const sentinels = nodes.filter((n) => n.role === 'sentinel');
  const masterIds = new Set(masters.map((m) => m.id));
  const server = (node: TopologyNode, children: TopologyServerNode[] = []): TopologyServerNode =>
    ({ kind: 'topologyServer', id: ids.make(`node/${String(node.id)}`), node, children, mode: topology.mode });
  const out: TopologyTreeNode[] = masters.map((m) => server(m, replicas.filter((r) => r.masterId === m.id).map((r) => server(r))));
  // A replica whose master is not in the list (failing over, or mid-handshake) is still shown, at the top level.
  for (const r of replicas) if (r.masterId === undefined || !masterIds.has(r.masterId)) out.push(server(r));
  if (sentinels.length) {
    out.push({ kind: 'topologyGroup', id: ids.make('sentinels'), label: 'Sentinels', children: sentinels.map((s) => server(s)) });
  }
  if (out.length === 0) out.push({ kind: 'topologyMessage', id: ids.make('empty'), text: 'No nodes reported' });
  return out;
}

export function topologyNodeChildren(node: TopologyTreeNode): TopologyTreeNode[] {
  if (node.kind === 'topology') return topologyChildren(node);
  if (node.kind === 'topologyServer' || node.kind === 'topologyGroup') return node.children;
  return [];
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

function healthy(topology: Topology): boolean {
  if (topology.mode === 'cluster') return (topology.clusterState ?? 'ok') === 'ok';
  const masters = (topology.nodes ?? []).filter((n) => n.role === 'master');
  return masters.length > 0 && masters.every((m) => m.state === 'ok');
}

function stateIcon(state: string, normal: string): vscode.ThemeIcon {
  if (state === 'ok') return new vscode.ThemeIcon(normal);
  if (/fail|down|disconnected|noaddr/i.test(state) && !/pfail|fail\?/i.test(state)) return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
}

function serverItem(n: TopologyServerNode): vscode.TreeItem {
  const { node } = n;
  const state = text(node.state, 40) || 'unknown';
  const item = new vscode.TreeItem(text(node.address) || '(no address)',
    n.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = n.id;
  const parts: string[] = [];
  const tip: string[] = [`${text(node.address)} (${node.role})`];
  if (node.role === 'master' && n.mode === 'cluster') {
    parts.push(formatSlotRanges(node.slots));
    tip.push(`Slots: ${formatSlotRanges(node.slots, RANGES_IN_TOOLTIP)} (${slotCount(node.slots)} of ${CLUSTER_SLOTS})`);
  } else {
    parts.push(node.role);
  }
  if (node.current) {
    parts.push('current');
    tip.push(node.role === 'master' && n.mode === 'sentinel' ? 'The master Sentinel names now: this connection writes here' : 'This connection reaches its data through this node');
  }
  parts.push(state);
  if (n.children.length) parts.push(plural(n.children.length, 'replica'));
  item.description = parts.join(' · ');
  tip.push(`State: ${state}`);
  if (node.id !== node.address) tip.push(`Node id: ${text(node.id)}`);
  if (node.role === 'replica' && node.masterId !== undefined) tip.push(`Replica of: ${text(node.masterId)}`);
  // A plain string: VS Code renders it as text, so nothing a server sends can become a link or markup.
  item.tooltip = tip.join('\n');
  item.iconPath = stateIcon(node.state, node.role === 'master' ? 'server' : node.role === 'replica' ? 'mirror' : 'eye');
  item.contextValue = `${Context.node}.${node.role === 'master' || node.role === 'replica' || node.role === 'sentinel' ? node.role : 'other'}`;
  return item;
}

export function topologyTreeItem(node: TopologyTreeNode): vscode.TreeItem {
  switch (node.kind) {
    case 'topology': {
      const item = new vscode.TreeItem('Topology', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.description = topologySummary(node.topology);
      const tip = [`Mode: ${text(node.topology.mode, 20)}`];
      if (node.topology.clusterState !== undefined) tip.push(`Cluster state: ${text(node.topology.clusterState, 40)}`);
      if (node.topology.masterName !== undefined) tip.push(`Sentinel master name: ${text(node.topology.masterName)}`);
      tip.push(topologySummary(node.topology), 'Refresh the view to ask the servers again.');
      item.tooltip = tip.join('\n');
      item.iconPath = healthy(node.topology) ? new vscode.ThemeIcon('type-hierarchy') : new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.contextValue = Context.root;
      return item;
    }
    case 'topologyServer':
      return serverItem(node);
    case 'topologyGroup': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.description = String(node.children.length);
      item.iconPath = new vscode.ThemeIcon('eye');
      item.contextValue = Context.group;
      return item;
    }
    case 'topologyMessage': {
      const item = new vscode.TreeItem(shorten(node.text), vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.tooltip = node.text;
      if (node.error) item.iconPath = new vscode.ThemeIcon('warning');
      item.contextValue = ItemContext.message;
      return item;
    }
  }
}

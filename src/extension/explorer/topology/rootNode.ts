// The single "Topology" row beneath a connected cluster or Sentinel connection; beneath it the masters (replicas
// beneath their master), replicas whose master is not listed, then a "Sentinels" group.
import * as vscode from 'vscode';
import type { Topology, TopologyNode } from '../../../core/index';
import { ExplorerNode } from '../node';
import { byFirstSlotThenAddress, healthy, IdMaker, text, TopologyContext, topologySummary } from '../topologyItems';
import { TopologyGroupNode } from './groupNode';
import { TopologyMessageNode } from './messageNode';
import { TopologyServerNode } from './serverNode';
import type { TopologyTreeNode } from './index';

export class TopologyRootNode extends ExplorerNode<unknown, TopologyTreeNode> {
  readonly kind = 'topology' as const;
  readonly id: string;
  readonly contextValue = TopologyContext.root;

  constructor(readonly connection: string, readonly topology: Topology) {
    super();
    // The name is quoted so that no connection name can make one connection's ids look like another's.
    this.id = `topology/${JSON.stringify(connection)}`;
  }

  override getChildren(): TopologyTreeNode[] {
    const { topology } = this;
    const nodes = Array.isArray(topology.nodes) ? topology.nodes.filter((n) => n && typeof n === 'object') : [];
    const ids = new IdMaker(this.id);
    const masters = nodes.filter((n) => n.role === 'master').sort(byFirstSlotThenAddress);
    const replicas = nodes.filter((n) => n.role === 'replica');
    const sentinels = nodes.filter((n) => n.role === 'sentinel');
    const masterIds = new Set(masters.map((m) => m.id));
    const server = (node: TopologyNode, children: TopologyServerNode[] = []) =>
      new TopologyServerNode(ids.make(`node/${String(node.id)}`), node, children, topology.mode);
    const out: TopologyTreeNode[] = masters.map((m) => server(m, replicas.filter((r) => r.masterId === m.id).map((r) => server(r))));
    // A replica whose master is not in the list (failing over, or mid-handshake) is still shown, at the top level.
    for (const r of replicas) if (r.masterId === undefined || !masterIds.has(r.masterId)) out.push(server(r));
    if (sentinels.length) out.push(new TopologyGroupNode(ids.make('sentinels'), 'Sentinels', sentinels.map((s) => server(s))));
    if (out.length === 0) out.push(new TopologyMessageNode(ids.make('empty'), 'No nodes reported'));
    return out;
  }

  protected createItem(): vscode.TreeItem {
    const { topology } = this;
    const item = new vscode.TreeItem('Topology', vscode.TreeItemCollapsibleState.Collapsed);
    item.description = topologySummary(topology);
    const tip = [`Mode: ${text(topology.mode, 20)}`];
    if (topology.clusterState !== undefined) tip.push(`Cluster state: ${text(topology.clusterState, 40)}`);
    if (topology.masterName !== undefined) tip.push(`Sentinel master name: ${text(topology.masterName)}`);
    tip.push(topologySummary(topology), 'Refresh the view to ask the servers again.');
    item.tooltip = tip.join('\n');
    item.iconPath = healthy(topology) ? new vscode.ThemeIcon('type-hierarchy') : new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    return item;
  }
}

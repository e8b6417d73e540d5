// One server of a topology: a cluster master (its slot ranges; its replicas beneath), a replica, a Sentinel master or
// a sentinel. Everything shown is server text, bounded and plain.
import * as vscode from 'vscode';
import type { Topology, TopologyNode } from '../../../core/index';
import { plural } from '../../format';
import { ExplorerNode } from '../node';
import { CLUSTER_SLOTS, formatSlotRanges, RANGES_IN_TOOLTIP, slotCount, stateIcon, text, TopologyContext } from '../topologyItems';

export class TopologyServerNode extends ExplorerNode<unknown, TopologyServerNode> {
  readonly kind = 'topologyServer' as const;

  constructor(readonly id: string, readonly node: TopologyNode, readonly children: TopologyServerNode[], readonly mode: Topology['mode']) {
    super();
  }

  get contextValue(): string {
    const { role } = this.node;
    return `${TopologyContext.node}.${role === 'master' || role === 'replica' || role === 'sentinel' ? role : 'other'}`;
  }

  override getChildren(): TopologyServerNode[] {
    return this.children;
  }

  protected createItem(): vscode.TreeItem {
    const { node, children, mode } = this;
    const state = text(node.state, 40) || 'unknown';
    const item = new vscode.TreeItem(text(node.address) || '(no address)',
      children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const parts: string[] = [];
    const tip: string[] = [`${text(node.address)} (${node.role})`];
    if (node.role === 'master' && mode === 'cluster') {
      parts.push(formatSlotRanges(node.slots));
      tip.push(`Slots: ${formatSlotRanges(node.slots, RANGES_IN_TOOLTIP)} (${slotCount(node.slots)} of ${CLUSTER_SLOTS})`);
    } else {
      parts.push(node.role);
    }
    if (node.current) {
      parts.push('current');
      tip.push(node.role === 'master' && mode === 'sentinel' ? 'The master Sentinel names now: this connection writes here' : 'This connection reaches its data through this node');
    }
    parts.push(state);
    if (children.length) parts.push(plural(children.length, 'replica'));
    item.description = parts.join(' · ');
    tip.push(`State: ${state}`);
    if (node.id !== node.address) tip.push(`Node id: ${text(node.id)}`);
    if (node.role === 'replica' && node.masterId !== undefined) tip.push(`Replica of: ${text(node.masterId)}`);
    // A plain string: VS Code renders it as text, so nothing a server sends can become a link or markup.
    item.tooltip = tip.join('\n');
    item.iconPath = stateIcon(node.state, node.role === 'master' ? 'server' : node.role === 'replica' ? 'mirror' : 'eye');
    return item;
  }
}

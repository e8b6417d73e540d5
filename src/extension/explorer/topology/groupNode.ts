// A folder of servers beneath the "Topology" row ("Sentinels").
import * as vscode from 'vscode';
import { ExplorerNode } from '../node';
import { TopologyContext } from '../topologyItems';
import type { TopologyServerNode } from './serverNode';

export class TopologyGroupNode extends ExplorerNode<unknown, TopologyServerNode> {
  readonly kind = 'topologyGroup' as const;
  readonly contextValue = TopologyContext.group;

  constructor(readonly id: string, readonly label: string, readonly children: TopologyServerNode[]) {
    super();
  }

  override getChildren(): TopologyServerNode[] {
    return this.children;
  }

  protected createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.description = String(this.children.length);
    item.iconPath = new vscode.ThemeIcon('eye');
    return item;
  }
}

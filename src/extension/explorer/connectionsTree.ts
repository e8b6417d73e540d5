// The Connections view: every connection with its live status (connections/connectionNode.ts); beneath a connected
// cluster or Sentinel connection, its topology (topology/). The rows own how they look and what is beneath them.
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connections/connectionManager';
import { Disposable } from '../lifecycle';
import { ConnectionNode } from './connections/connectionNode';
import type { TopologyTreeNode } from './topology/index';

export { ConnectionNode, stateText } from './connections/connectionNode';

export type ConnectionsTreeNode = ConnectionNode | TopologyTreeNode;

export class ConnectionsTreeProvider extends Disposable implements vscode.TreeDataProvider<ConnectionsTreeNode> {
  // Only whole-view refreshes are fired, so the event's element type can stay the top-level one.
  private readonly changed = this.register(new vscode.EventEmitter<ConnectionNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly connections: ConnectionManager) {
    super();
    this.register(connections.onDidChange(() => this.refresh()));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The connections (synchronous, for callers that list them); beneath one, its topology. */
  getChildren(): ConnectionNode[];
  getChildren(element: ConnectionsTreeNode | undefined): ConnectionsTreeNode[] | Promise<ConnectionsTreeNode[]>;
  getChildren(element?: ConnectionsTreeNode): ConnectionsTreeNode[] | Promise<ConnectionsTreeNode[]> {
    if (!element) {
      const active = this.connections.activeConnectionName;
      return this.connections.list().map((e) => new ConnectionNode(e, e.config.name === active));
    }
    return element.getChildren(this.connections);
  }

  getTreeItem(node: ConnectionsTreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }
}

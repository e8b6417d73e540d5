// A row of text in the Connections view's topology branch: nothing reported, or why there is no topology.
import * as vscode from 'vscode';
import { ItemContext } from '../../constants';
import { shorten } from '../../format';
import { ExplorerNode } from '../node';

export class TopologyMessageNode extends ExplorerNode<unknown, never> {
  readonly kind = 'topologyMessage' as const;
  readonly contextValue = ItemContext.message;

  constructor(readonly id: string, readonly text: string, readonly error = false) {
    super();
  }

  /** Nothing beneath, synchronously (like every topology row: they are built from one Topology value). */
  override getChildren(): never[] {
    return [];
  }

  protected createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(shorten(this.text), vscode.TreeItemCollapsibleState.None);
    item.tooltip = this.text;
    if (this.error) item.iconPath = new vscode.ThemeIcon('warning');
    return item;
  }
}

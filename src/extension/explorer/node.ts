// The base of every row in the UCore views, after vscode-kafka's src/explorer/models/nodeBase.ts: one class per kind
// of row, owning how it looks (createItem) and what is beneath it (getChildren). A new kind is a new class in its own
// file; the providers only ask nodes. The row's id and contextValue (what the manifest's view/item/context menus
// match on) are set here, in one place, from the node's own fields.
import type * as vscode from 'vscode';

export abstract class ExplorerNode<Context = void, Child = unknown> {
  /** What the commands and tests tell nodes apart by (also when they are handed a plain object of the same shape). */
  abstract readonly kind: string;
  /** The TreeItem id: unique in its view and stable across refreshes, so rows and the selection hold still. */
  abstract readonly id: string;
  /** The `viewItem` of the row. */
  abstract readonly contextValue: string;

  getTreeItem(): vscode.TreeItem {
    const item = this.createItem();
    item.id = this.id;
    item.contextValue = this.contextValue;
    return item;
  }

  /** What is beneath the row; most kinds have nothing. */
  getChildren(_context: Context): Child[] | Promise<Child[]> {
    return [];
  }

  /** Label, description, tooltip, icon and command of the row. */
  protected abstract createItem(): vscode.TreeItem;
}

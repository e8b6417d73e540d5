// A row of text in the Channels or Streams view: nothing found, or why something could not be loaded.
import * as vscode from 'vscode';
import { ItemContext } from '../constants';
import { shorten } from '../format';
import { ExplorerNode } from './node';

export class MessageNode extends ExplorerNode<unknown, never> {
  readonly kind = 'message' as const;
  readonly contextValue = ItemContext.message;

  constructor(readonly id: string, readonly text: string, readonly error = false) {
    super();
  }

  protected createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(shorten(this.text), vscode.TreeItemCollapsibleState.None);
    if (this.error) item.iconPath = new vscode.ThemeIcon('error');
    return item;
  }
}

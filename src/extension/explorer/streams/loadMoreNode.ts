// "Load more…" below a page of streams, entries or pending entries; the provider's loadMore() shows the next page.
import * as vscode from 'vscode';
import { Commands, ItemContext } from '../../constants';
import { ExplorerNode } from '../node';
import type { StreamsContext } from './context';

export class LoadMoreNode extends ExplorerNode<StreamsContext, never> {
  readonly kind = 'loadMore' as const;
  readonly contextValue = ItemContext.loadMore;
  /** Set on the "N newer entries" row (NewerEntriesNode): how many entries arrived above the list. */
  readonly newer?: number;

  /** `parentId` is the id of the node whose page grows, or the root's. */
  constructor(readonly id: string, readonly parentId: string, readonly what: string) {
    super();
  }

  protected createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
    item.description = this.what;
    item.iconPath = new vscode.ThemeIcon('more');
    item.command = { command: Commands.streamLoadMore, title: 'Load More', arguments: [this] };
    return item;
  }
}

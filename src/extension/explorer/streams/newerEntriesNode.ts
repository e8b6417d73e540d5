// The row on top of an anchored Entries folder: "N newer entries" added since the list was loaded. Clicking it (the
// provider's loadMore()) drops the anchor, and the folder shows the newest entries again.
import * as vscode from 'vscode';
import { Commands } from '../../constants';
import { LoadMoreNode } from './loadMoreNode';

/** Newer entries counted above an anchored Entries folder at most ("100+ newer"). */
export const MAX_NEWER_COUNTED = 100;

export class NewerEntriesNode extends LoadMoreNode {
  constructor(id: string, parentId: string, override readonly newer: number) {
    super(id, parentId, 'entries');
  }

  protected override createItem(): vscode.TreeItem {
    const n = this.newer > MAX_NEWER_COUNTED ? `${MAX_NEWER_COUNTED}+` : String(this.newer);
    const item = new vscode.TreeItem(`${n} newer ${this.newer === 1 ? 'entry' : 'entries'}`, vscode.TreeItemCollapsibleState.None);
    item.description = 'show them';
    item.tooltip = 'Entries added since this list was loaded. The list holds still under live traffic; click to show the newest.';
    item.iconPath = new vscode.ThemeIcon('arrow-up');
    item.command = { command: Commands.streamLoadMore, title: 'Show Newer Entries', arguments: [this] };
    return item;
  }
}

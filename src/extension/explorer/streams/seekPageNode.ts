// The "Older entries" / "Newer entries" rows of an Entries folder opened at a time (Go to Time), and the row that
// goes back to the newest entries. Clicking one moves the folder's page (the provider's seekPage()).
import * as vscode from 'vscode';
import { Commands, ItemContext } from '../../constants';
import { ExplorerNode } from '../node';
import type { StreamsContext } from './context';

/** Where a folder opened by Go to Time shows its page from. */
export type SeekPosition = { at: string } | { after: string } | { before: string } | null;

export class SeekPageNode extends ExplorerNode<StreamsContext, never> {
  readonly kind = 'seekPage' as const;
  readonly contextValue = ItemContext.loadMore;

  /** `folderId`: the Entries folder whose page moves to `to` (null: back to the newest entries). */
  constructor(readonly id: string, readonly folderId: string, readonly key: string, readonly to: SeekPosition, private readonly label: string) {
    super();
  }

  protected createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    const icon = this.to === null ? 'arrow-circle-up' : 'before' in this.to ? 'arrow-up' : 'arrow-down';
    item.iconPath = new vscode.ThemeIcon(icon);
    item.command = { command: Commands.streamSeekPage, title: 'Show Page', arguments: [this] };
    return item;
  }
}

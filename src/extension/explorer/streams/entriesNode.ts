// The "Entries" folder of a stream: its entries newest first, paged. It lists the entries up to the newest one it
// first showed (its anchor), so new entries do not push the rows (and the selection) down under live traffic; a
// "N newer entries" row on top moves the anchor when the user asks.
import * as vscode from 'vscode';
import { ItemContext } from '../../constants';
import { MessageNode } from '../messageNode';
import { ExplorerNode } from '../node';
import type { StreamsContext } from './context';
import { nextId } from './entryFormat';
import { EntryNode } from './entryNode';
import type { StreamsTreeNode } from './index';
import { LoadMoreNode } from './loadMoreNode';
import { MAX_NEWER_COUNTED, NewerEntriesNode } from './newerEntriesNode';

export class EntriesNode extends ExplorerNode<StreamsContext, StreamsTreeNode> {
  readonly kind = 'entries' as const;
  readonly contextValue = ItemContext.entriesFolder;

  constructor(readonly id: string, readonly key: string, readonly length: number) {
    super();
  }

  override async getChildren({ transport: t, limitOf, anchors }: StreamsContext): Promise<StreamsTreeNode[]> {
    const limit = limitOf(this.id);
    const anchor = anchors.get(this.id);
    const list = await t.xrevrange(this.key, anchor ?? '+', '-', limit + 1);
    const out: StreamsTreeNode[] = [];
    if (anchor !== undefined) {
      const newer = (await t.xrevrange(this.key, '+', nextId(anchor), MAX_NEWER_COUNTED + 1)).length;
      if (newer > 0) out.push(new NewerEntriesNode(`${this.id}/newer`, this.id, newer));
    } else if (list.length > 0) {
      anchors.set(this.id, list[0]!.id);
    }
    out.push(...list.slice(0, limit).map((entry) => new EntryNode(`${this.id}/${entry.id}`, this.key, entry)));
    if (list.length > limit) out.push(new LoadMoreNode(`${this.id}/more`, this.id, 'entries'));
    if (out.length === 0) out.push(new MessageNode(`${this.id}/empty`, 'No entries'));
    return out;
  }

  protected createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Entries', vscode.TreeItemCollapsibleState.Collapsed);
    item.description = `newest first · ${this.length}`;
    item.iconPath = new vscode.ThemeIcon('symbol-array');
    return item;
  }
}

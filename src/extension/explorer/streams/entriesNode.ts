// The "Entries" folder of a stream: its entries newest first, paged. It lists the entries up to the newest one it
// first showed (its anchor), so new entries do not push the rows (and the selection) down under live traffic; a
// "N newer entries" row on top moves the anchor when the user asks.
import * as vscode from 'vscode';
import { pageAfter, pageAt, pageBefore, type Transport } from '../../../core/index';
import { ItemContext } from '../../constants';
import { MessageNode } from '../messageNode';
import { ExplorerNode } from '../node';
import type { StreamsContext } from './context';
import { nextId } from './entryFormat';
import { EntryNode } from './entryNode';
import type { StreamsTreeNode } from './index';
import { LoadMoreNode } from './loadMoreNode';
import { MAX_NEWER_COUNTED, NewerEntriesNode } from './newerEntriesNode';
import { SeekPageNode, type SeekPosition } from './seekPageNode';

export class EntriesNode extends ExplorerNode<StreamsContext, StreamsTreeNode> {
  readonly kind = 'entries' as const;
  readonly contextValue = ItemContext.entriesFolder;

  constructor(readonly id: string, readonly key: string, readonly length: number) {
    super();
  }

  override async getChildren({ transport: t, limitOf, anchors, seeks }: StreamsContext): Promise<StreamsTreeNode[]> {
    const limit = limitOf(this.id);
    const seek = seeks.get(this.id);
    if (seek) return seekChildren(t, this, seek, limit);
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

  /** Set by the provider when Go to Time opened this folder at a position. */
  seekLabel?: string;

  protected createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Entries', this.seekLabel ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.description = this.seekLabel ? `from ${this.seekLabel} · oldest first · ${this.length}` : `newest first · ${this.length}`;
    item.iconPath = new vscode.ThemeIcon('symbol-array');
    return item;
  }
}

/** A page of a folder opened at a time: older / newer rows around the entries, oldest first, and a way back. */
async function seekChildren(t: Transport, folder: EntriesNode, seek: Exclude<SeekPosition, null>, limit: number): Promise<StreamsTreeNode[]> {
  const page = 'at' in seek ? await pageAt(t, folder.key, seek.at, limit)
    : 'after' in seek ? await pageAfter(t, folder.key, seek.after, limit)
      : await pageBefore(t, folder.key, seek.before, limit);
  const first = page.entries[0]?.id;
  const last = page.entries[page.entries.length - 1]?.id;
  const here = 'at' in seek ? (page as { position?: string }).position ?? '0-0' : 'after' in seek ? seek.after : seek.before;
  const out: StreamsTreeNode[] = [new SeekPageNode(`${folder.id}/newest`, folder.id, folder.key, null, 'Back to the newest entries')];
  if (page.hasOlder) out.push(new SeekPageNode(`${folder.id}/older`, folder.id, folder.key, { before: first ?? here }, 'Older entries'));
  out.push(...page.entries.map((entry) => new EntryNode(`${folder.id}/${entry.id}`, folder.key, entry)));
  if (page.entries.length === 0) out.push(new MessageNode(`${folder.id}/none`, 'No entries here'));
  if (page.hasNewer) out.push(new SeekPageNode(`${folder.id}/newer`, folder.id, folder.key, { after: last ?? here }, 'Newer entries'));
  return out;
}

// An entry delivered to a consumer and not acknowledged yet, labelled with its time. Clicking inspects it.
import * as vscode from 'vscode';
import type { PendingEntry } from '../../../core/index';
import { Commands, ItemContext } from '../../constants';
import { formatDuration, plural, shorten } from '../../format';
import { ExplorerNode } from '../node';
import type { StreamsContext } from './context';
import { entryTimeLabel, idTooltip } from './entryFormat';

export class PendingNode extends ExplorerNode<StreamsContext, never> {
  readonly kind = 'pending' as const;
  readonly contextValue = ItemContext.pending;

  constructor(readonly id: string, readonly key: string, readonly group: string, readonly pending: PendingEntry) {
    super();
  }

  protected createItem(): vscode.TreeItem {
    const p = this.pending;
    const item = new vscode.TreeItem(entryTimeLabel(p.id), vscode.TreeItemCollapsibleState.None);
    item.description = `idle ${formatDuration(p.idleMs)} · ${plural(p.deliveries, 'delivery', 'deliveries')} · ${p.id}`;
    item.tooltip = `Pending entry ${idTooltip(p.id)}\nowned by ${shorten(p.consumer)}, idle ${formatDuration(p.idleMs)}, delivered ${p.deliveries}×`;
    item.iconPath = new vscode.ThemeIcon('clock');
    item.command = { command: Commands.eventInspect, title: 'Inspect Event', arguments: [this] };
    return item;
  }
}

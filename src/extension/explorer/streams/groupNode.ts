// A consumer group of a stream (lag, pending); beneath it its consumers.
import * as vscode from 'vscode';
import type { GroupInfo } from '../../../core/index';
import { ItemContext } from '../../constants';
import { plural, shorten } from '../../format';
import { MessageNode } from '../messageNode';
import { ExplorerNode } from '../node';
import { ConsumerNode } from './consumerNode';
import type { StreamsContext } from './context';
import type { StreamsTreeNode } from './index';

export class GroupNode extends ExplorerNode<StreamsContext, StreamsTreeNode> {
  readonly kind = 'group' as const;
  readonly contextValue = ItemContext.group;

  constructor(readonly id: string, readonly key: string, readonly group: GroupInfo) {
    super();
  }

  override async getChildren({ transport }: StreamsContext): Promise<StreamsTreeNode[]> {
    const consumers = await transport.xinfoConsumers(this.key, this.group.name);
    if (consumers.length === 0) return [new MessageNode(`${this.id}/none`, 'No consumers yet')];
    return consumers.map((c) => new ConsumerNode(`${this.id}/c/${c.name}`, this.key, this.group.name, c));
  }

  protected createItem(): vscode.TreeItem {
    const g = this.group;
    const item = new vscode.TreeItem(shorten(g.name), vscode.TreeItemCollapsibleState.Collapsed);
    item.description = `lag ${g.lag ?? '?'} · ${g.pending} pending`;
    item.tooltip = `Consumer group ${shorten(g.name)}\n${plural(g.consumers, 'consumer')}, ${g.pending} pending, lag ${g.lag ?? 'unknown'}\nlast delivered ${g.lastDeliveredId}`;
    item.iconPath = new vscode.ThemeIcon('organization');
    return item;
  }
}

// A consumer of a group (pending count, idle time, stuck or not); beneath it its pending entries, paged.
import * as vscode from 'vscode';
import type { ConsumerInfo, StuckConsumer } from '../../../core/index';
import { ItemContext } from '../../constants';
import { formatDuration, shorten } from '../../format';
import { MessageNode } from '../messageNode';
import { ExplorerNode } from '../node';
import type { StreamsContext } from './context';
import type { StreamsTreeNode } from './index';
import { stuckLine } from './lagText';
import { LoadMoreNode } from './loadMoreNode';
import { PendingNode } from './pendingNode';

export class ConsumerNode extends ExplorerNode<StreamsContext, StreamsTreeNode> {
  readonly kind = 'consumer' as const;

  constructor(readonly id: string, readonly key: string, readonly group: string, readonly consumer: ConsumerInfo,
    readonly lag?: { stuck: StuckConsumer | undefined; stuckAfterMs: number }) {
    super();
  }

  /** Stuck consumers get "Claim Pending for Consumer" in their context menu (and inline). */
  get contextValue(): string {
    return this.lag?.stuck ? ItemContext.stuckConsumer : ItemContext.consumer;
  }

  override async getChildren({ transport, limitOf }: StreamsContext): Promise<StreamsTreeNode[]> {
    if (this.consumer.pending === 0) return [new MessageNode(`${this.id}/none`, 'No pending entries')];
    const limit = limitOf(this.id);
    const list = await transport.xpendingRange(this.key, this.group, { count: limit + 1, consumer: this.consumer.name });
    const out: StreamsTreeNode[] = list.slice(0, limit).map((p) => new PendingNode(`${this.id}/p/${p.id}`, this.key, this.group, p));
    if (list.length > limit) out.push(new LoadMoreNode(`${this.id}/more`, this.id, 'pending entries'));
    return out;
  }

  protected createItem(): vscode.TreeItem {
    const c = this.consumer;
    const stuck = this.lag?.stuck;
    const item = new vscode.TreeItem(shorten(c.name), c.pending > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = `${stuck ? `stuck ${formatDuration(stuck.oldestPendingMs)} · ` : ''}${c.pending} pending · idle ${formatDuration(c.idleMs)}`;
    item.tooltip = [`Consumer ${shorten(c.name)} of ${shorten(this.group)}`, `${c.pending} pending, idle ${formatDuration(c.idleMs)}`,
      ...(stuck && this.lag ? [stuckLine(stuck, this.lag.stuckAfterMs)] : [])].join('\n');
    item.iconPath = stuck ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('person');
    return item;
  }
}

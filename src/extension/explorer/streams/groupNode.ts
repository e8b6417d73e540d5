// A consumer group of a stream (lag with its trend, pending, stuck consumers); beneath it its consumers.
import * as vscode from 'vscode';
import type { GroupInfo, LagTrend, StuckConsumer } from '../../../core/index';
import { ItemContext } from '../../constants';
import { plural, shorten } from '../../format';
import { MessageNode } from '../messageNode';
import { ExplorerNode } from '../node';
import { ConsumerNode } from './consumerNode';
import type { LagLookup, StreamsContext } from './context';
import type { StreamsTreeNode } from './index';
import { groupDescription, groupTrendLines } from './lagText';

/** What the lag watch knows of one group when its row is built. */
export interface GroupLag {
  trend: LagTrend | null;
  stuck: StuckConsumer[];
  stuckAfterMs: number;
}

export function groupLag(lag: LagLookup, stream: string, group: string): GroupLag {
  return { trend: lag.trend(stream, group), stuck: lag.stuckConsumers(stream, group), stuckAfterMs: lag.stuckAfterMs };
}

export class GroupNode extends ExplorerNode<StreamsContext, StreamsTreeNode> {
  readonly kind = 'group' as const;
  readonly contextValue = ItemContext.group;

  constructor(readonly id: string, readonly key: string, readonly group: GroupInfo, readonly lag?: GroupLag) {
    super();
  }

  override async getChildren({ transport, lag }: StreamsContext): Promise<StreamsTreeNode[]> {
    const consumers = await transport.xinfoConsumers(this.key, this.group.name);
    if (consumers.length === 0) return [new MessageNode(`${this.id}/none`, 'No consumers yet')];
    return consumers.map((c) => new ConsumerNode(`${this.id}/c/${c.name}`, this.key, this.group.name, c,
      lag && { stuck: lag.stuck(this.key, this.group.name, c.name), stuckAfterMs: lag.stuckAfterMs }));
  }

  protected createItem(): vscode.TreeItem {
    const g = this.group;
    const stuck = this.lag?.stuck ?? [];
    const item = new vscode.TreeItem(shorten(g.name), vscode.TreeItemCollapsibleState.Collapsed);
    item.description = groupDescription(g.lag, g.pending, this.lag?.trend ?? null, stuck.length);
    item.tooltip = [`Consumer group ${shorten(g.name)}`, `${plural(g.consumers, 'consumer')}, ${g.pending} pending, lag ${g.lag ?? 'unknown'}`,
      `last delivered ${g.lastDeliveredId}`, ...(this.lag ? groupTrendLines(this.lag.trend, stuck, this.lag.stuckAfterMs) : [])].join('\n');
    item.iconPath = stuck.length ? new vscode.ThemeIcon('organization', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('organization');
    return item;
  }
}

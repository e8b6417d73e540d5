// A shard channel (Redis 7 sharded pub/sub) in the Channels view, listed after the ordinary ones and marked "shard";
// it has a rate only where the monitor follows it (on a cluster).
import * as vscode from 'vscode';
import { ItemContext } from '../../constants';
import { formatRate, plural, shorten, tooltipValue } from '../../format';
import { violationBadge } from '../violationBadge';
import { ChannelNode } from './channelNode';

export class ShardChannelNode extends ChannelNode {
  override readonly sharded = true;

  override get contextValue(): string {
    return ItemContext.shardChannel;
  }

  protected override createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(shorten(this.channel), vscode.TreeItemCollapsibleState.None);
    const subs = this.subscribers === null ? 'subscribers unknown' : plural(this.subscribers, 'subscriber');
    item.description = this.total > 0 ? `shard · ${formatRate(this.ratePerSecond)} · ${subs}` : `shard · ${subs}`;
    item.tooltip = [tooltipValue(this.channel) ?? shorten(this.channel),
      'Shard channel (SSUBSCRIBE / SPUBLISH): on a cluster its messages stay on the shard that owns its slot.',
      this.total > 0 ? `${formatRate(this.ratePerSecond)}, ${plural(this.total, 'event')} seen since the monitor started following it`
        : 'Rate: not seen by the monitor (on a cluster it follows shard channels that have subscribers, found every few seconds)',
      `Subscribers: ${this.subscribers ?? 'unknown'} (every subscribed connection, UCore's own included when a tail or the monitor holds it)`].join('\n');
    item.iconPath = new vscode.ThemeIcon('broadcast');
    return violationBadge(item, this.violations);
  }
}

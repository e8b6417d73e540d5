// A channel in the Channels view: its rate as the monitor sees it and its subscribers as Redis reports them.
import * as vscode from 'vscode';
import { DEFAULT_STORE_CHANNEL } from '../../../core/index';
import { ItemContext } from '../../constants';
import { formatRate, plural, shorten, tooltipValue } from '../../format';
import { STORE_CHANNEL_NOTE } from '../../monitor/updateBuilder';
import { ExplorerNode } from '../node';
import { violationBadge, type TargetViolations } from '../violationBadge';

export class ChannelNode extends ExplorerNode<unknown, never> {
  readonly kind = 'channel' as const;
  /** A shard channel (SSUBSCRIBE / SPUBLISH), a namespace apart from ordinary channels of the same name. */
  readonly sharded: boolean = false;
  /** What the live contract check found on this channel (undefined: not checked, or nothing yet). */
  violations: TargetViolations | undefined;

  constructor(
    readonly id: string,
    readonly channel: string,
    public ratePerSecond: number,
    public total: number,
    /** null when Redis was not asked (or could not answer). */
    public subscribers: number | null,
  ) {
    super();
  }

  get contextValue(): string {
    return ItemContext.channel;
  }

  protected createItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(shorten(this.channel), vscode.TreeItemCollapsibleState.None);
    const parts = [formatRate(this.ratePerSecond)];
    if (this.subscribers !== null) parts.push(`${this.subscribers} ${this.subscribers === 1 ? 'subscriber' : 'subscribers'}`);
    item.description = parts.join(' · ');
    item.tooltip = [tooltipValue(this.channel) ?? shorten(this.channel),
      `${formatRate(this.ratePerSecond)}, ${plural(this.total, 'event')} seen since the monitor started`,
      this.subscribers === null ? 'Subscribers: not subscribed by name (seen by the monitor)' : `Subscribers: ${this.subscribers}`,
      ...(this.channel === DEFAULT_STORE_CHANNEL ? [STORE_CHANNEL_NOTE] : [])].join('\n');
    item.iconPath = new vscode.ThemeIcon('radio-tower');
    return violationBadge(item, this.violations);
  }
}

// The Channels view: channels the monitor has seen on the active connection (with rates) merged with the active
// ones Redis reports (`PUBSUB CHANNELS` + `NUMSUB` subscriber counts), optionally filtered by a glob pattern.
// Refreshes are coalesced: at most one every REFRESH_MS, however many events arrive.
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { ConnectionManager } from '../connections/connectionManager';
import { ItemContext } from '../constants';
import { formatRate, globToRegExp, plural, shorten, tooltipValue } from '../format';
import type { LiveMonitor } from '../monitor/liveMonitor';

export interface ChannelNode {
  kind: 'channel';
  id: string;
  channel: string;
  ratePerSecond: number;
  total: number;
  /** null when Redis was not asked (or could not answer). */
  subscribers: number | null;
}

export interface ChannelMessageNode { kind: 'message'; id: string; text: string }

export type ChannelsTreeNode = ChannelNode | ChannelMessageNode;

const REFRESH_MS = 500;
/** PUBSUB CHANNELS is asked at most this often; in between the last answer is reused. */
const PUBSUB_EVERY_MS = 2000;
const MAX_CHANNELS = 1000;

export class ChannelsTreeProvider implements vscode.TreeDataProvider<ChannelsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ChannelsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly countChanged = new vscode.EventEmitter<number>();
  readonly onDidChangeChannelCount = this.countChanged.event;
  private readonly filterChanged = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeFilter = this.filterChanged.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private pubsub: { at: number; connection: string; channels: Map<string, number> } | undefined;
  private filterText: string | undefined;
  private filterRe: RegExp | undefined;
  private lastCount = 0;
  private lastNodes: ChannelsTreeNode[] = [];

  constructor(private readonly connections: ConnectionManager, private readonly monitor: LiveMonitor, private readonly log: Logger) {
    this.subscriptions.push(
      monitor.onDidUpdate(() => this.scheduleRefresh()),
      connections.onDidChangeActive(() => {
        this.pubsub = undefined;
        this.refresh();
      }),
    );
  }

  get filter(): string | undefined {
    return this.filterText;
  }

  get channelCount(): number {
    return this.lastCount;
  }

  /** The nodes last shown (tests and the palette's quick picks use them). */
  get current(): readonly ChannelsTreeNode[] {
    return this.lastNodes;
  }

  setFilter(pattern: string | undefined): void {
    const p = pattern?.trim() || undefined;
    this.filterText = p;
    this.filterRe = p ? globToRegExp(p) : undefined;
    this.pubsub = undefined;
    this.filterChanged.fire(p);
    this.refresh();
  }

  /** Immediate refresh, also re-asking Redis for active channels. */
  refresh(): void {
    this.pubsub = undefined;
    this.dirty = false;
    this.changed.fire(undefined);
  }

  /** Coalesced: at most one refresh per REFRESH_MS. */
  scheduleRefresh(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.dirty) {
        this.dirty = false;
        this.changed.fire(undefined);
      }
    }, REFRESH_MS);
  }

  async getChildren(element?: ChannelsTreeNode): Promise<ChannelsTreeNode[]> {
    if (element) return [];
    const name = this.connections.activeConnectionName;
    const conn = this.connections.live(name);
    if (!conn) {
      this.setCount(0);
      this.lastNodes = [];
      return [];
    }
    const rows = new Map<string, ChannelNode>();
    for (const a of this.monitor.channels()) {
      if (this.filterRe && !this.filterRe.test(a.channel)) continue;
      rows.set(a.channel, { kind: 'channel', id: `${name}/ch/${a.channel}`, channel: a.channel, ratePerSecond: a.ratePerSecond, total: a.total, subscribers: null });
    }
    let problem: string | undefined;
    try {
      const active = await this.activeChannels(name);
      for (const [channel, subs] of active) {
        if (this.filterRe && !this.filterRe.test(channel)) continue;
        const row = rows.get(channel) ?? { kind: 'channel', id: `${name}/ch/${channel}`, channel, ratePerSecond: 0, total: 0, subscribers: null };
        row.subscribers = subs;
        rows.set(channel, row);
      }
    } catch (e) {
      problem = `Active channels unavailable: ${describeError(e)}`;
      this.log.debug(`channels view: ${problem}`);
    }
    const nodes: ChannelsTreeNode[] = [...rows.values()]
      .sort((a, b) => b.ratePerSecond - a.ratePerSecond || a.channel.localeCompare(b.channel))
      .slice(0, MAX_CHANNELS);
    this.setCount(nodes.length);
    if (problem) nodes.push({ kind: 'message', id: `${name}/ch-problem`, text: problem });
    if (nodes.length === 0 && this.filterText) nodes.push({ kind: 'message', id: `${name}/ch-none`, text: `No channel matches "${shorten(this.filterText, 80)}"` });
    this.lastNodes = nodes;
    return nodes;
  }

  private async activeChannels(connection: string): Promise<Map<string, number>> {
    const now = Date.now();
    if (this.pubsub && this.pubsub.connection === connection && now - this.pubsub.at < PUBSUB_EVERY_MS) return this.pubsub.channels;
    const conn = this.connections.live(connection);
    if (!conn) return new Map();
    const names = (await conn.transport.pubsubChannels(this.filterText)).slice(0, MAX_CHANNELS);
    const counts = names.length ? await conn.transport.pubsubNumsub(names) : [];
    const channels = new Map(counts.map((c) => [c.channel, c.subscribers] as const));
    this.pubsub = { at: now, connection, channels };
    return channels;
  }

  private setCount(n: number): void {
    if (n === this.lastCount) return;
    this.lastCount = n;
    this.countChanged.fire(n);
  }

  getTreeItem(node: ChannelsTreeNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(shorten(node.text), vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.contextValue = ItemContext.message;
      return item;
    }
    const item = new vscode.TreeItem(shorten(node.channel), vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    const parts = [formatRate(node.ratePerSecond)];
    if (node.subscribers !== null) parts.push(`${node.subscribers} ${node.subscribers === 1 ? 'subscriber' : 'subscribers'}`);
    item.description = parts.join(' · ');
    item.tooltip = [tooltipValue(node.channel) ?? shorten(node.channel),
      `${formatRate(node.ratePerSecond)}, ${plural(node.total, 'event')} seen since the monitor started`,
      node.subscribers === null ? 'Subscribers: not subscribed by name (seen by the monitor)' : `Subscribers: ${node.subscribers}`].join('\n');
    item.iconPath = new vscode.ThemeIcon('radio-tower');
    item.contextValue = ItemContext.channel;
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
    this.countChanged.dispose();
    this.filterChanged.dispose();
  }
}

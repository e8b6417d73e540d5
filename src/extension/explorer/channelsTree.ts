// The Channels view: channels the monitor has seen on the active connection (with rates) merged with the active
// ones Redis reports (`PUBSUB CHANNELS` + `NUMSUB` subscriber counts), optionally filtered by a glob pattern.
// Shard channels (Redis 7 sharded pub/sub: `PUBSUB SHARDCHANNELS` over every master + `SHARDNUMSUB`) follow the
// ordinary ones, marked "shard"; they have a rate only where the monitor follows them (on a cluster).
// Refreshes are coalesced: at most one every REFRESH_MS, however many events arrive.
import * as vscode from 'vscode';
import {
  describeError,
  type Logger,
  type Transport,
  isSentinelHello,
  compileGlob,
  type GlobMatcher,
} from '../../core/index';
import type { ConnectionManager } from '../connections/connectionManager';
import { shorten } from '../format';
import { Disposable, toDisposable } from '../lifecycle';
import type { LiveMonitor } from '../monitor/liveMonitor';
import { ChannelNode } from './channels/channelNode';
import { ShardChannelNode } from './channels/shardChannelNode';
import { MessageNode } from './messageNode';
import type { ViolationBadges } from './violationBadge';

export { ChannelNode } from './channels/channelNode';
export { ShardChannelNode } from './channels/shardChannelNode';

export type ChannelsTreeNode = ChannelNode | MessageNode;

const REFRESH_MS = 500;
/** PUBSUB CHANNELS is asked at most this often; in between the last answer is reused. */
const PUBSUB_EVERY_MS = 2000;
const MAX_CHANNELS = 1000;

export class ChannelsTreeProvider extends Disposable implements vscode.TreeDataProvider<ChannelsTreeNode> {
  private readonly changed = this.register(new vscode.EventEmitter<ChannelsTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly countChanged = this.register(new vscode.EventEmitter<number>());
  readonly onDidChangeChannelCount = this.countChanged.event;
  private readonly filterChanged = this.register(new vscode.EventEmitter<string | undefined>());
  readonly onDidChangeFilter = this.filterChanged.event;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private pubsub: { at: number; connection: string; channels: Map<string, number>; shard: Map<string, number>; shardProblem?: string } | undefined;
  /** Connections whose server has no sharded pub/sub (before Redis 7): not asked again. */
  private readonly noShardPubsub = new WeakSet<object>();
  private filterText: string | undefined;
  private filterMatches: GlobMatcher | undefined;
  private lastCount = 0;
  private lastNodes: ChannelsTreeNode[] = [];

  constructor(private readonly connections: ConnectionManager, private readonly monitor: LiveMonitor, private readonly log: Logger, private readonly badges?: ViolationBadges) {
    super();
    if (badges) this.register(badges.onDidChange(() => this.scheduleRefresh()));
    this.register(toDisposable(() => clearTimeout(this.timer)));
    this.register(monitor.feed.onViewFrame(() => this.scheduleRefresh()));
    this.register(connections.onDidChangeActive(() => {
      this.pubsub = undefined;
      this.refresh();
    }));
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
    this.filterMatches = p ? compileGlob(p) : undefined;
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
    let problem: string | undefined;
    let active: Pick<NonNullable<ChannelsTreeProvider['pubsub']>, 'channels' | 'shard'> = { channels: new Map(), shard: new Map() };
    try {
      const got = await this.activeChannels(name);
      active = got;
      if (got.shardProblem) problem = got.shardProblem;
    } catch (e) {
      problem = `Active channels unavailable: ${describeError(e)}`;
      this.log.debug(`channels view: ${problem}`);
    }
    const rows = new Map<string, ChannelNode>();
    const shardRows = new Map<string, ChannelNode>();
    const wanted = (channel: string) => !this.filterMatches || this.filterMatches(channel);
    for (const [channel, subs] of active.shard) {
      if (wanted(channel)) shardRows.set(channel, new ShardChannelNode(`${name}/sch/${channel}`, channel, 0, 0, subs));
    }
    for (const a of this.monitor.channels()) {
      if (!wanted(a.channel)) continue;
      // On a cluster the monitor also follows shard channels, and its counts do not say which namespace a name is
      // from: traffic of a listed shard channel is taken as its own unless an ordinary channel of that name is active.
      const shard = shardRows.get(a.channel);
      if (shard && !active.channels.has(a.channel)) {
        shard.ratePerSecond = a.ratePerSecond;
        shard.total = a.total;
        continue;
      }
      rows.set(a.channel, new ChannelNode(`${name}/ch/${a.channel}`, a.channel, a.ratePerSecond, a.total, null));
    }
    for (const [channel, subs] of active.channels) {
      if (!wanted(channel)) continue;
      const row = rows.get(channel) ?? new ChannelNode(`${name}/ch/${channel}`, channel, 0, 0, null);
      row.subscribers = subs;
      rows.set(channel, row);
    }
    const byRateThenName = (a: ChannelNode, b: ChannelNode) => b.ratePerSecond - a.ratePerSecond || a.channel.localeCompare(b.channel);
    const channelNodes = [...[...rows.values()].sort(byRateThenName), ...[...shardRows.values()].sort(byRateThenName)].slice(0, MAX_CHANNELS);
    if (this.badges) for (const n of channelNodes) n.violations = this.badges.forTarget(n.sharded ? 'shard' : 'channel', n.channel);
    const nodes: ChannelsTreeNode[] = channelNodes;
    this.setCount(nodes.length);
    if (problem) nodes.push(new MessageNode(`${name}/ch-problem`, problem));
    if (nodes.length === 0 && this.filterText) nodes.push(new MessageNode(`${name}/ch-none`, `No channel matches "${shorten(this.filterText, 80)}"`));
    this.lastNodes = nodes;
    return nodes;
  }

  private async activeChannels(connection: string): Promise<NonNullable<ChannelsTreeProvider['pubsub']>> {
    const now = Date.now();
    if (this.pubsub && this.pubsub.connection === connection && now - this.pubsub.at < PUBSUB_EVERY_MS) return this.pubsub;
    const conn = this.connections.live(connection);
    if (!conn) return { at: now, connection, channels: new Map(), shard: new Map() };
    // The sentinels' own channel on a Sentinel-managed master is plumbing, not traffic.
    const names = (await conn.transport.pubsubChannels(this.filterText)).filter((n) => !isSentinelHello(n)).slice(0, MAX_CHANNELS);
    const counts = names.length ? await conn.transport.pubsubNumsub(names) : [];
    const channels = new Map(counts.map((c) => [c.channel, c.subscribers] as const));
    const { shard, problem: shardProblem } = await this.shardChannels(conn.transport);
    this.pubsub = { at: now, connection, channels, shard, ...(shardProblem ? { shardProblem } : {}) };
    return this.pubsub;
  }

  /** Shard channels with their subscriber counts; a failure here must not hide the ordinary channels. */
  private async shardChannels(t: Transport): Promise<{ shard: Map<string, number>; problem?: string }> {
    if (this.noShardPubsub.has(t)) return { shard: new Map() };
    try {
      const names = (await t.pubsubShardChannels(this.filterText)).slice(0, MAX_CHANNELS);
      const counts = names.length ? await t.pubsubShardNumsub(names) : [];
      return { shard: new Map(counts.map((c) => [c.channel, c.subscribers] as const)) };
    } catch (e) {
      const why = describeError(e);
      // Redis before 7 has no PUBSUB SHARDCHANNELS: nothing to show, and nothing wrong.
      if (/unknown (sub)?command/i.test(why)) {
        this.noShardPubsub.add(t);
        this.log.debug(`channels view: no sharded pub/sub on this server (${why})`);
        return { shard: new Map() };
      }
      this.log.debug(`channels view: shard channels: ${why}`);
      return { shard: new Map(), problem: `Shard channels unavailable: ${why}` };
    }
  }

  private setCount(n: number): void {
    if (n === this.lastCount) return;
    this.lastCount = n;
    this.countChanged.fire(n);
  }

  getTreeItem(node: ChannelsTreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }
}

// The Streams view: streams found by `SCAN … TYPE stream` (paged), each with its length and last entry time; beneath
// each, its entries (newest first, paged) and its consumer groups → consumers → pending entries.
// Pages are remembered as "how many to show" per node, so a refresh keeps what the user loaded.
//
// Rows hold still under live traffic: every row has a stable id, streams are sorted by key, and an Entries folder
// lists the entries up to the newest one it first showed (its anchor), so new entries do not push the rows (and the
// selection) down every few seconds; a "N newer entries" row on top moves the anchor when the user asks. Entries are
// labelled with their time; the id is in the description and the tooltip.
import { describeError, streamPage, type Logger } from '../../core/index';
import * as vscode from 'vscode';
import type { Settings } from '../connections/settings';
import { Disposable } from '../lifecycle';
import type { ActiveConnection } from '../services';
import type { ConnectionManager } from '../connections/connectionManager';
import { MessageNode } from './messageNode';
import type { LagLookup, StreamsContext } from './streams/context';
import type { StreamsTreeNode } from './streams/index';
import { LoadMoreNode } from './streams/loadMoreNode';
import { StreamNode } from './streams/streamNode';
import type { ViolationBadges } from './violationBadge';
import type { SeekPosition } from './streams/seekPageNode';

export { ConsumerNode } from './streams/consumerNode';
export { EntriesNode } from './streams/entriesNode';
export { entryText, entryTimeLabel } from './streams/entryFormat';
export { EntryNode } from './streams/entryNode';
export { GroupNode } from './streams/groupNode';
export type { StreamsTreeNode } from './streams/index';
export { LoadMoreNode } from './streams/loadMoreNode';
export { NewerEntriesNode } from './streams/newerEntriesNode';
export { PendingNode } from './streams/pendingNode';
export { SeekPageNode } from './streams/seekPageNode';
export { StreamNode } from './streams/streamNode';
export { MessageNode } from './messageNode';

const ROOT = '(root)';
const STREAM_PAGE_FACTOR = 4;

export class StreamsTreeProvider extends Disposable implements vscode.TreeDataProvider<StreamsTreeNode> {
  private readonly changed = this.register(new vscode.EventEmitter<StreamsTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly limits = new Map<string, number>();
  /** Entries folder id → the id of the newest entry it lists (rows stay put while new entries arrive). */
  private readonly anchors = new Map<string, string>();
  /** Entries folder id → where Go to Time opened it. */
  private readonly seeks = new Map<string, Exclude<SeekPosition, null>>();
  private readonly parents = new Map<string, StreamsTreeNode | undefined>();
  private readonly nodes = new Map<string, StreamsTreeNode>();
  private lastStreamCount = 0;
  private readonly countChanged = this.register(new vscode.EventEmitter<number>());
  /** Number of streams at the top level after each load (the view's welcome content uses 0). */
  readonly onDidChangeStreamCount = this.countChanged.event;

  constructor(private readonly connections: ConnectionManager, private readonly settings: Settings, private readonly log: Logger, private readonly badges?: ViolationBadges, private readonly lag?: LagLookup) {
    super();
    // A stream whose new entries break a contract is marked: the top level is listed again when the set of marked
    // streams changes (their counts follow with the view's own refresh every few seconds, not on every violation).
    if (badges) this.register(badges.onDidChange(() => this.badgesChanged()));
    this.register(connections.onDidChangeActive(() => {
      this.limits.clear();
      this.anchors.clear();
      this.seeks.clear();
      this.refresh();
    }));
  }

  private badgeKey = '';

  private badgesChanged(): void {
    const key = [...this.nodes.values()].filter((n) => n.kind === 'stream' && (this.badges?.forTarget('stream', n.key)?.violating ?? 0) > 0).map((n) => n.id).join('\n');
    if (key === this.badgeKey) return;
    this.badgeKey = key;
    this.refresh();
  }

  get streamCount(): number {
    return this.lastStreamCount;
  }

  refresh(node?: StreamsTreeNode): void {
    this.changed.fire(node);
  }

  /** Shows another page beneath the node that owns the "Load more…" row. */
  loadMore(node: LoadMoreNode): void {
    if (node.newer !== undefined) {
      // Show the newest entries: the folder starts again from the top, with the page size the user had.
      this.anchors.delete(node.parentId);
      this.refresh(this.nodes.get(node.parentId));
      return;
    }
    const current = this.limits.get(node.parentId) ?? this.pageSize(node.parentId);
    this.limits.set(node.parentId, current + this.pageSize(node.parentId));
    this.refresh(node.parentId === ROOT ? undefined : this.nodes.get(node.parentId));
  }

  /** Opens the Entries folder of `stream` at `at` (ISO text), or moves its page (older / newer / back to newest). */
  seek(folderId: string, to: SeekPosition): void {
    if (to === null) this.seeks.delete(folderId);
    else this.seeks.set(folderId, to);
    this.anchors.delete(folderId);
    const folder = this.nodes.get(folderId);
    const stream = folder && this.parents.get(folderId);
    this.refresh(stream ?? undefined);
  }

  /** A row loaded before, by id. */
  nodeById(id: string): StreamsTreeNode | undefined {
    return this.nodes.get(id);
  }

  /** The Entries folder id of a stream row. */
  entriesFolderId(streamNodeId: string): string {
    return `${streamNodeId}/entries`;
  }

  getParent(node: StreamsTreeNode): StreamsTreeNode | undefined {
    return this.parents.get(node.id);
  }

  async getChildren(element?: StreamsTreeNode): Promise<StreamsTreeNode[]> {
    const conn = this.connections.live(this.connections.activeConnectionName);
    if (!conn) {
      if (!element) this.setCount(0);
      return [];
    }
    try {
      const children = await this.childrenOf(conn, element);
      for (const c of children) {
        this.parents.set(c.id, element);
        this.nodes.set(c.id, c);
      }
      return children;
    } catch (e) {
      this.log.warn(`streams view: ${describeError(e)}`);
      return [new MessageNode(`${element?.id ?? ROOT}/error`, `Could not load: ${describeError(e)}`, true)];
    }
  }

  private pageSize(parentId: string): number {
    const n = this.settings.get('explorerPageSize');
    return parentId === ROOT ? n * STREAM_PAGE_FACTOR : n;
  }

  private limitOf(id: string): number {
    return this.limits.get(id) ?? this.pageSize(id);
  }

  private setCount(n: number): void {
    if (n !== this.lastStreamCount) {
      this.lastStreamCount = n;
      this.countChanged.fire(n);
    }
  }

  private async childrenOf(conn: ActiveConnection, element?: StreamsTreeNode): Promise<StreamsTreeNode[]> {
    if (element) return element.getChildren(this.context(conn));
    const t = conn.transport;
    if (this.parents.size > 5000) { this.parents.clear(); this.nodes.clear(); }
    const { streams, more } = await streamPage(t, this.limitOf(ROOT));
    const nodes: StreamsTreeNode[] = streams.map(({ key, info }) => {
      const node = new StreamNode(`${conn.name}/s/${key}`, key, info.length, info.lastEntry?.id ?? null, info.groups);
      node.violations = this.badges?.forTarget('stream', key);
      return node;
    });
    this.setCount(nodes.length);
    if (more) nodes.push(new LoadMoreNode(`${conn.name}/s-more`, ROOT, 'streams'));
    return nodes;
  }

  /** What the rows beneath the top level need from the view: the connection, page sizes, anchors. */
  private context(conn: ActiveConnection): StreamsContext {
    return { transport: conn.transport, limitOf: (id) => this.limitOf(id), anchors: this.anchors, seeks: this.seeks, lag: this.lag };
  }

  getTreeItem(node: StreamsTreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }
}

// The Streams view: streams found by `SCAN … TYPE stream` (paged), each with its length and last entry time; beneath
// each, its entries (newest first, paged) and its consumer groups → consumers → pending entries.
// Pages beneath a node are remembered as "how many to show", so a refresh keeps what the user loaded. The top level
// keeps its SCAN listing instead: "Load more…" goes on from the cursor where the last page stopped (scanning again
// from 0 never reached the streams past the first ~10,000 of a big keyspace); an automatic refresh reads the listed
// streams again, and the Refresh command (or a new connection) starts the listing over.
//
// Rows hold still under live traffic: every row has a stable id, streams are sorted by key, and an Entries folder
// lists the entries up to the newest one it first showed (its anchor), so new entries do not push the rows (and the
// selection) down every few seconds; a "N newer entries" row on top moves the anchor when the user asks. Entries are
// labelled with their time; the id is in the description and the tooltip.
import { describeError, StreamListing, streamInfos, type Logger, type StreamListPage, type Transport } from '../../core/index';
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

/** The top level's listing: the SCAN cursor (inside `listing`) and the keys shown so far. */
interface RootListing {
  readonly transport: Transport;
  readonly listing: StreamListing;
  keys: string[];
  /** Pages loaded; while only the first is, a refresh lists again from the start (new streams show up). */
  pages: number;
}

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
  private root: RootListing | undefined;
  /** "Load more…" presses on the top level not yet served by a listing. */
  private rootPagesAsked = 0;
  /** Top-level listings run one at a time (a Load more and an automatic refresh must not both move the cursor). */
  private rootQueue: Promise<unknown> = Promise.resolve();
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
      this.reload();
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

  /** Lists the streams again from the start of the keyspace (the Refresh command). */
  reload(): void {
    this.root = undefined;
    this.rootPagesAsked = 0;
    this.refresh();
  }

  /** Shows another page beneath the node that owns the "Load more…" row. */
  loadMore(node: LoadMoreNode): void {
    if (node.newer !== undefined) {
      // Show the newest entries: the folder starts again from the top, with the page size the user had.
      this.anchors.delete(node.parentId);
      this.refresh(this.nodes.get(node.parentId));
      return;
    }
    if (node.parentId === ROOT) {
      this.rootPagesAsked++;
      this.refresh();
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
    const run = this.rootQueue.then(() => this.listRoot(t));
    this.rootQueue = run.catch(() => undefined);
    const { streams, more } = await run;
    const nodes: StreamsTreeNode[] = streams.map(({ key, info }) => {
      const node = new StreamNode(`${conn.name}/s/${key}`, key, info.length, info.lastEntry?.id ?? null, info.groups);
      node.violations = this.badges?.forTarget('stream', key);
      return node;
    });
    this.setCount(nodes.length);
    if (more) nodes.push(new LoadMoreNode(`${conn.name}/s-more`, ROOT, 'streams'));
    return nodes;
  }

  /** The top level's streams: the next page when Load more was pressed, else the ones listed so far, read again. */
  private async listRoot(t: Transport): Promise<StreamListPage> {
    const page = this.pageSize(ROOT);
    let root = this.root;
    if (!root || root.transport !== t || (root.pages <= 1 && this.rootPagesAsked === 0)) {
      root = { transport: t, listing: new StreamListing(t), keys: [], pages: 0 };
      this.root = root;
      root.keys = await root.listing.next(page);
      root.pages = 1;
    }
    for (; this.rootPagesAsked > 0; this.rootPagesAsked--) {
      root.keys.push(...(await root.listing.next(page)));
      root.pages++;
    }
    const streams = await streamInfos(t, root.keys);
    // Streams deleted since are dropped from the listing (they would be looked up again at every refresh).
    if (streams.length !== root.keys.length) root.keys = streams.map((s) => s.key);
    return { streams, more: !root.listing.done };
  }

  /** What the rows beneath the top level need from the view: the connection, page sizes, anchors. */
  private context(conn: ActiveConnection): StreamsContext {
    return { transport: conn.transport, limitOf: (id) => this.limitOf(id), anchors: this.anchors, seeks: this.seeks, lag: this.lag };
  }

  getTreeItem(node: StreamsTreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }
}

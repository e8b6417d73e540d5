// The Streams view: streams found by `SCAN … TYPE stream` (paged), each with its length and last entry time; beneath
// each, its entries (newest first, paged) and its consumer groups → consumers → pending entries.
// Pages are remembered as "how many to show" per node, so a refresh keeps what the user loaded.
//
// Rows hold still under live traffic: every row has a stable id, streams are sorted by key, and an Entries folder
// lists the entries up to the newest one it first showed (its anchor), so new entries do not push the rows (and the
// selection) down every few seconds; a "N newer entries" row on top moves the anchor when the user asks. Entries are
// labelled with their time; the id is in the description and the tooltip.
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { ConsumerInfo, GroupInfo, PendingEntry, StreamEntry } from '../../core/transport/types';
import type { Settings } from '../connections/settings';
import { Commands, DEAD_LETTER_STREAM, ItemContext, STORE_INDEX_MARKER } from '../constants';
import { ago, formatDuration, idTimeMs, plural, shorten, tooltipValue } from '../format';
import type { ActiveConnection } from '../services';
import type { ConnectionManager } from '../connections/connectionManager';

export interface StreamNode { kind: 'stream'; id: string; key: string; length: number; lastEntryId: string | null; groups: number }
export interface EntriesNode { kind: 'entries'; id: string; key: string; length: number }
export interface EntryNode { kind: 'entry'; id: string; key: string; entry: StreamEntry }
export interface GroupNode { kind: 'group'; id: string; key: string; group: GroupInfo }
export interface ConsumerNode { kind: 'consumer'; id: string; key: string; group: string; consumer: ConsumerInfo }
export interface PendingNode { kind: 'pending'; id: string; key: string; group: string; pending: PendingEntry }
/** "Load more…" below a page; with `newer`, the row on top of an Entries folder that shows the entries added since. */
export interface LoadMoreNode { kind: 'loadMore'; id: string; parentId: string; what: string; newer?: number }
export interface MessageNode { kind: 'message'; id: string; text: string; error?: boolean }

export type StreamsTreeNode = StreamNode | EntriesNode | EntryNode | GroupNode | ConsumerNode | PendingNode | LoadMoreNode | MessageNode;

const ROOT = '(root)';
/** SCAN steps per page at most: a huge keyspace with few streams must not hang the view. */
const MAX_SCAN_STEPS = 200;
const STREAM_PAGE_FACTOR = 4;
/** Newer entries counted above an anchored Entries folder at most ("100+ newer"). */
const MAX_NEWER_COUNTED = 100;

export class StreamsTreeProvider implements vscode.TreeDataProvider<StreamsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StreamsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly limits = new Map<string, number>();
  /** Entries folder id → the id of the newest entry it lists (rows stay put while new entries arrive). */
  private readonly anchors = new Map<string, string>();
  private readonly parents = new Map<string, StreamsTreeNode | undefined>();
  private readonly nodes = new Map<string, StreamsTreeNode>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private lastStreamCount = 0;
  private readonly countChanged = new vscode.EventEmitter<number>();
  /** Number of streams at the top level after each load (the view's welcome content uses 0). */
  readonly onDidChangeStreamCount = this.countChanged.event;

  constructor(private readonly connections: ConnectionManager, private readonly settings: Settings, private readonly log: Logger) {
    this.subscriptions.push(connections.onDidChangeActive(() => {
      this.limits.clear();
      this.anchors.clear();
      this.refresh();
    }));
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
      return [{ kind: 'message', id: `${element?.id ?? ROOT}/error`, text: `Could not load: ${describeError(e)}`, error: true }];
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
    const t = conn.transport;
    const base = `${conn.name}`;
    if (!element) {
      if (this.parents.size > 5000) { this.parents.clear(); this.nodes.clear(); }
      const limit = this.limitOf(ROOT);
      const { keys, more } = await this.scanStreams(conn, limit);
      const infos = await Promise.all(keys.map((k) => t.xinfoStream(k).catch(() => null)));
      const nodes: StreamsTreeNode[] = [];
      keys.forEach((key, i) => {
        const info = infos[i];
        if (!info) return;
        nodes.push({
          kind: 'stream', id: `${base}/s/${key}`, key, length: info.length,
          lastEntryId: info.lastEntry?.id ?? null, groups: info.groups,
        });
      });
      this.setCount(nodes.length);
      if (more) nodes.push({ kind: 'loadMore', id: `${base}/s-more`, parentId: ROOT, what: 'streams' });
      return nodes;
    }
    switch (element.kind) {
      case 'stream': {
        const groups = await t.xinfoGroups(element.key);
        const entries: EntriesNode = { kind: 'entries', id: `${element.id}/entries`, key: element.key, length: element.length };
        return [entries, ...groups.map((g): GroupNode => ({ kind: 'group', id: `${element.id}/g/${g.name}`, key: element.key, group: g }))];
      }
      case 'entries': {
        const limit = this.limitOf(element.id);
        const anchor = this.anchors.get(element.id);
        const list = await t.xrevrange(element.key, anchor ?? '+', '-', limit + 1);
        const out: StreamsTreeNode[] = [];
        if (anchor !== undefined) {
          const newer = (await t.xrevrange(element.key, '+', nextId(anchor), MAX_NEWER_COUNTED + 1)).length;
          if (newer > 0) out.push({ kind: 'loadMore', id: `${element.id}/newer`, parentId: element.id, what: 'entries', newer });
        } else if (list.length > 0) {
          this.anchors.set(element.id, list[0]!.id);
        }
        out.push(...list.slice(0, limit).map((entry): EntryNode => ({ kind: 'entry', id: `${element.id}/${entry.id}`, key: element.key, entry })));
        if (list.length > limit) out.push({ kind: 'loadMore', id: `${element.id}/more`, parentId: element.id, what: 'entries' });
        if (out.length === 0) out.push({ kind: 'message', id: `${element.id}/empty`, text: 'No entries' });
        return out;
      }
      case 'group': {
        const consumers = await t.xinfoConsumers(element.key, element.group.name);
        if (consumers.length === 0) return [{ kind: 'message', id: `${element.id}/none`, text: 'No consumers yet' }];
        return consumers.map((c) => ({ kind: 'consumer', id: `${element.id}/c/${c.name}`, key: element.key, group: element.group.name, consumer: c }));
      }
      case 'consumer': {
        if (element.consumer.pending === 0) return [{ kind: 'message', id: `${element.id}/none`, text: 'No pending entries' }];
        const limit = this.limitOf(element.id);
        const list = await t.xpendingRange(element.key, element.group, { count: limit + 1, consumer: element.consumer.name });
        const out: StreamsTreeNode[] = list.slice(0, limit).map((p) => ({ kind: 'pending', id: `${element.id}/p/${p.id}`, key: element.key, group: element.group, pending: p }));
        if (list.length > limit) out.push({ kind: 'loadMore', id: `${element.id}/more`, parentId: element.id, what: 'pending entries' });
        return out;
      }
      default:
        return [];
    }
  }

  /** Stream keys, sorted, up to `limit`; index streams of the store are internal and left out. */
  private async scanStreams(conn: ActiveConnection, limit: number): Promise<{ keys: string[]; more: boolean }> {
    const found = new Set<string>();
    let cursor = '0';
    let steps = 0;
    do {
      const r = await conn.transport.scan(cursor, { type: 'stream', count: 500 });
      cursor = r.cursor;
      for (const k of r.keys) if (!k.includes(STORE_INDEX_MARKER)) found.add(k);
      steps++;
    } while (cursor !== '0' && found.size <= limit && steps < MAX_SCAN_STEPS);
    const keys = [...found].sort();
    return { keys: keys.slice(0, limit), more: keys.length > limit || cursor !== '0' };
  }

  getTreeItem(node: StreamsTreeNode): vscode.TreeItem {
    const None = vscode.TreeItemCollapsibleState.None;
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (node.kind) {
      case 'stream': {
        const item = new vscode.TreeItem(shorten(node.key), Collapsed);
        const last = node.lastEntryId ? idTimeMs(node.lastEntryId) : null;
        item.description = `${plural(node.length, 'entry', 'entries')}${last ? ` · last ${ago(last)}` : ''}`;
        item.tooltip = [tooltipValue(node.key) ?? shorten(node.key), `${node.length} entries, ${plural(node.groups, 'group')}`,
          ...(node.lastEntryId ? [`last entry ${node.lastEntryId}`] : [])].join('\n');
        item.iconPath = new vscode.ThemeIcon(node.key === DEAD_LETTER_STREAM ? 'warning' : 'list-ordered');
        item.contextValue = node.key === DEAD_LETTER_STREAM ? ItemContext.deadLetterStream : ItemContext.stream;
        return withId(item, node);
      }
      case 'entries': {
        const item = new vscode.TreeItem('Entries', Collapsed);
        item.description = `newest first · ${node.length}`;
        item.iconPath = new vscode.ThemeIcon('symbol-array');
        item.contextValue = ItemContext.entriesFolder;
        return withId(item, node);
      }
      case 'entry': {
        const item = new vscode.TreeItem(entryTimeLabel(node.entry.id), None);
        const summary = entrySummary(node.key, node.entry);
        item.description = `${shorten(summary, 120)} · ${node.entry.id}`;
        const text = entryText(node.entry);
        item.tooltip = `${idTooltip(node.entry.id)}\n${tooltipValue(text) ?? `${shorten(text, 500)}\n(truncated; use Inspect Event)`}`;
        item.iconPath = new vscode.ThemeIcon('symbol-event');
        item.contextValue = node.key === DEAD_LETTER_STREAM ? ItemContext.deadLetterEntry : ItemContext.entry;
        item.command = { command: Commands.eventInspect, title: 'Inspect Event', arguments: [node] };
        return withId(item, node);
      }
      case 'group': {
        const g = node.group;
        const item = new vscode.TreeItem(shorten(g.name), Collapsed);
        item.description = `lag ${g.lag ?? '?'} · ${g.pending} pending`;
        item.tooltip = `Consumer group ${shorten(g.name)}\n${plural(g.consumers, 'consumer')}, ${g.pending} pending, lag ${g.lag ?? 'unknown'}\nlast delivered ${g.lastDeliveredId}`;
        item.iconPath = new vscode.ThemeIcon('organization');
        item.contextValue = ItemContext.group;
        return withId(item, node);
      }
      case 'consumer': {
        const c = node.consumer;
        const item = new vscode.TreeItem(shorten(c.name), c.pending > 0 ? Collapsed : None);
        item.description = `${c.pending} pending · idle ${formatDuration(c.idleMs)}`;
        item.tooltip = `Consumer ${shorten(c.name)} of ${shorten(node.group)}\n${c.pending} pending, idle ${formatDuration(c.idleMs)}`;
        item.iconPath = new vscode.ThemeIcon('person');
        item.contextValue = ItemContext.consumer;
        return withId(item, node);
      }
      case 'pending': {
        const p = node.pending;
        const item = new vscode.TreeItem(entryTimeLabel(p.id), None);
        item.description = `idle ${formatDuration(p.idleMs)} · ${plural(p.deliveries, 'delivery', 'deliveries')} · ${p.id}`;
        item.tooltip = `Pending entry ${idTooltip(p.id)}\nowned by ${shorten(p.consumer)}, idle ${formatDuration(p.idleMs)}, delivered ${p.deliveries}×`;
        item.iconPath = new vscode.ThemeIcon('clock');
        item.contextValue = ItemContext.pending;
        item.command = { command: Commands.eventInspect, title: 'Inspect Event', arguments: [node] };
        return withId(item, node);
      }
      case 'loadMore': {
        if (node.newer !== undefined) {
          const n = node.newer > MAX_NEWER_COUNTED ? `${MAX_NEWER_COUNTED}+` : String(node.newer);
          const item = new vscode.TreeItem(`${n} newer ${node.newer === 1 ? 'entry' : 'entries'}`, None);
          item.description = 'show them';
          item.tooltip = 'Entries added since this list was loaded. The list holds still under live traffic; click to show the newest.';
          item.iconPath = new vscode.ThemeIcon('arrow-up');
          item.contextValue = ItemContext.loadMore;
          item.command = { command: Commands.streamLoadMore, title: 'Show Newer Entries', arguments: [node] };
          return withId(item, node);
        }
        const item = new vscode.TreeItem('Load more…', None);
        item.description = node.what;
        item.iconPath = new vscode.ThemeIcon('more');
        item.contextValue = ItemContext.loadMore;
        item.command = { command: Commands.streamLoadMore, title: 'Load More', arguments: [node] };
        return withId(item, node);
      }
      case 'message': {
        const item = new vscode.TreeItem(shorten(node.text), None);
        item.iconPath = node.error ? new vscode.ThemeIcon('error') : undefined;
        item.contextValue = ItemContext.message;
        return withId(item, node);
      }
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
    this.countChanged.dispose();
  }
}

/** The smallest id after `id` (XRANGE's exclusive `(id` spelled so every server and the embedded transport take it). */
function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${Number(seq ?? 0) + 1}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * An entry's time from its id, local: "14:03:12.345", with the date when it is not today, and "#seq" when several
 * entries share the millisecond. Ids that are not times (explicit ids such as 1-1) stay as they are.
 */
export function entryTimeLabel(id: string, now = new Date()): string {
  const ms = idTimeMs(id);
  if (ms === null || ms < 946_684_800_000) return id; // before 2000: an explicit id, not a time
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  const seq = id.split('-')[1];
  return `${sameDay ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `}${time}${seq && seq !== '0' ? ` #${seq}` : ''}`;
}

function idTooltip(id: string): string {
  const ms = idTimeMs(id);
  return ms === null ? id : `${id} (${new Date(ms).toISOString()}, ${ago(ms)})`;
}

function withId(item: vscode.TreeItem, node: StreamsTreeNode): vscode.TreeItem {
  item.id = node.id;
  return item;
}

/** The entry as text: the `event` field when it is the only one (the guide's format), else all fields as JSON. */
export function entryText(entry: StreamEntry): string {
  const keys = Object.keys(entry.fields);
  if (keys.length === 1 && keys[0] === 'event') return entry.fields.event;
  return JSON.stringify(entry.fields);
}

/** "order_created · order 789" or, for a dead letter, its error. */
function entrySummary(stream: string, entry: StreamEntry): string {
  const raw = entry.fields.event;
  let type = '';
  let entity = '';
  if (raw !== undefined) {
    try {
      const v = JSON.parse(raw) as Record<string, unknown>;
      if (v && typeof v === 'object') {
        if (typeof v.event_type === 'string') type = v.event_type;
        if (typeof v.entity_id === 'string' || typeof v.entity_id === 'number') entity = String(v.entity_id);
      }
    } catch {
      type = '(not JSON)';
    }
  } else {
    type = Object.keys(entry.fields).slice(0, 4).join(', ');
  }
  const parts = [type || '(no type)'];
  if (entity) parts.push(entity);
  if (stream === DEAD_LETTER_STREAM && entry.fields.error) parts.push(`error: ${entry.fields.error}`);
  return parts.join(' · ');
}

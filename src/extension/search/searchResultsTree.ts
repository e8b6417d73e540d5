// The "Search Results" view: what the last stream search found, as it comes in (a status row with scanned / total,
// then one row per match, oldest first or newest first as searched). Clicking a match opens it in the read-only event
// editor (Inspect Event with `{ stream, id }`). Rows are bounded by the search's result limit; updates from a scan
// that reports every page are coalesced to at most 5 a second. No CEL here: this view is built at activation, the
// search itself loads on first use.
import * as vscode from 'vscode';
import type { DeadLetterGroup, StreamEntry } from '../../core/index';
import { Commands, ItemContext } from '../constants';
import { plural, shorten } from '../format';
import { Disposable, toDisposable } from '../lifecycle';
import { MessageNode } from '../explorer/messageNode';
import { ExplorerNode } from '../explorer/node';
import { entryTreeItem } from '../explorer/streams/entryNode';

/** A match of a search: the entry (its fields as read) in its stream. */
export class SearchResultNode extends ExplorerNode<void, never> {
  readonly kind = 'searchResult' as const;
  readonly contextValue = ItemContext.searchResult;

  constructor(readonly id: string, readonly stream: string, readonly entry: StreamEntry) {
    super();
  }

  protected createItem(): vscode.TreeItem {
    return entryTreeItem(this.stream, this.entry, { stream: this.stream, id: this.entry.id });
  }
}

/** A dead-letter reason with its count; beneath it the dead letters of that reason (read when expanded). */
export class DeadLetterGroupNode extends ExplorerNode<void, SearchResultsNode> {
  readonly kind = 'deadLetterGroup' as const;
  readonly contextValue = ItemContext.deadLetterGroup;

  constructor(readonly id: string, readonly stream: string, readonly group: DeadLetterGroup, private readonly load: (node: DeadLetterGroupNode) => Promise<SearchResultsNode[]>) {
    super();
  }

  override getChildren(): Promise<SearchResultsNode[]> {
    return this.load(this);
  }

  protected createItem(): vscode.TreeItem {
    const g = this.group;
    const item = new vscode.TreeItem(shorten(g.reason, 120), vscode.TreeItemCollapsibleState.Collapsed);
    item.description = `${g.count}${g.redriven ? ` · ${g.redriven} redriven` : ''}${g.sources.length ? ` · from ${shorten(g.sources.join(', '), 60)}` : ''}`;
    item.tooltip = `${plural(g.count, 'dead letter')} failed with:\n${shorten(g.example, 500)}\n${g.redriven} redriven so far\nfirst ${g.firstId}, last ${g.lastId}`;
    item.iconPath = new vscode.ThemeIcon(g.redriven >= g.count ? 'pass' : 'warning');
    return item;
  }
}

/** A dead letter under its reason: clicking opens it in an editable JSON editor (diagnostics, requeue). */
export class DeadLetterNode extends ExplorerNode<void, never> {
  readonly kind = 'deadLetter' as const;
  readonly contextValue = ItemContext.deadLetterEntry;

  constructor(readonly id: string, readonly stream: string, readonly entry: StreamEntry, readonly redriven: string | undefined) {
    super();
  }

  protected createItem(): vscode.TreeItem {
    const item = entryTreeItem(this.stream, this.entry, { stream: this.stream, id: this.entry.id });
    item.command = { command: Commands.deadLetterOpen, title: 'Open Dead Letter', arguments: [{ stream: this.stream, id: this.entry.id }] };
    if (this.redriven) {
      item.description = `redriven · ${String(item.description)}`;
      item.iconPath = new vscode.ThemeIcon('pass');
      item.tooltip = `${String(item.tooltip)}\nredriven ${this.redriven}`;
    }
    return item;
  }
}

export type SearchResultsNode = SearchResultNode | DeadLetterGroupNode | DeadLetterNode | MessageNode;

const COALESCE_MS = 200;

export class SearchResultsProvider extends Disposable implements vscode.TreeDataProvider<SearchResultsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private status: string | null = null;
  private results: SearchResultsNode[] = [];
  private run = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The stream and expression of the search shown (the view's description). */
  title = '';
  /** The search whose matches are shown (Export Search Results offers every match of it); undefined for dead letters. */
  query: { stream: string; expression: string } | undefined;
  private readonly titleChanged = this.register(new vscode.EventEmitter<string>());
  readonly onDidChangeTitle = this.titleChanged.event;

  constructor() {
    super();
    this.register(toDisposable(() => clearTimeout(this.timer)));
  }

  /** Clears the view for a new search; returns its run number (results of an older run are ignored). */
  begin(title: string, query?: { stream: string; expression: string }): number {
    this.results = [];
    this.query = query;
    this.status = 'Searching…';
    this.title = title;
    this.titleChanged.fire(title);
    this.flush();
    return ++this.run;
  }

  add(run: number, stream: string, entries: readonly StreamEntry[], max: number): void {
    if (run !== this.run) return;
    for (const e of entries) {
      if (this.results.length >= max) break;
      this.results.push(new SearchResultNode(`r/${run}/${e.id}`, stream, e));
    }
    this.schedule();
  }

  /** Rows other than matches (dead-letter groups). */
  addRows(run: number, rows: readonly SearchResultsNode[]): void {
    if (run !== this.run) return;
    this.results.push(...rows);
    this.schedule();
  }

  progress(run: number, status: string): void {
    if (run !== this.run) return;
    this.status = status;
    this.schedule();
  }

  finish(run: number, status: string): void {
    if (run !== this.run) return;
    this.status = status;
    this.flush();
  }

  /** What the view shows now, for tests and the command's return value. */
  get shown(): { status: string | null; ids: string[] } {
    return { status: this.status, ids: this.results.map((r) => ('entry' in r ? r.entry.id : r.id)) };
  }

  /** The matches shown, for Export Search Results: their stream and ids, in the order shown; undefined when none. */
  matches(): { stream: string; ids: string[] } | undefined {
    const rows = this.results.filter((r): r is SearchResultNode => r.kind === 'searchResult');
    return rows.length ? { stream: rows[0]!.stream, ids: rows.map((r) => r.entry.id) } : undefined;
  }

  getTreeItem(node: SearchResultsNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: SearchResultsNode): SearchResultsNode[] | Promise<SearchResultsNode[]> {
    if (node) return node.kind === 'deadLetterGroup' ? node.getChildren() : [];
    // Empty: the view's welcome content says how to search.
    if (this.status === null) return [];
    return [new MessageNode(`status/${this.run}`, this.status), ...this.results];
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.fire();
  }
}

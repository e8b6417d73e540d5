// The "Search Results" view: what the last stream search found, as it comes in (a status row with scanned / total,
// then one row per match, oldest first or newest first as searched). Clicking a match opens it in the read-only event
// editor (Inspect Event with `{ stream, id }`). Rows are bounded by the search's result limit; updates from a scan
// that reports every page are coalesced to at most 5 a second. No CEL here: this view is built at activation, the
// search itself loads on first use.
import * as vscode from 'vscode';
import type { StreamEntry } from '../../core/index';
import { ItemContext } from '../constants';
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

export type SearchResultsNode = SearchResultNode | MessageNode;

const COALESCE_MS = 200;

export class SearchResultsProvider extends Disposable implements vscode.TreeDataProvider<SearchResultsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private status: string | null = null;
  private results: SearchResultNode[] = [];
  private run = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The stream and expression of the search shown (the view's description). */
  title = '';
  private readonly titleChanged = this.register(new vscode.EventEmitter<string>());
  readonly onDidChangeTitle = this.titleChanged.event;

  constructor() {
    super();
    this.register(toDisposable(() => clearTimeout(this.timer)));
  }

  /** Clears the view for a new search; returns its run number (results of an older run are ignored). */
  begin(title: string): number {
    this.results = [];
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
    return { status: this.status, ids: this.results.map((r) => r.entry.id) };
  }

  getTreeItem(node: SearchResultsNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getChildren(node?: SearchResultsNode): SearchResultsNode[] {
    if (node) return [];
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

// "UCore: Open Stream Entries": a webview panel with a page of one stream's entries (newest first when opened), paged
// older / newer, to the first and last entries, and opened at a date-time ("Go to time": stream ids are append times,
// so that is one XRANGE from `<ms>-0`, src/core/search/seek.ts). A click on a row opens the entry as JSON in the
// event document beside the panel. Works on any stream: the guide's `XADD key * event <json>` and plain field maps.
//
// As the monitor and flows panels: strict CSP (scripts by nonce), resources only from dist/webview and media,
// nothing posted before the page says `ready`, every message validated with zod both ways, payloads as text.
// One panel per connection and stream; the code loads when the command first runs (search/index.ts).
import * as vscode from 'vscode';
import { BadInputError, describeError, pageAfter, pageAt, pageBefore, pageFirst, pageLast, type StreamPage, type Transport } from '../../core/index';
import { entriesSchemas, type EntriesHostMessage, type EntriesPage, type EntriesWebviewMessage } from '../../shared/entriesProtocol';
import { formatEntry, type EventDocumentProvider } from '../documents/eventDocumentProvider';
import type { BuiltServices } from '../extensionServices';
import { shorten } from '../format';
import { parseTimeInput } from '../search/goToTime';
import { webviewHtml, webviewPanelOptions } from '../webviewHtml';
import { entryTime, toEntryRow } from './entryRows';

export const ENTRIES_VIEW_TYPE = 'ucore.streamEntries';

/** Where the page is: at a time, after / before an id, or at either end. */
type Position = { at: Date } | { after: string } | { before: string } | { end: 'first' | 'last' };

export class StreamEntriesPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private queued: EntriesHostMessage[] = [];
  private position: Position = { end: 'last' };
  /** The ids either side of the page shown: where Older and Newer continue from. */
  private edges: { older: string; newer: string } | undefined;
  private loads = 0;
  private loading: Promise<void> = Promise.resolve();
  /** The last page posted, the last error posted, and what the page said it drew (tests). */
  shown: EntriesPage | undefined;
  lastError: string | undefined;
  rendered: Extract<EntriesWebviewMessage, { type: 'rendered' }> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly services: BuiltServices,
    private readonly documents: EventDocumentProvider,
    readonly connection: string,
    readonly stream: string,
    onDispose: () => void,
  ) {
    this.panel = vscode.window.createWebviewPanel(ENTRIES_VIEW_TYPE, `Entries: ${shorten(stream, 60)}`, vscode.ViewColumn.Active, webviewPanelOptions(extensionUri));
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'ucore.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, { extensionUri, title: `Entries: ${stream}`, styles: [['media', 'entries.css']], script: ['dist', 'webview', 'entries', 'main.js'] });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      this.panel.onDidDispose(() => {
        this.ready = false;
        this.queued = [];
        for (const d of this.disposables.splice(0)) d.dispose();
        onDispose();
      }),
    );
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Resolves when the last page asked for has been read and posted (or failed). */
  idle(): Promise<void> {
    return this.loading;
  }

  dispose(): void {
    this.panel.dispose();
  }

  /** Opens the page at a time the user typed ('' or undefined: the newest entries). */
  seek(at: string | undefined): Promise<void> {
    if (at === undefined || at.trim() === '') return this.load({ end: 'last' });
    const when = parseTimeInput(at);
    if (typeof when === 'string') {
      this.lastError = when;
      this.post({ type: 'error', text: when });
      return this.loading;
    }
    return this.load({ at: when });
  }

  /** Handles a message from the page (the in-host tests send the page's clicks through this too). */
  receive(raw: unknown): void {
    const r = entriesSchemas().entriesWebviewMessageSchema.safeParse(raw);
    if (!r.success) {
      this.services.log.warn('[entries] ignored a malformed message from the page');
      return;
    }
    const m = r.data;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        for (const q of this.queued.splice(0)) void this.panel.webview.postMessage(q);
        break;
      case 'seek': void this.seek(m.at); break;
      case 'first': void this.load({ end: 'first' }); break;
      case 'last': void this.load({ end: 'last' }); break;
      case 'older': if (this.edges) void this.load({ before: this.edges.older }); break;
      case 'newer': if (this.edges) void this.load({ after: this.edges.newer }); break;
      case 'reload': void this.load(this.position); break;
      case 'open': void this.openEntry(m.id); break;
      case 'rendered': this.rendered = m; break;
    }
  }

  private load(position: Position): Promise<void> {
    const n = ++this.loads;
    this.post({ type: 'busy', text: 'Reading…' });
    this.loading = this.read(position, n);
    return this.loading;
  }

  private async read(position: Position, n: number): Promise<void> {
    let t: Transport | undefined;
    try {
      t = (await this.connectionTransport());
      const size = this.services.settings.get('explorerPageSize');
      const [page, length] = await Promise.all([readPage(t, this.stream, position, size), t.xlen(this.stream)]);
      if (page.entries.length === 0 && length === 0) await this.checkKey(t);
      if (n !== this.loads) return; // a later click asked for another page
      this.position = position;
      const here = 'position' in page ? page.position : 'after' in position ? position.after : 'before' in position ? position.before : '0-0';
      this.edges = { older: page.entries[0]?.id ?? here, newer: page.entries[page.entries.length - 1]?.id ?? here };
      const data: EntriesPage = {
        stream: shorten(this.stream, 300), connection: shorten(this.connection, 300), where: describe(position),
        rows: page.entries.map(toEntryRow), hasOlder: page.hasOlder, hasNewer: page.hasNewer, empty: page.entries.length ? '' : emptyText(position), length,
      };
      this.shown = data;
      this.lastError = undefined;
      this.post({ type: 'page', data });
    } catch (e) {
      if (n !== this.loads) return;
      const text = t && !(e instanceof BadInputError) ? await this.explain(t, e) : describeError(e);
      this.lastError = text.slice(0, 1000);
      this.post({ type: 'error', text: this.lastError });
    }
  }

  /** The active connection's transport, when it is still the one this panel was opened on. */
  private async connectionTransport(): Promise<Transport> {
    const conn = await this.services.requireConnection();
    if (conn.name !== this.connection) throw new BadInputError(`the active connection is now ${shorten(conn.name, 80)}: this view shows ${shorten(this.stream, 80)} on ${shorten(this.connection, 80)}; open it again from the Streams view`);
    return conn.transport;
  }

  /** An empty stream that is no stream: deleted, or a key of another type. */
  private async checkKey(t: Transport): Promise<void> {
    const type = await t.type(this.stream);
    if (type === 'none') throw new BadInputError(`the stream ${shorten(this.stream, 120)} does not exist (deleted, or it expired)`);
    if (type !== 'stream') throw new BadInputError(`${shorten(this.stream, 120)} is a ${shorten(type, 20)}, not a stream`);
  }

  private async explain(t: Transport, e: unknown): Promise<string> {
    try {
      await this.checkKey(t);
    } catch (why) {
      return describeError(why);
    }
    return `Could not read ${shorten(this.stream, 120)}: ${describeError(e)}`;
  }

  /** An entry of the page shown, as JSON beside the panel (read again: it may have been trimmed since). */
  private async openEntry(id: string): Promise<void> {
    if (!this.shown?.rows.some((r) => r.id === id)) return;
    try {
      const t = await this.connectionTransport();
      const [entry] = await t.xrange(this.stream, id, id, 1);
      if (!entry) throw new BadInputError(`entry ${id} is no longer in ${shorten(this.stream, 120)} (trimmed or deleted)`);
      const { text, json } = formatEntry(entry);
      await this.documents.open(`${this.stream} ${entry.id}`, text, json, { beside: true });
    } catch (e) {
      this.post({ type: 'error', text: describeError(e).slice(0, 1000) });
    }
  }

  private post(m: EntriesHostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(m);
    else this.queued.push(m);
  }
}

function readPage(t: Transport, stream: string, p: Position, size: number): Promise<StreamPage & { position?: string }> {
  if ('at' in p) return pageAt(t, stream, p.at, size);
  if ('after' in p) return pageAfter(t, stream, p.after, size);
  if ('before' in p) return pageBefore(t, stream, p.before, size);
  return p.end === 'first' ? pageFirst(t, stream, size) : pageLast(t, stream, size);
}

function describe(p: Position): string {
  const withTime = (id: string) => (entryTime(id) ? `${id} (${entryTime(id)})` : id);
  if ('at' in p) return `from ${p.at.toISOString()}`;
  if ('after' in p) return `after ${withTime(p.after)}`;
  if ('before' in p) return `before ${withTime(p.before)}`;
  return p.end === 'first' ? 'oldest entries' : 'newest entries';
}

function emptyText(p: Position): string {
  if ('at' in p) return `No entries at or after ${p.at.toISOString()}.`;
  if ('after' in p) return `No entries after ${p.after}.`;
  if ('before' in p) return `No entries before ${p.before}.`;
  return 'The stream has no entries.';
}

// "Tail Channel": a live read-only document (scheme `ucore-tail`), one event per line, newest at the bottom.
// The buffer is bounded (`ucore.tail.maxLines`, oldest dropped) and the document is updated at most 4 times a
// second. The subscription ends when the document is closed (its tab goes away) or its connection changes.
// A shard channel (Redis 7, `sharded`) is tailed with SSUBSCRIBE: a namespace apart from ordinary channels.
import * as vscode from 'vscode';
import { type Subscription, describeError, type Logger, maskValue } from '../../core/index';
import type { Settings } from '../connections/settings';
import { Schemes } from '../constants';
import { Disposable } from '../lifecycle';
import type { ActiveConnection } from '../services';
import type { MaskingRules } from '../fixtures/maskingRules';

const UPDATE_MS = 250;
/** A single line longer than this is cut: a huge message must not make the editor crawl. */
const MAX_LINE = 10_000;

interface TailSession {
  uri: vscode.Uri;
  channel: string;
  connection: ActiveConnection;
  header: string;
  lines: string[];
  received: number;
  subscription?: Subscription;
  problemSub?: { dispose(): void };
  dirty: boolean;
  stopped: boolean;
  /** Its editor has been shown: from then on, no tab means the user closed it. */
  shown: boolean;
}

export class TailProvider extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  private readonly sessions = new Map<string, TailSession>();
  private timer: NodeJS.Timeout | undefined;
  private counter = 0;

  constructor(private readonly settings: Settings, private readonly log: Logger, private readonly masking?: MaskingRules) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(Schemes.tail, this));
    this.register(vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === Schemes.tail) this.stop(d.uri.toString(), 'document closed');
    }));
    this.register(vscode.window.tabGroups.onDidChangeTabs(() => this.stopHiddenSessions()));
  }

  /** Sessions still running (for tests and the log). */
  get activeCount(): number {
    return this.sessions.size;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const s = this.sessions.get(uri.toString());
    if (!s) return '// This tail has stopped. Run "UCore: Tail Channel" again.\n';
    const status = s.stopped ? '  [stopped]' : '';
    return `${s.header}  (${s.received} received, showing the last ${s.lines.length})${status}\n${s.lines.join('\n')}${s.lines.length ? '\n' : ''}`;
  }

  async start(connection: ActiveConnection, channel: string, options: { sharded?: boolean } = {}): Promise<vscode.TextDocument> {
    const safe = channel.replace(/[\\/?#%\u0000-\u001f]/g, '_').slice(0, 100) || 'channel';
    const uri = vscode.Uri.from({ scheme: Schemes.tail, path: `/${safe}.tail`, query: `n=${++this.counter}` });
    const max = this.settings.get('tailMaxLines');
    // The connection's masking rules, as recording applies them: personal data stays out of the editor.
    const rules = this.masking?.rulesFor(connection.name) ?? [];
    const masked = rules.length ? `; masked: ${this.masking!.describe(rules)}` : '';
    const session: TailSession = {
      uri, channel, connection, lines: [], received: 0, dirty: false, stopped: false, shown: false,
      header: `// tail of ${options.sharded ? 'shard channel' : 'channel'} ${JSON.stringify(channel.slice(0, 200))} on "${connection.name}", newest last, at most ${max} lines${masked}`,
    };
    const key = uri.toString();
    this.sessions.set(key, session);
    const push = (line: string) => {
      session.received++;
      session.lines.push(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)} … (${line.length} chars)` : line);
      const limit = this.settings.get('tailMaxLines');
      if (session.lines.length > limit) session.lines.splice(0, session.lines.length - limit);
      session.dirty = true;
      this.schedule();
    };
    try {
      const sharded = options.sharded === true;
      const onEvent = (event: unknown) => push(JSON.stringify(rules.length ? maskValue(event, rules) : event));
      session.subscription = sharded ? await connection.adapter.ssubscribe(channel, onEvent) : await connection.adapter.subscribe(channel, onEvent);
      session.problemSub = connection.adapter.onProblem((p) => {
        if (p.kind === 'malformed' && p.context.channel === channel && p.context.pattern === undefined && (p.context.sharded === true) === sharded) {
          push(rules.length ? '// not JSON (not shown: this connection masks its traffic)' : `// not JSON: ${JSON.stringify(p.context.raw.slice(0, 500))}`);
        }
      });
    } catch (e) {
      this.sessions.delete(key);
      throw e;
    }
    this.log.info(`tail started: ${options.sharded ? 'shard channel ' : ''}${channel} on "${connection.name}"`);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    session.shown = true;
    return doc;
  }

  /** Stops every tail on a connection (it is going away). */
  stopConnection(name: string): void {
    for (const [key, s] of this.sessions) if (s.connection.name === name) this.stop(key, 'connection closed');
  }

  private stop(key: string, why: string): void {
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    s.stopped = true;
    s.problemSub?.dispose();
    void s.subscription?.unsubscribe().catch((e) => this.log.debug(`tail unsubscribe: ${describeError(e)}`));
    this.log.info(`tail stopped (${why}): ${s.channel}`);
  }

  private stopHiddenSessions(): void {
    const open = new Set<string>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === Schemes.tail) open.add(tab.input.uri.toString());
      }
    }
    for (const [key, s] of [...this.sessions]) if (s.shown && !open.has(key)) this.stop(key, 'tab closed');
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const s of this.sessions.values()) {
        if (!s.dirty) continue;
        s.dirty = false;
        this.changed.fire(s.uri);
      }
    }, UPDATE_MS);
  }

  /** The sessions stop (and say so) while the provider and its listeners still exist. */
  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const key of [...this.sessions.keys()]) this.stop(key, 'extension stopped');
    super.dispose();
  }
}

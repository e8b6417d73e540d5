// The live monitor panel: charts of events/s per channel and type, stream lengths and consumer-group lag, rate
// tables with subscriber counts, alerts (rules from settings and from the panel), the guide's dashboard, and a
// bounded table of recent events that opens Inspect Event.
//
// One panel at a time (createOrShow), restored after a reload by a serializer (revive); the page keeps its own
// choices with getState/setState instead of retainContextWhenHidden. Strict CSP (scripts by nonce only), resources
// only from dist/webview and media. Nothing is posted before the page says `ready`; then an `init` and, at most 10
// times a second while the panel is visible and not paused, an `update` delta built from the MonitorFeed's frame
// (the panel listens to frames; it polls nothing). Every message is validated with zod both ways; the page renders
// names and payloads as text, never as HTML.
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { describeError, type Logger } from '../../core/index';
import {
  clip, firstIssue, hostMessageSchema, MAX_NAME_CHARS, MAX_UPDATES_PER_SECOND, webviewMessageSchema, type HostMessage, type WebviewMessage,
} from '../../shared/monitorProtocol';
import { Commands } from '../constants';
import { Disposable, toDisposable } from '../lifecycle';
import { webviewHtml, webviewPanelOptions } from '../webviewHtml';
import { Coalescer } from './coalescer';
import type { LiveContractsSource } from './contractsUpdate';
import { InspectStore, type InspectItem } from './inspectStore';
import { KEPT_CONNECTIONS, type LiveMonitor, type MonitorSwitch } from './liveMonitor';
import { UpdateBuilder } from './updateBuilder';

const UPDATE_MS = 1000 / MAX_UPDATES_PER_SECOND;

export interface MonitorPanelDeps {
  extensionUri: vscode.Uri;
  monitor: LiveMonitor;
  demoRunning: () => boolean;
  /** The connection the demo runs on, while it runs. */
  demoConnection?: () => string | undefined;
  onDemoChange: vscode.Event<boolean>;
  /** Opens a recent event in an Inspect Event document. */
  inspect: (item: InspectItem) => Promise<void>;
  /** The live contract check: its section and violations list (a row opens the event and the rule). */
  contracts?: LiveContractsSource & { open(seq: number): Promise<boolean>; clear(): void };
  log: Logger;
}

/** The recent-events filters the page applies (substrings; '' matches all). */
export interface MonitorFilters {
  channel: string;
  type: string;
}

export class MonitorPanel extends Disposable {
  private ready = false;
  private paused = false;
  /** What the page says about the last switch of connection (kept so a reloaded page says it too). */
  private notice: string | null = null;
  /** Asks the feed for a frame every UPDATE_MS while someone can see the panel. */
  private frames: vscode.Disposable | undefined;
  private readonly coalescer: Coalescer;
  private readonly inspectStore = new InspectStore();
  private readonly builder: UpdateBuilder;
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposedEmitter.event;
  /** Messages posted so far (tests). */
  posted = 0;
  /** `update` messages posted so far. */
  updatesPosted = 0;
  /** Messages from the page that failed validation and were dropped (tests). */
  rejected = 0;

  constructor(readonly panel: vscode.WebviewPanel, private readonly deps: MonitorPanelDeps, private focusChannel: string | null) {
    super();
    this.register(panel);
    this.builder = new UpdateBuilder({ monitor: deps.monitor, demoRunning: deps.demoRunning, demoConnection: deps.demoConnection, contracts: deps.contracts }, this.inspectStore);
    this.coalescer = this.register(new Coalescer(UPDATE_MS, () => this.sendUpdate()));
    this.register(toDisposable(() => {
      this.frames?.dispose();
      this.frames = undefined;
    }));
    panel.webview.options = webviewPanelOptions(deps.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'ucore.svg');
    panel.webview.html = this.html(panel.webview);
    for (const d of [
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      deps.onDemoChange(() => this.schedule()),
      deps.monitor.onDidChangeAlerts(() => this.schedule()),
      deps.monitor.onDidChangeRules((rules) => this.ready && void this.post({ type: 'rules', rules })),
      deps.monitor.onDidSwitch((e) => this.switched(e)),
      deps.monitor.feed.onFrame(() => this.schedule()),
      panel.onDidChangeViewState(() => this.syncFrames()),
    ]) this.register(d);
  }

  get isReady(): boolean {
    return this.ready;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Filters asked for before the page was ready: applied right after its init. */
  private pendingFilters: MonitorFilters | null = null;
  /** The page's filters as it last reported them (setFocus). */
  pageFilters: MonitorFilters & { text: string } = { channel: '', type: '', text: '' };

  /** Filters the page's recent events (a clicked type or step on the flow map). */
  setFilters(filters: MonitorFilters): void {
    const f = { channel: clip(filters.channel, MAX_NAME_CHARS), type: clip(filters.type, MAX_NAME_CHARS) };
    this.focusChannel = f.channel || null;
    if (this.ready) void this.post({ type: 'filters', channel: f.channel, eventType: f.type });
    else this.pendingFilters = f;
  }

  focus(channel: string | null): void {
    this.focusChannel = channel;
    if (this.ready) void this.post({ type: 'focusChannel', channel: channel === null ? null : clip(channel, MAX_NAME_CHARS) });
  }

  /** Validates and handles one message from the page; junk is dropped and logged, never acted on. */
  receive(raw: unknown): void {
    const r = webviewMessageSchema.safeParse(raw);
    if (!r.success) {
      this.rejected++;
      this.deps.log.warn(`monitor panel: dropped an invalid message from the webview (${firstIssue(r.error)})`);
      return;
    }
    void this.handle(r.data).catch((e) => this.deps.log.error(`monitor panel: ${r.data.type} failed: ${describeError(e)}`));
  }

  private async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (m.paused !== undefined) this.paused = m.paused;
        if (m.focusChannel !== undefined && this.focusChannel === null) this.focusChannel = m.focusChannel;
        this.sendInit();
        break;
      case 'startDemo':
        await vscode.commands.executeCommand(Commands.demoStart);
        break;
      case 'stopDemo':
        await vscode.commands.executeCommand(Commands.demoStop);
        break;
      case 'clear':
        this.deps.contracts?.clear();
        this.deps.monitor.clear();
        this.inspectStore.clear();
        this.notice = null;
        this.sendInit();
        break;
      case 'pause':
        this.paused = m.paused;
        await this.post({ type: 'paused', paused: this.paused });
        if (!this.paused) this.sendInit(); // the seconds missed while paused come with the history
        this.syncFrames();
        break;
      case 'setFocus':
        this.focusChannel = m.channel;
        if (m.filters) this.pageFilters = m.filters;
        break;
      case 'addAlertRule':
        try {
          await this.deps.monitor.addPanelRule(m.rule);
        } catch (e) {
          await this.post({ type: 'error', message: clip(describeError(e), 1000) });
        }
        break;
      case 'removeAlertRule':
        try {
          await this.deps.monitor.removePanelRule(m.id);
        } catch (e) {
          await this.post({ type: 'error', message: clip(describeError(e), 1000) });
        }
        break;
      case 'problem':
        this.deps.log.warn(`monitor panel (page): ${m.message}`);
        break;
      case 'openViolation':
        if (!(await this.deps.contracts?.open(m.seq))) {
          void showInfo('That violation is no longer in memory: the monitor keeps the newest 500.');
        }
        break;
      case 'clearViolations':
        this.deps.contracts?.clear();
        this.schedule();
        break;
      case 'inspect': {
        const item = this.inspectStore.get(m.seq);
        if (!item) {
          void showInfo('That event is no longer in memory: the panel keeps the payloads of the last 1000 events it listed.');
          return;
        }
        await this.deps.inspect(item);
        break;
      }
    }
  }

  /**
   * Another connection is shown: the page starts over from that connection's own history (never drawing one
   * connection's series in another's charts) and says what happened to which history.
   */
  private switched(e: MonitorSwitch): void {
    this.inspectStore.clear(); // recent events are numbered per connection
    this.notice = e.restored
      ? `Now showing "${e.to}" again: its history from before is back (nothing was counted on it while "${e.from}" was shown). "${e.from}" keeps its own history for when you switch back.`
      : `Now showing "${e.to}", the active connection, from its first event. "${e.from}" keeps its own history and shows it again when it is the active connection (the monitor keeps the last ${KEPT_CONNECTIONS} connections).`;
    this.sendInit();
  }

  private sendInit(): void {
    if (!this.ready || this.isDisposed) return;
    void this.post(this.builder.init(this.paused, this.focusChannel, this.notice));
    if (this.pendingFilters) {
      void this.post({ type: 'filters', channel: this.pendingFilters.channel, eventType: this.pendingFilters.type });
      this.pendingFilters = null;
    }
    this.sendUpdate(true); // even when paused: a page that (re)loads shows where things stand, then holds still
    this.syncFrames();
  }

  /** Asks for an update soon (coalesced: at most MAX_UPDATES_PER_SECOND). */
  private schedule(): void {
    if (this.ready && !this.paused && !this.isDisposed && this.panel.visible) this.coalescer.request();
  }

  /**
   * Frames every UPDATE_MS while someone can see the panel (the feed's slower pace otherwise); a panel shown again
   * catches up with the next frame.
   */
  private syncFrames(): void {
    const wanted = this.ready && !this.paused && !this.isDisposed && this.panel.visible;
    if (wanted && !this.frames) {
      this.frames = this.deps.monitor.feed.want(UPDATE_MS);
    } else if (!wanted && this.frames) {
      this.frames.dispose();
      this.frames = undefined;
    }
  }

  private sendUpdate(evenIfPaused = false): void {
    if (this.isDisposed || !this.ready || (this.paused && !evenIfPaused) || !this.panel.visible) return;
    let message: HostMessage;
    try {
      message = { type: 'update', update: this.builder.update(this.deps.monitor.feed.latest) };
    } catch (e) {
      this.deps.log.error(`monitor panel: building an update failed: ${describeError(e)}`);
      return;
    }
    this.updatesPosted++;
    void this.post(message);
  }

  private async post(message: HostMessage): Promise<void> {
    if (this.isDisposed) return;
    // Validate what we send with the same schema the page uses: a bug here shows up in the log, not as a blank page.
    const checked = hostMessageSchema.safeParse(message);
    if (!checked.success) {
      this.deps.log.error(`monitor panel: refusing to post an invalid ${message.type} message: ${firstIssue(checked.error)}`);
      return;
    }
    this.posted++;
    await this.panel.webview.postMessage(checked.data).then(undefined, () => undefined);
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, {
      extensionUri: this.deps.extensionUri,
      title: 'UCore Monitor',
      styles: [['dist', 'webview', 'monitor', 'main.css'], ['media', 'monitor.css']],
      script: ['dist', 'webview', 'monitor', 'main.js'],
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose(); // listeners, frames, the coalescer, then the panel
    this.inspectStore.clear();
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
  }
}

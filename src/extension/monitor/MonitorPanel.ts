// The live monitor panel (minimal for now: totals, top channels and types with rates, the last 50 events).
// One panel at a time (createOrShow), restored after a reload by a serializer (revive). The page gets a strict CSP
// (scripts by nonce only), loads only from dist/webview and media, and is sent nothing before it says `ready`.
// Updates are coalesced to at most 4 a second and bounded in size; the page renders them as text, never as HTML.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { MonitorSnapshot, RateSummary } from '../../core/monitor';
import {
  clip, hostMessageSchema, MAX_NAME_CHARS, MAX_PREVIEW_CHARS, MAX_RATES, MAX_RECENT, webviewMessageSchema,
  type HostMessage, type MonitorView, type RateRow,
} from '../../shared/monitorProtocol';
import { Commands, MONITOR_VIEW_TYPE } from '../constants';
import type { ConnectionManager } from '../connections/connectionManager';
import type { LiveMonitor } from './liveMonitor';

const UPDATE_MS = 250;

export interface MonitorPanelDeps {
  extensionUri: vscode.Uri;
  monitor: LiveMonitor;
  connections: ConnectionManager;
  demoRunning: () => boolean;
  onDemoChange: vscode.Event<boolean>;
  log: Logger;
}

/** What commands see of the panel. */
export interface MonitorPanelHost {
  createOrShow(focusChannel?: string | null): MonitorPanel;
  readonly current: MonitorPanel | undefined;
}

export class MonitorPanelManager implements MonitorPanelHost, vscode.Disposable {
  private panel: MonitorPanel | undefined;
  private readonly registration: vscode.Disposable;

  constructor(private readonly deps: MonitorPanelDeps) {
    this.registration = vscode.window.registerWebviewPanelSerializer(MONITOR_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const focus = state && typeof state === 'object' && typeof (state as { focusChannel?: unknown }).focusChannel === 'string'
          ? (state as { focusChannel: string }).focusChannel : null;
        this.adopt(panel, focus);
      },
    });
  }

  get current(): MonitorPanel | undefined {
    return this.panel;
  }

  createOrShow(focusChannel: string | null = null): MonitorPanel {
    if (this.panel) {
      this.panel.reveal();
      if (focusChannel !== undefined) this.panel.focus(focusChannel);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(MONITOR_VIEW_TYPE, 'UCore Monitor', vscode.ViewColumn.Active, webviewOptions(this.deps.extensionUri));
    return this.adopt(panel, focusChannel);
  }

  private adopt(webviewPanel: vscode.WebviewPanel, focusChannel: string | null): MonitorPanel {
    this.panel?.dispose();
    const panel = new MonitorPanel(webviewPanel, this.deps, focusChannel);
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    return panel;
  }

  dispose(): void {
    this.registration.dispose();
    this.panel?.dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export class MonitorPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private pending = false;
  private lastSent = 0;
  private disposed = false;
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposedEmitter.event;
  /** Updates posted so far (tests). */
  posted = 0;

  constructor(readonly panel: vscode.WebviewPanel, private readonly deps: MonitorPanelDeps, private focusChannel: string | null) {
    panel.webview.options = webviewOptions(deps.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'ucore.svg');
    panel.webview.html = this.html(panel.webview);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      deps.monitor.onDidUpdate(() => this.schedule()),
      deps.onDemoChange(() => this.schedule()),
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.schedule();
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  focus(channel: string | null): void {
    this.focusChannel = channel;
    if (this.ready) void this.post({ type: 'focusChannel', channel: channel === null ? null : clip(channel, MAX_NAME_CHARS) });
    this.schedule();
  }

  private receive(raw: unknown): void {
    const r = webviewMessageSchema.safeParse(raw);
    if (!r.success) {
      this.deps.log.warn('monitor panel: ignored a malformed message from the webview');
      return;
    }
    const m = r.data;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.sendNow();
        break;
      case 'startDemo':
        void vscode.commands.executeCommand(Commands.demoStart);
        break;
      case 'clear':
        this.deps.monitor.clear();
        break;
      case 'setFocus':
        this.focusChannel = m.channel;
        this.schedule();
        break;
    }
  }

  /** Coalesced: at most one update per UPDATE_MS, only while ready and visible. */
  private schedule(): void {
    if (!this.ready || this.disposed) return;
    this.pending = true;
    if (this.timer) return;
    const wait = Math.max(0, UPDATE_MS - (Date.now() - this.lastSent));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending) this.sendNow();
    }, wait);
  }

  private sendNow(): void {
    if (this.disposed || !this.ready) return;
    if (!this.panel.visible) return; // sent again when it becomes visible
    this.pending = false;
    this.lastSent = Date.now();
    void this.post({ type: 'update', view: this.view() });
  }

  private async post(message: HostMessage): Promise<void> {
    // Validate what we send with the same schema the page uses: a bug here shows up in the log, not as a blank page.
    const checked = hostMessageSchema.safeParse(message);
    if (!checked.success) {
      this.deps.log.error(`monitor panel: refusing to post an invalid message: ${checked.error.issues[0]?.message ?? ''}`);
      return;
    }
    this.posted++;
    await this.panel.webview.postMessage(checked.data);
  }

  private view(): MonitorView {
    const snap: MonitorSnapshot | undefined = this.deps.monitor.snapshot({ top: MAX_RATES, recent: MAX_RECENT });
    const conn = this.deps.monitor.connectionName ?? null;
    const zero: RateRow = { name: 'total', total: 0, rate1s: 0, rate10s: 0, rate60s: 0 };
    return {
      connection: conn === null ? null : clip(conn, MAX_NAME_CHARS),
      status: snap ? snap.connection : 'none',
      gaps: snap?.gaps ?? 0,
      demoRunning: this.deps.demoRunning(),
      total: snap ? rateRow(snap.total) : zero,
      channels: (snap?.channels ?? []).slice(0, MAX_RATES + 1).map(rateRow),
      types: (snap?.types ?? []).slice(0, MAX_RATES + 1).map(rateRow),
      recent: (snap?.recent ?? []).slice(0, MAX_RECENT).map((e) => ({
        seq: e.seq,
        channel: clip(e.channel, MAX_NAME_CHARS),
        receivedAt: e.receivedAt,
        type: clip(e.type, MAX_NAME_CHARS),
        entity: e.entity === null ? null : clip(e.entity, MAX_NAME_CHARS),
        sizeBytes: e.sizeBytes,
        preview: clip(e.payload, MAX_PREVIEW_CHARS),
        truncated: e.truncated || e.payload.length > MAX_PREVIEW_CHARS,
      })),
      alerts: (snap?.activeAlerts ?? []).slice(0, 50).map((a) => ({ ruleId: clip(a.ruleId, MAX_NAME_CHARS), key: clip(a.key, MAX_NAME_CHARS), rate: a.rate, threshold: a.threshold, at: a.at })),
      focusChannel: this.focusChannel === null ? null : clip(this.focusChannel, MAX_NAME_CHARS),
    };
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview', 'monitor', 'main.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'monitor.css'));
    const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`].join('; ');
    // Static markup only: everything dynamic is built by the script with DOM nodes and textContent.
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>UCore Monitor</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
  }
}

function rateRow(r: RateSummary): RateRow {
  return { name: clip(r.name, MAX_NAME_CHARS), total: r.total, rate1s: r.rate1s, rate10s: r.rate10s, rate60s: r.rate60s };
}

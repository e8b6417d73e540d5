// "UCore: Show Event Flows": one webview panel with the flow map of the active connection (the directly-follows
// graph per kind of entity, laid out with dagre in the page), the stuck entities, services and saga runs, and the
// timeline of an entity picked from the stuck list or by "UCore: Trace Entity". The layout library lives only in
// the page's bundle (dist/webview/flows/main.js), loaded when the panel opens: activation does not grow.
//
// As the monitor panel: strict CSP (scripts by nonce), resources only from dist/webview and media, nothing posted
// before the page says `ready`, every message validated with zod both ways, names and payloads rendered as text.
import * as vscode from 'vscode';
import { EventStore, flowReport, readSagas, SagaCollector, traceEntity, describeError } from '../../core/index';
import { flowsWebviewMessageSchema, type FlowsHostMessage, type FlowsWebviewMessage } from '../../shared/flowsProtocol';
import { FLOWS_VIEW_TYPE } from '../constants';
import type { BuiltServices } from '../extensionServices';
import { webviewHtml, webviewPanelOptions } from '../webviewHtml';
import { toFlowsData, toTraceData } from './flowsData';

/** The guide's order events name their order only in data.order_id. */
export const DEFAULT_KEY_PATHS = ['data.order_id'];
/** Entries of the store read for one map at most (oldest first): a bounded wait on a huge store. */
const MAX_ENTRIES = 200_000;

export class FlowsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queued: FlowsHostMessage[] = [];
  private keyPaths = [...DEFAULT_KEY_PATHS];
  private work: AbortController | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly services: BuiltServices) {}

  /** Opens (or shows) the panel and draws the map. */
  async show(): Promise<void> {
    this.open();
    await this.refresh();
  }

  /** Opens the panel on an entity's timeline. */
  async trace(entity: string, keyPaths?: string[]): Promise<void> {
    if (keyPaths?.length) this.keyPaths = keyPaths;
    const first = !this.panel;
    this.open();
    if (first) void this.refresh();
    await this.showTrace(entity);
  }

  get current(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  dispose(): void {
    this.work?.abort();
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private open(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(FLOWS_VIEW_TYPE, 'UCore Event Flows', vscode.ViewColumn.Active, webviewPanelOptions(this.extensionUri));
    this.panel = panel;
    this.ready = false;
    panel.webview.html = this.html(panel.webview);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidDispose(() => {
        this.work?.abort();
        this.panel = undefined;
        this.ready = false;
        this.queued = [];
      }),
    );
  }

  private onMessage(raw: unknown): void {
    const r = flowsWebviewMessageSchema.safeParse(raw);
    if (!r.success) {
      this.services.log.warn('[flows] ignored a malformed message from the page');
      return;
    }
    const m: FlowsWebviewMessage = r.data;
    if (m.type === 'ready') {
      this.ready = true;
      for (const q of this.queued.splice(0)) void this.panel?.webview.postMessage(q);
    } else if (m.type === 'refresh') {
      this.keyPaths = m.keyPaths.map((k) => k.trim()).filter(Boolean);
      void this.refresh();
    } else if (m.type === 'trace') {
      void this.showTrace(m.entity);
    }
  }

  private post(m: FlowsHostMessage): void {
    if (!this.panel) return;
    if (this.ready) void this.panel.webview.postMessage(m);
    else this.queued.push(m);
  }

  private async refresh(): Promise<void> {
    this.work?.abort();
    const work = (this.work = new AbortController());
    this.post({ type: 'busy', text: 'Reading the event store…' });
    try {
      const conn = await this.services.requireConnection();
      const store = new EventStore(conn.transport, { streamKey: this.services.settings.get('storeStreamKey') });
      const report = await flowReport(conn.transport, store, { keyPaths: this.keyPaths, maxEntries: MAX_ENTRIES, signal: work.signal });
      const sagas = new SagaCollector();
      await readSagas(conn.transport, sagas, { signal: work.signal, maxKeys: 2000 });
      if (work.signal.aborted) return;
      this.post({ type: 'flows', data: toFlowsData(conn.name, this.keyPaths, report, sagas.list()) });
    } catch (e) {
      if (!work.signal.aborted) this.post({ type: 'error', text: `Could not read the flows: ${describeError(e).slice(0, 500)}` });
    }
  }

  private async showTrace(entity: string): Promise<void> {
    this.post({ type: 'busy', text: `Tracing ${entity.slice(0, 100)}…` });
    try {
      const conn = await this.services.requireConnection();
      const store = new EventStore(conn.transport, { streamKey: this.services.settings.get('storeStreamKey') });
      const trace = await traceEntity(conn.transport, store, entity, { keyPaths: this.keyPaths });
      this.post({ type: 'trace', data: toTraceData(trace) });
    } catch (e) {
      this.post({ type: 'error', text: `Could not trace ${entity.slice(0, 100)}: ${describeError(e).slice(0, 500)}` });
    }
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, { extensionUri: this.extensionUri, title: 'UCore Event Flows', styles: [['media', 'flows.css']], script: ['dist', 'webview', 'flows', 'main.js'] });
  }
}

// "UCore: Show Event Flows": one webview panel with the flow map of the active connection (the directly-follows
// graph per kind of entity, laid out with dagre in the page), the stuck entities, services and saga runs, and the
// timeline of an entity picked from the stuck list or by "UCore: Trace Entity". The layout library lives only in
// the page's bundle (dist/webview/flows/main.js), loaded when the panel opens: activation does not grow.
//
// While the panel is open and visible the map follows the system (flowsLive.ts): what the store got since, and the
// live monitor's recent pub/sub events, go into the same miner, and the page gets at most one update a second.
// A serializer brings the panel back after a reload with the page's key paths, kind and traced entity.
//
// As the monitor panel: strict CSP (scripts by nonce), resources only from dist/webview and media, nothing posted
// before the page says `ready`, every message validated with zod both ways, names and payloads rendered as text.
import * as vscode from 'vscode';
import { EventStore, FlowMiner, mineStore, readSagas, SagaCollector, servicesAround, traceEntity, describeError, type FlowServices, type SagaRun } from '../../core/index';
import {
  flowsSchemas, type FlowsHostMessage, type FlowsPageState, type FlowsWebviewMessage,
} from '../../shared/flowsProtocol';
import { FLOWS_VIEW_TYPE } from '../constants';
import type { BuiltServices } from '../extensionServices';
import type { LiveMonitor } from '../monitor/liveMonitor';
import type { MonitorPanelHost } from '../monitor/monitorPanelManager';
import { webviewHtml, webviewPanelOptions } from '../webviewHtml';
import { toFlowsData, toTraceData } from './flowsData';
import { FlowsFollower } from './flowsLive';

/** The guide's order events name their order only in data.order_id. */
export const DEFAULT_KEY_PATHS = ['data.order_id'];
/** Entries of the store read for one map at most (oldest first): a bounded wait on a huge store. */
const MAX_ENTRIES = 200_000;
/** Live updates of an open map: at most one a second. */
export const LIVE_UPDATE_MS = 1000;
/** Saga checkpoints are read again at most this often while the map follows the system. */
const SAGAS_EVERY_MS = 10_000;

export class FlowsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queued: FlowsHostMessage[] = [];
  private keyPaths = [...DEFAULT_KEY_PATHS];
  private work: AbortController | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];
  /** The map being kept current, and what the last full read found around it. */
  private follower: FlowsFollower | undefined;
  private around: { connection: string; services: FlowServices | null; sagas: SagaRun[]; sagasAt: number } | undefined;
  private liveTimer: ReturnType<typeof setInterval> | undefined;
  private liveBusy = false;
  /** Flow messages posted (tests: live updates arrive). */
  flowsPosted = 0;
  /** The entity of the last timeline shown (kept over a reload through the page's state). */
  tracedEntity: string | undefined;
  /** The last filter sent to the monitor from the map (tests). */
  lastMonitorFilter: { channel: string; type: string } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly services: BuiltServices,
    private readonly monitor?: Pick<LiveMonitor, 'recent' | 'connectionName'>,
    private readonly monitorPanel?: Pick<MonitorPanelHost, 'showFiltered'>,
  ) {
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(FLOWS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => this.revive(panel, state),
    }));
  }

  /**
   * A panel VS Code restored after a reload, with the page's saved state (checked: it comes from the page): the map
   * is read again with its key paths, and the entity it was tracing is traced again.
   */
  revive(panel: vscode.WebviewPanel, state: unknown): void {
    const restored = flowsSchemas().flowsPageStateSchema.safeParse(state);
    if (this.panel && this.panel !== panel) this.panel.dispose();
    if (restored.success && restored.data.keyPaths.length) this.keyPaths = restored.data.keyPaths;
    this.adopt(panel);
    void this.refresh();
    if (restored.success && restored.data.entity) void this.showTrace(restored.data.entity);
  }

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

  /** The page has said `ready` (tests). */
  get isReady(): boolean {
    return this.ready;
  }

  get currentKeyPaths(): readonly string[] {
    return this.keyPaths;
  }

  /** Handles a message as if the page had sent it (the in-host tests drive the map's clicks through this). */
  receive(raw: unknown): void {
    this.onMessage(raw);
  }

  dispose(): void {
    this.closeWork();
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private open(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.adopt(vscode.window.createWebviewPanel(FLOWS_VIEW_TYPE, 'UCore Event Flows', vscode.ViewColumn.Active, webviewPanelOptions(this.extensionUri)));
  }

  /** Takes over a panel: a new one, or one VS Code restored after a reload. */
  private adopt(panel: vscode.WebviewPanel): void {
    for (const d of this.panelDisposables.splice(0)) d.dispose();
    this.panel = panel;
    this.ready = false;
    this.queued = [];
    panel.webview.options = webviewPanelOptions(this.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'ucore.svg');
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidChangeViewState(() => this.syncLive()),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        // Forget the panel first: closeWork's syncLive reads `visible`, which throws on a disposed webview; run
        // before, that throw left this.panel the dead webview, `ready` true and the live timer running, so the next
        // Show Event Flows revealed the dead panel and no live update ever came (seen after a closed, ready map).
        this.panel = undefined;
        this.ready = false;
        this.queued = [];
        for (const d of this.panelDisposables.splice(0)) d.dispose();
        this.closeWork();
      }),
    ];
  }

  private closeWork(): void {
    this.work?.abort();
    this.follower = undefined;
    this.around = undefined;
    this.syncLive();
  }

  private onMessage(raw: unknown): void {
    const r = flowsSchemas().flowsWebviewMessageSchema.safeParse(raw);
    if (!r.success) {
      this.services.log.warn('[flows] ignored a malformed message from the page');
      return;
    }
    const m: FlowsWebviewMessage = r.data;
    if (m.type === 'ready') {
      this.ready = true;
      for (const q of this.queued.splice(0)) void this.panel?.webview.postMessage(q);
      this.syncLive();
    } else if (m.type === 'refresh') {
      this.keyPaths = m.keyPaths.map((k) => k.trim()).filter(Boolean);
      void this.refresh();
    } else if (m.type === 'trace') {
      void this.showTrace(m.entity);
    } else if (m.type === 'filterMonitor') {
      this.lastMonitorFilter = { channel: m.channel, type: m.eventType };
      this.monitorPanel?.showFiltered({ channel: m.channel, type: m.eventType }, { open: m.open });
    }
  }

  private post(m: FlowsHostMessage): void {
    if (!this.panel) return;
    if (m.type === 'flows') this.flowsPosted++;
    if (this.ready) void this.panel.webview.postMessage(m);
    else this.queued.push(m);
  }

  private async refresh(): Promise<void> {
    this.work?.abort();
    const work = (this.work = new AbortController());
    this.follower = undefined;
    this.syncLive();
    this.post({ type: 'busy', text: 'Reading the event store…' });
    try {
      const conn = await this.services.requireConnection();
      const store = new EventStore(conn.transport, { streamKey: this.services.settings.get('storeStreamKey') });
      const miner = new FlowMiner({ keyPaths: this.keyPaths });
      const history = await mineStore(store, miner, { maxEntries: MAX_ENTRIES, signal: work.signal });
      const services = await servicesAround(conn.transport, store, miner.snapshot(), work.signal);
      const sagas = await this.readSagas(conn.transport, work.signal);
      if (work.signal.aborted) return;
      // Live pub/sub events the monitor received from now on join the map (those before are in its history or lost).
      const ringFrom = this.monitor?.connectionName === conn.name ? this.monitor.recent(1)[0]?.seq ?? 0 : 0;
      this.follower = new FlowsFollower(store, miner, history, ringFrom, conn.name);
      this.around = { connection: conn.name, services, sagas, sagasAt: Date.now() };
      this.post({ type: 'flows', data: toFlowsData(conn.name, this.keyPaths, { flows: miner.snapshot(), history, services }, sagas) });
      this.syncLive();
    } catch (e) {
      if (!work.signal.aborted) this.post({ type: 'error', text: `Could not read the flows: ${describeError(e).slice(0, 500)}` });
    }
  }

  private async readSagas(transport: Parameters<typeof readSagas>[0], signal: AbortSignal): Promise<SagaRun[]> {
    const sagas = new SagaCollector();
    await readSagas(transport, sagas, { signal, maxKeys: 2000 });
    return sagas.list();
  }

  /** Follows the system once a second while the page can show it; stops when hidden, closed or re-read. */
  private syncLive(): void {
    const wanted = !!(this.panel && this.ready && this.panel.visible && this.follower);
    if (wanted && !this.liveTimer) this.liveTimer = setInterval(() => void this.liveTick(), LIVE_UPDATE_MS);
    else if (!wanted && this.liveTimer) {
      clearInterval(this.liveTimer);
      this.liveTimer = undefined;
    }
  }

  /** One live update: what arrived since (store tail, monitor ring) into the map; posted only when something did. */
  private async liveTick(): Promise<void> {
    const follower = this.follower;
    const work = this.work;
    const around = this.around;
    if (!follower || !work || !around || this.liveBusy) return;
    this.liveBusy = true;
    try {
      const conn = await this.services.requireConnection();
      if (conn.name !== follower.connection) return; // another connection is active: the map says whose it is
      const ring = this.monitor?.connectionName === conn.name ? this.monitor.recent(100_000) : [];
      const added = await follower.pull(ring, work.signal);
      let sagasChanged = false;
      if (Date.now() - around.sagasAt >= SAGAS_EVERY_MS) {
        around.sagas = await this.readSagas(conn.transport, work.signal);
        around.sagasAt = Date.now();
        sagasChanged = true;
      }
      if (work.signal.aborted || this.follower !== follower || !follower.worthPosting(added, sagasChanged)) return;
      const data = toFlowsData(conn.name, this.keyPaths, { flows: follower.miner.snapshot(), history: follower.history, services: around.services }, around.sagas);
      this.post({ type: 'flows', data: { ...data, live: true } });
    } catch (e) {
      if (!work.signal.aborted) this.services.log.warn(`[flows] live update failed: ${describeError(e)}`);
    } finally {
      this.liveBusy = false;
    }
  }

  private async showTrace(entity: string): Promise<void> {
    this.tracedEntity = entity;
    this.post({ type: 'busy', text: `Tracing ${entity.slice(0, 100)}…` });
    try {
      const conn = await this.services.requireConnection();
      const store = new EventStore(conn.transport, { streamKey: this.services.settings.get('storeStreamKey') });
      // The monitor's ring: recent pub/sub events that no stream holds join the timeline, marked live.
      const live = this.monitor?.connectionName === conn.name ? this.monitor.recent(100_000).slice().reverse() : [];
      const trace = await traceEntity(conn.transport, store, entity, { keyPaths: this.keyPaths, live });
      this.post({ type: 'trace', data: toTraceData(trace) });
    } catch (e) {
      this.post({ type: 'error', text: `Could not trace ${entity.slice(0, 100)}: ${describeError(e).slice(0, 500)}` });
    }
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, { extensionUri: this.extensionUri, title: 'UCore Event Flows', styles: [['media', 'flows.css']], script: ['dist', 'webview', 'flows', 'main.js'] });
  }
}

export type { FlowsPageState };

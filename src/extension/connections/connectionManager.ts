// The lifecycle of connections: connects and disconnects them, knows which one is active and the state of each,
// and keeps a record per live connection (its status subscription and the background index keeper). What
// connections exist, and their passwords, is the catalog's job (catalog.ts).
import * as vscode from 'vscode';
import {
  EventAdapter,
  BadInputError,
  describeError,
  UCoreError,
  type Logger,
  EventStore,
  IndexKeeper,
  createTransport,
  type ConnectionStatus,
  type Transport,
} from '../../core/index';
import { EMBEDDED_NAME, EXTENSION_SOURCE } from '../constants';
import { Disposable, toDisposable } from '../lifecycle';
import type { ExtensionLog } from '../logging';
import type { ActiveConnection } from './activeConnection';
import { ConnectionCatalog, describeUrl, type CatalogChange, type ConnectionConfig } from './catalog';
import { stateOfStatus, type ConnectionState } from './connectionState';
import type { Settings } from './settings';
import { readTlsOptions } from './tls';

export interface ConnectionEntry {
  config: ConnectionConfig;
  state: ConnectionState;
  /** Set while connected (or reconnecting). */
  live?: ActiveConnection;
  /** Password-free description of the target, for tooltips. */
  target: string;
}

interface LiveRecord {
  live: ActiveConnection;
  statusSub: { dispose(): void };
  closing: boolean;
  /** Indexes what other apps append to the event store while the connection is open. */
  keeper?: IndexKeeper;
}

export class ConnectionManager extends Disposable {
  /** Every connection and its password: add, edit and remove them there. */
  readonly catalog: ConnectionCatalog;
  private readonly states = new Map<string, ConnectionState>();
  private readonly lives = new Map<string, LiveRecord>();
  private readonly pending = new Map<string, Promise<ActiveConnection>>();
  private activeName: string;
  private readonly log: Logger;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  private readonly activeChanged = this.register(new vscode.EventEmitter<ActiveConnection | undefined>());
  private lastActiveLive: ActiveConnection | undefined;

  /** Any change: the list, a status, the active one. */
  readonly onDidChange = this.changed.event;
  /** The active connection changed, or it (dis)connected: undefined when it is not connected. */
  readonly onDidChangeActive = this.activeChanged.event;

  constructor(
    private readonly settings: Settings,
    secrets: vscode.SecretStorage,
    globalState: vscode.Memento,
    log: ExtensionLog,
  ) {
    super();
    this.log = log.scoped('connections');
    this.catalog = new ConnectionCatalog(settings, secrets, globalState, this.log);
    this.activeName = settings.get('defaultConnection');
    if (!this.catalog.find(this.activeName)) {
      if (this.activeName !== EMBEDDED_NAME) this.log.warn(`default connection "${this.activeName}" is not defined; using ${EMBEDDED_NAME}`);
      this.activeName = EMBEDDED_NAME;
    }
    this.register(this.catalog);
    // Released before the catalog and the emitters (newest first): live connections close while both still exist.
    this.register(toDisposable(() => this.closeAll()));
    for (const d of [
      this.catalog.onDidChange((e) => this.catalogChanged(e)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('workspace trusted: connections from workspace settings may connect now');
        this.changed.fire();
        const active = this.catalog.find(this.activeName);
        if (active?.source === 'workspace') void this.connectQuietly(active.name);
      }),
    ]) this.register(d);
  }

  /** Connects the active connection at start-up; failures are logged and shown in the tree, not thrown. */
  async start(): Promise<void> {
    await this.connectQuietly(this.activeName);
  }

  private async connectQuietly(name: string): Promise<void> {
    const config = this.catalog.find(name);
    if (!config || !this.catalog.isAllowed(config)) return;
    try {
      await this.connect(name);
    } catch (e) {
      this.log.warn(`could not connect to "${name}": ${describeError(e)}`);
    }
  }

  list(): ConnectionEntry[] {
    return this.catalog.list().map((c) => this.entry(c));
  }

  get(name: string): ConnectionEntry | undefined {
    const c = this.catalog.find(name);
    return c ? this.entry(c) : undefined;
  }

  get active(): ConnectionEntry | undefined {
    return this.get(this.activeName);
  }

  get activeConnectionName(): string {
    return this.activeName;
  }

  /** The live connection of `name` (active or not), if connected. */
  live(name: string): ActiveConnection | undefined {
    return this.lives.get(name)?.live;
  }

  async setActive(name: string, options: { connect?: boolean } = {}): Promise<void> {
    if (!this.catalog.find(name)) throw new BadInputError(`there is no connection named "${name}"`);
    if (this.activeName !== name) {
      this.activeName = name;
      this.log.info(`active connection: ${name}`);
      this.fireActive();
      this.changed.fire();
    }
    if (options.connect !== false) await this.connect(name);
  }

  /** Connects (or returns the live connection). Rejects with a UCoreError whose message is safe to show. */
  connect(name: string): Promise<ActiveConnection> {
    const existing = this.lives.get(name);
    if (existing && !existing.closing) return Promise.resolve(existing.live);
    const inFlight = this.pending.get(name);
    if (inFlight) return inFlight;
    const p = this.doConnect(name).finally(() => this.pending.delete(name));
    this.pending.set(name, p);
    return p;
  }

  private async doConnect(name: string): Promise<ActiveConnection> {
    const config = this.catalog.find(name);
    if (!config) throw new BadInputError(`there is no connection named "${name}"`);
    if (!this.catalog.isAllowed(config)) {
      throw new UCoreError('BAD_INPUT', `"${name}" is defined in the workspace settings; trust the workspace to connect to it.`);
    }
    this.setState(name, { kind: 'connecting' });
    let transport: Transport | undefined;
    try {
      const password = await this.catalog.password(name);
      const tls = await readTlsOptions(name, config.tls, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, this.log);
      transport = createTransport({
        url: config.url,
        password,
        username: config.username,
        tls,
        connectTimeoutMs: Math.max(this.settings.get('commandTimeoutMs'), 2000),
        commandTimeoutMs: this.settings.get('commandTimeoutMs'),
        logger: this.log,
      });
    } catch (e) {
      this.setState(name, { kind: 'error', message: describeError(e) });
      throw e;
    }
    const record: LiveRecord = { live: undefined as unknown as ActiveConnection, statusSub: { dispose() {} }, closing: false };
    record.statusSub = transport.onStatus((status, detail) => this.onTransportStatus(name, record, status, detail));
    try {
      await transport.connect();
    } catch (e) {
      record.closing = true;
      record.statusSub.dispose();
      await transport.close().catch(() => undefined);
      const message = describeError(e);
      this.log.error(`connect "${name}" (${transport.description}) failed: ${message}`);
      this.setState(name, { kind: 'error', message });
      throw e;
    }
    if (this.isDisposed) {
      await transport.close().catch(() => undefined);
      throw new UCoreError('CLOSED', 'the extension is shutting down');
    }
    const adapter = new EventAdapter(transport, this.log, { source: EXTENSION_SOURCE });
    adapter.onProblem((p) => this.log.debug(`${p.kind} message on ${p.context.channel}: ${describeError(p.error)}`));
    record.live = { name, transport, adapter, production: config.production };
    if (this.settings.get('storeKeepIndexed')) {
      const store = new EventStore(transport, { streamKey: this.settings.get('storeStreamKey'), publishChannel: null, logger: this.log });
      record.keeper = new IndexKeeper(store, () => transport.status === 'ready', { logger: this.log }).start();
      void record.keeper.tick();
    }
    this.lives.set(name, record);
    this.log.info(`connected "${name}" → ${transport.description}`);
    this.setState(name, { kind: 'ready' });
    return record.live;
  }

  private onTransportStatus(name: string, record: LiveRecord, status: ConnectionStatus, detail?: string): void {
    if (record.closing || !record.live) return; // connect() reports its own outcome; disconnect() its own
    if (status === 'closed') {
      this.log.warn(`"${name}" closed${detail ? `: ${detail}` : ''}`);
      this.dropLive(name, record);
    }
    // Once open, connecting again means coming back.
    this.setState(name, stateOfStatus(status === 'connecting' ? 'reconnecting' : status, detail));
  }

  private dropLive(name: string, record: LiveRecord): void {
    record.closing = true;
    record.keeper?.dispose();
    record.statusSub.dispose();
    if (this.lives.get(name) === record) this.lives.delete(name);
  }

  async disconnect(name: string): Promise<void> {
    const record = this.lives.get(name);
    if (!record) {
      this.setState(name, { kind: 'disconnected' });
      return;
    }
    this.dropLive(name, record);
    this.setState(name, { kind: 'disconnected' });
    try {
      await record.live.adapter.close();
    } catch (e) {
      this.log.warn(`closing "${name}": ${describeError(e)}`);
    }
    this.log.info(`disconnected "${name}"`);
  }

  private closeAll(): void {
    for (const [name, record] of [...this.lives]) {
      this.dropLive(name, record);
      void record.live.adapter.close().catch(() => undefined);
    }
  }

  // ---- internals ----

  private entry(config: ConnectionConfig): ConnectionEntry {
    let state = this.states.get(config.name) ?? { kind: 'disconnected' };
    if (!this.catalog.isAllowed(config) && state.kind === 'disconnected') state = { kind: 'untrusted' };
    const out: ConnectionEntry = { config, state, target: describeUrl(config.url) };
    const live = this.lives.get(config.name);
    if (live && !live.closing) out.live = live.live;
    return out;
  }

  /** Closes live connections whose definition or password changed or that are gone; follows a rename. */
  private catalogChanged(change: CatalogChange): void {
    if (change.renamed && this.activeName === change.renamed.from) this.activeName = change.renamed.to;
    for (const name of [...this.lives.keys()]) {
      const now = this.catalog.find(name);
      if (!now || change.changed.includes(name) || !this.catalog.isAllowed(now)) {
        this.log.info(`"${name}" changed or was removed: disconnecting`);
        void this.disconnect(name);
      }
    }
    for (const name of change.changed) {
      // An old error says nothing about the new definition or password.
      if (!this.lives.has(name) && !this.pending.has(name)) this.states.delete(name);
    }
    for (const name of [...this.states.keys()]) if (!this.catalog.find(name)) this.states.delete(name);
    if (!this.catalog.find(this.activeName)) this.activeName = EMBEDDED_NAME;
    this.changed.fire();
    this.fireActive();
  }

  private setState(name: string, state: ConnectionState): void {
    this.states.set(name, state);
    this.changed.fire();
    if (name === this.activeName) this.fireActive();
  }

  /** Fires onDidChangeActive when the active live connection object differs from the last one announced. */
  private fireActive(): void {
    const live = this.live(this.activeName);
    if (live === this.lastActiveLive) return;
    this.lastActiveLive = live;
    this.activeChanged.fire(live);
  }
}

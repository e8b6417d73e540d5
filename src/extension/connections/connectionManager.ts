// Knows every connection (the built-in "Embedded", `ucore.connections` from user and workspace settings, and those
// added with "UCore: Add Connection", kept in global state without passwords), which one is active, and the live
// status of each. Passwords live in SecretStorage only, one key per connection.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { EventAdapter } from '../../core/adapter';
import { BadInputError, describeError, UCoreError } from '../../core/errors';
import { EventStore } from '../../core/store/event-store';
import { IndexKeeper } from '../../core/store/index-keeper';
import type { Logger } from '../../core/logger';
import { createTransport } from '../../core/transport/factory';
import type { Transport } from '../../core/transport/types';
import { describeTarget, parseConnectionUrl, redactUrl, type TlsSettings } from '../../core/transport/url';
import { EMBEDDED_NAME, EMBEDDED_URL } from '../constants';
import type { ActiveConnection, ExtensionLog } from '../services';
import { connectionSettingSchema, type ConnectionSetting, type Settings } from './settings';

export type ConnectionSource = 'builtin' | 'user' | 'workspace' | 'added';

export interface ConnectionConfig {
  name: string;
  url: string;
  production: boolean;
  username?: string;
  tls?: { rejectUnauthorized?: boolean; caFile?: string };
  source: ConnectionSource;
}

export type ConnectionState =
  | { kind: 'disconnected' }
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'reconnecting'; message?: string }
  | { kind: 'error'; message: string }
  /** From workspace settings in an untrusted workspace: not connected to until the workspace is trusted. */
  | { kind: 'untrusted' };

export interface ConnectionEntry {
  config: ConnectionConfig;
  state: ConnectionState;
  /** Set while connected (or reconnecting). */
  live?: ActiveConnection;
  /** Password-free description of the target, for tooltips. */
  target: string;
}

const ADDED_KEY = 'ucore.addedConnections';
const secretKey = (name: string) => `ucore.connection.password/${name}`;
const addedListSchema = z.array(connectionSettingSchema);

interface LiveRecord {
  live: ActiveConnection;
  statusSub: { dispose(): void };
  closing: boolean;
  /** Indexes what other apps append to the event store while the connection is open. */
  keeper?: IndexKeeper;
}

export class ConnectionManager implements vscode.Disposable {
  private configs: ConnectionConfig[] = [];
  private readonly states = new Map<string, ConnectionState>();
  private readonly lives = new Map<string, LiveRecord>();
  private readonly pending = new Map<string, Promise<ActiveConnection>>();
  private activeName: string;
  private readonly log: Logger;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly activeChanged = new vscode.EventEmitter<ActiveConnection | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  private lastActiveLive: ActiveConnection | undefined;
  private disposed = false;

  /** Any change: the list, a status, the active one. */
  readonly onDidChange = this.changed.event;
  /** The active connection changed, or it (dis)connected: undefined when it is not connected. */
  readonly onDidChangeActive = this.activeChanged.event;

  constructor(
    private readonly settings: Settings,
    private readonly secrets: vscode.SecretStorage,
    private readonly globalState: vscode.Memento,
    log: ExtensionLog,
  ) {
    this.log = log.scoped('connections');
    this.activeName = settings.get('defaultConnection');
    this.reload();
    if (!this.find(this.activeName)) {
      if (this.activeName !== EMBEDDED_NAME) this.log.warn(`default connection "${this.activeName}" is not defined; using ${EMBEDDED_NAME}`);
      this.activeName = EMBEDDED_NAME;
    }
    this.disposables.push(
      settings.onDidChange(() => this.reload()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('workspace trusted: connections from workspace settings may connect now');
        this.reload();
        const active = this.find(this.activeName);
        if (active?.source === 'workspace') void this.connectQuietly(active.name);
      }),
      this.changed,
      this.activeChanged,
    );
  }

  /** Connects the active connection at start-up; failures are logged and shown in the tree, not thrown. */
  async start(): Promise<void> {
    await this.connectQuietly(this.activeName);
  }

  private async connectQuietly(name: string): Promise<void> {
    const config = this.find(name);
    if (!config || !this.isAllowed(config)) return;
    try {
      await this.connect(name);
    } catch (e) {
      this.log.warn(`could not connect to "${name}": ${describeError(e)}`);
    }
  }

  list(): ConnectionEntry[] {
    return this.configs.map((c) => this.entry(c));
  }

  get(name: string): ConnectionEntry | undefined {
    const c = this.find(name);
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

  /** False for connections from workspace settings while the workspace is not trusted. */
  isAllowed(config: ConnectionConfig): boolean {
    return config.source !== 'workspace' || vscode.workspace.isTrusted;
  }

  async setActive(name: string, options: { connect?: boolean } = {}): Promise<void> {
    const config = this.find(name);
    if (!config) throw new BadInputError(`there is no connection named "${name}"`);
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
    const config = this.find(name);
    if (!config) throw new BadInputError(`there is no connection named "${name}"`);
    if (!this.isAllowed(config)) {
      throw new UCoreError('BAD_INPUT', `"${name}" is defined in the workspace settings; trust the workspace to connect to it.`);
    }
    this.setState(name, { kind: 'connecting' });
    let transport: Transport | undefined;
    try {
      const password = config.source === 'builtin' ? undefined : await this.secrets.get(secretKey(name));
      const tls = await this.tlsOptions(config);
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
    if (this.disposed) {
      await transport.close().catch(() => undefined);
      throw new UCoreError('CLOSED', 'the extension is shutting down');
    }
    const adapter = new EventAdapter(transport, this.log);
    adapter.onProblem((p) => this.log.debug(`${p.kind} message on ${p.context.channel}: ${describeError(p.error)}`));
    record.live = { name, transport, adapter, production: config.production };
    if (this.settings.get('storeKeepIndexed')) {
      const store = new EventStore(transport, { streamKey: this.settings.get('storeStreamKey'), publishChannel: null, logger: this.log });
      record.keeper = new IndexKeeper(store, () => transport.status === 'ready', { logger: this.log }).start();
      void record.keeper.tick();
    }
    this.lives.set(name, record);
    this.log.info(`connected "${name}" → ${transport.description}`);
    this.setState(name, { kind: 'connected' });
    return record.live;
  }

  private onTransportStatus(name: string, record: LiveRecord, status: string, detail?: string): void {
    if (record.closing || !record.live) return; // connect() reports its own outcome; disconnect() its own
    switch (status) {
      case 'ready': this.setState(name, { kind: 'connected' }); break;
      case 'reconnecting': this.setState(name, { kind: 'reconnecting', message: detail }); break;
      case 'connecting': this.setState(name, { kind: 'reconnecting', message: detail }); break;
      case 'closed': {
        this.log.warn(`"${name}" closed${detail ? `: ${detail}` : ''}`);
        this.dropLive(name, record);
        this.setState(name, { kind: 'error', message: detail ?? 'the connection closed' });
        break;
      }
    }
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

  /** Adds a connection (stored in global state, password in SecretStorage). */
  async add(setting: ConnectionSetting, password?: string): Promise<void> {
    const split = splitPassword(connectionSettingSchema.parse(setting).url);
    const s = { ...connectionSettingSchema.parse(setting), url: split.url };
    password = password || split.password;
    if (this.find(s.name)) throw new BadInputError(`a connection named "${s.name}" exists already`);
    const added = this.addedSettings();
    added.push(s);
    await this.globalState.update(ADDED_KEY, added);
    if (password) await this.secrets.store(secretKey(s.name), password);
    this.log.info(`added connection "${s.name}" → ${redactUrl(s.url)}`);
    this.reload();
  }

  /**
   * Edits a connection added by command (any field), or only the password of one from settings (settings are the
   * user's to edit). `password`: undefined keeps it, '' deletes it.
   */
  async edit(name: string, setting: ConnectionSetting | undefined, password?: string): Promise<void> {
    const config = this.find(name);
    if (!config) throw new BadInputError(`there is no connection named "${name}"`);
    if (config.source === 'builtin') throw new BadInputError(`"${name}" is built in and cannot be edited`);
    let newName = name;
    if (setting) {
      if (config.source !== 'added') throw new BadInputError(`"${name}" comes from settings; edit it in ucore.connections`);
      const split = splitPassword(connectionSettingSchema.parse(setting).url);
      const s = { ...connectionSettingSchema.parse(setting), url: split.url };
      if (split.password && password === undefined) password = split.password;
      if (s.name !== name && this.find(s.name)) throw new BadInputError(`a connection named "${s.name}" exists already`);
      const added = this.addedSettings().map((a) => (a.name === name ? s : a));
      await this.globalState.update(ADDED_KEY, added);
      newName = s.name;
      if (newName !== name) {
        const old = await this.secrets.get(secretKey(name));
        await this.secrets.delete(secretKey(name));
        if (old && password === undefined) await this.secrets.store(secretKey(newName), old);
        if (this.activeName === name) this.activeName = newName;
      }
    }
    if (password === '') await this.secrets.delete(secretKey(newName));
    else if (password !== undefined) await this.secrets.store(secretKey(newName), password);
    this.log.info(`edited connection "${name}"${newName !== name ? ` (now "${newName}")` : ''}`);
    await this.disconnect(name);
    this.reload();
  }

  async remove(name: string): Promise<void> {
    const config = this.find(name);
    if (!config) return;
    if (config.source !== 'added') {
      throw new BadInputError(config.source === 'builtin'
        ? `"${name}" is built in and cannot be removed`
        : `"${name}" comes from settings; remove it from ucore.connections`);
    }
    await this.disconnect(name);
    await this.globalState.update(ADDED_KEY, this.addedSettings().filter((a) => a.name !== name));
    await this.secrets.delete(secretKey(name));
    this.log.info(`removed connection "${name}"`);
    if (this.activeName === name) this.activeName = EMBEDDED_NAME;
    this.reload();
    this.fireActive();
  }

  async hasPassword(name: string): Promise<boolean> {
    return (await this.secrets.get(secretKey(name))) !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    for (const [name, record] of [...this.lives]) {
      this.dropLive(name, record);
      void record.live.adapter.close().catch(() => undefined);
    }
    for (const d of this.disposables) d.dispose();
  }

  // ---- internals ----

  private find(name: string): ConnectionConfig | undefined {
    return this.configs.find((c) => c.name === name);
  }

  private entry(config: ConnectionConfig): ConnectionEntry {
    let state = this.states.get(config.name) ?? { kind: 'disconnected' };
    if (!this.isAllowed(config) && state.kind === 'disconnected') state = { kind: 'untrusted' };
    const out: ConnectionEntry = { config, state, target: describeUrl(config.url) };
    const live = this.lives.get(config.name);
    if (live && !live.closing) out.live = live.live;
    return out;
  }

  private addedSettings(): ConnectionSetting[] {
    const raw = this.globalState.get<unknown>(ADDED_KEY, []);
    const r = addedListSchema.safeParse(raw);
    if (r.success) return r.data;
    this.log.warn('stored connections were unreadable; ignoring them');
    return [];
  }

  /** Re-reads settings and stored connections; live connections whose definition changed are closed. */
  private reload(): void {
    const next: ConnectionConfig[] = [{ name: EMBEDDED_NAME, url: EMBEDDED_URL, production: false, source: 'builtin' }];
    const seen = new Set([EMBEDDED_NAME]);
    const push = (s: ConnectionSetting, source: ConnectionSource) => {
      if (seen.has(s.name)) {
        this.log.warn(`connection "${s.name}" is defined twice; the ${source} one is ignored`);
        return;
      }
      seen.add(s.name);
      const c: ConnectionConfig = { name: s.name, url: s.url, production: s.production ?? false, source };
      if (s.username) c.username = s.username;
      if (s.tls) c.tls = { ...s.tls };
      next.push(c);
    };
    for (const s of this.settings.connections()) push(s, s.source);
    for (const s of this.addedSettings()) push(s, 'added');
    const before = new Map(this.configs.map((c) => [c.name, JSON.stringify(c)]));
    this.configs = next;
    for (const name of [...this.lives.keys()]) {
      const now = this.find(name);
      if (!now || JSON.stringify(now) !== before.get(name) || !this.isAllowed(now)) {
        this.log.info(`"${name}" changed or was removed: disconnecting`);
        void this.disconnect(name);
      }
    }
    for (const name of [...this.states.keys()]) if (!this.find(name)) this.states.delete(name);
    if (!this.find(this.activeName)) this.activeName = EMBEDDED_NAME;
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

  private async tlsOptions(config: ConnectionConfig): Promise<TlsSettings | boolean | undefined> {
    if (!config.tls) return undefined;
    const tls: TlsSettings = {};
    if (config.tls.rejectUnauthorized === false) {
      tls.rejectUnauthorized = false;
      this.log.warn(`"${config.name}": TLS certificate verification is turned off`);
    }
    if (config.tls.caFile) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      const file = path.isAbsolute(config.tls.caFile) || !folder ? config.tls.caFile : path.join(folder, config.tls.caFile);
      try {
        tls.ca = await readFile(file, 'utf8');
      } catch (e) {
        throw new UCoreError('TLS', `cannot read the CA file of "${config.name}": ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
      }
    }
    return tls;
  }
}

/**
 * Takes a password out of a connection URL (any accepted form): the URL is stored, the password goes to the secret
 * storage. Throws BadUrlError (with a redacted message) for a URL that does not parse.
 */
export function splitPassword(url: string): { url: string; password?: string } {
  const target = parseConnectionUrl(url);
  // SecretStorage holds one password per connection: a second one in the URL would be saved as plain text.
  if (target.kind === 'redis' && target.sentinel?.password) {
    throw new BadInputError('sentinelPassword cannot be kept in a saved connection URL (settings are plain text): remove it; UCore keeps only the data password, in SecretStorage');
  }
  if (target.kind !== 'redis' || !target.password) return { url: url.trim() };
  const stripped = url.trim()
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_m, scheme: string, cred: string) => {
      const user = cred.split(':')[0];
      return user ? `${scheme}${user}@` : scheme;
    })
    .replace(/([,?&])password=[^,&]*/gi, '$1')
    .replace(/\?&/, '?')
    .replace(/([&,])[&,]/g, '$1')
    .replace(/[?&,]$/, '');
  return { url: stripped, password: target.password };
}

/** The password-free form of a connection URL, for tooltips. */
export function describeUrl(url: string): string {
  try {
    const t = parseConnectionUrl(url);
    if (t.kind === 'embedded') return t.name === 'default' ? 'embedded (in-process)' : `embedded:${t.name}`;
    return describeTarget(t);
  } catch {
    return redactUrl(url);
  }
}

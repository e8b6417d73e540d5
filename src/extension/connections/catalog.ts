// Every connection the user can pick: the built-in "Embedded", `ucore.connections` from user and workspace settings,
// and those added with "UCore: Add Connection" (kept in global state, without passwords). Passwords live in
// SecretStorage only, one key per connection. The catalog knows definitions, not live connections: it says what
// changed and the connection manager decides what to close.
import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';
import * as z from 'zod/mini';
import {
  BadInputError,
  type Logger,
  describeTarget,
  parseConnectionUrl,
  redactUrl,
  takePassword,
} from '../../core/index';
import { EMBEDDED_NAME, EMBEDDED_URL } from '../constants';
import { connectionSettingSchema, type ConnectionSetting, type Settings } from './settings';

export type ConnectionSource = 'builtin' | 'user' | 'workspace' | 'added';

export interface ConnectionConfig {
  name: string;
  url: string;
  production: boolean;
  username?: string;
  tls?: { rejectUnauthorized?: boolean; caFile?: string };
  /** Its own masking rules; none given: `ucore.masking.rules` when production, nothing otherwise. */
  mask?: string[];
  source: ConnectionSource;
}

export interface CatalogChange {
  /** Connections whose definition or password changed, or that are gone: a live one must be closed. */
  changed: string[];
  /** An edit renamed a connection. */
  renamed?: { from: string; to: string };
}

const ADDED_KEY = 'ucore.addedConnections';
const secretKey = (name: string) => `ucore.connection.password/${name}`;

export class ConnectionCatalog extends Disposable {
  private configs: ConnectionConfig[] = [];
  private readonly changed = this.register(new vscode.EventEmitter<CatalogChange>());

  /** The list changed (settings, added, edited or removed connections, a new password). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly settings: Settings,
    private readonly secrets: vscode.SecretStorage,
    private readonly globalState: vscode.Memento,
    private readonly log: Logger,
  ) {
    super();
    this.configs = this.read();
    this.register(settings.onDidChange(() => this.reload([])));
  }

  list(): ConnectionConfig[] {
    return this.configs;
  }

  find(name: string): ConnectionConfig | undefined {
    return this.configs.find((c) => c.name === name);
  }

  /** False for connections from workspace settings while the workspace is not trusted. */
  isAllowed(config: ConnectionConfig): boolean {
    return config.source !== 'workspace' || vscode.workspace.isTrusted;
  }

  /** The stored password of a connection (never one for the built-in). */
  async password(name: string): Promise<string | undefined> {
    return this.find(name)?.source === 'builtin' ? undefined : this.secrets.get(secretKey(name));
  }

  async hasPassword(name: string): Promise<boolean> {
    return (await this.secrets.get(secretKey(name))) !== undefined;
  }

  /** Adds a connection (stored in global state, password in SecretStorage, also one written in the URL). */
  async add(setting: ConnectionSetting, password?: string): Promise<void> {
    const { setting: s, password: inUrl } = withoutPassword(setting);
    password = password || inUrl;
    if (this.find(s.name)) throw new BadInputError(`a connection named "${s.name}" exists already`);
    await this.globalState.update(ADDED_KEY, [...this.addedSettings(), s]);
    if (password) await this.secrets.store(secretKey(s.name), password);
    this.log.info(`added connection "${s.name}" → ${redactUrl(s.url)}`);
    this.reload([s.name]);
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
      const { setting: s, password: inUrl } = withoutPassword(setting);
      if (inUrl && password === undefined) password = inUrl;
      if (s.name !== name && this.find(s.name)) throw new BadInputError(`a connection named "${s.name}" exists already`);
      await this.globalState.update(ADDED_KEY, this.addedSettings().map((a) => (a.name === name ? s : a)));
      newName = s.name;
      if (newName !== name) {
        const old = await this.secrets.get(secretKey(name));
        await this.secrets.delete(secretKey(name));
        if (old && password === undefined) await this.secrets.store(secretKey(newName), old);
      }
    }
    if (password === '') await this.secrets.delete(secretKey(newName));
    else if (password !== undefined) await this.secrets.store(secretKey(newName), password);
    this.log.info(`edited connection "${name}"${newName !== name ? ` (now "${newName}")` : ''}`);
    this.reload([name, newName], newName !== name ? { from: name, to: newName } : undefined);
  }

  async remove(name: string): Promise<void> {
    const config = this.find(name);
    if (!config) return;
    if (config.source !== 'added') {
      throw new BadInputError(config.source === 'builtin'
        ? `"${name}" is built in and cannot be removed`
        : `"${name}" comes from settings; remove it from ucore.connections`);
    }
    await this.globalState.update(ADDED_KEY, this.addedSettings().filter((a) => a.name !== name));
    await this.secrets.delete(secretKey(name));
    this.log.info(`removed connection "${name}"`);
    this.reload([name]);
  }

  /** Re-reads settings and stored connections and says which ones changed (besides `touched`). */
  private reload(touched: string[], renamed?: CatalogChange['renamed']): void {
    const before = new Map(this.configs.map((c) => [c.name, JSON.stringify(c)]));
    this.configs = this.read();
    const after = new Map(this.configs.map((c) => [c.name, JSON.stringify(c)]));
    const changed = new Set(touched);
    for (const [name, text] of before) if (after.get(name) !== text) changed.add(name);
    this.changed.fire(renamed ? { changed: [...changed], renamed } : { changed: [...changed] });
  }

  private read(): ConnectionConfig[] {
    const out: ConnectionConfig[] = [{ name: EMBEDDED_NAME, url: EMBEDDED_URL, production: false, source: 'builtin' }];
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
      if (s.mask) c.mask = [...s.mask];
      out.push(c);
    };
    for (const s of this.settings.connections()) push(s, s.source);
    for (const s of this.addedSettings()) push(s, 'added');
    return out;
  }

  private addedSettings(): ConnectionSetting[] {
    const stored = this.globalState.get<unknown>(ADDED_KEY, []);
    if (Array.isArray(stored) && stored.length === 0) return []; // the usual case: no schema to build at activation
    const r = z.safeParse(z.array(connectionSettingSchema()), stored);
    if (r.success) return r.data;
    this.log.warn('stored connections were unreadable; ignoring them');
    return [];
  }
}

/** A validated setting whose URL holds no password, and the password it held. */
function withoutPassword(setting: ConnectionSetting): { setting: ConnectionSetting; password?: string } {
  const s = z.parse(connectionSettingSchema(), setting);
  const split = splitPassword(s.url);
  return { setting: { ...s, url: split.url }, password: split.password };
}

/**
 * Takes the password out of a connection URL before it is saved: the URL is stored, the password goes to the secret
 * storage. Throws BadUrlError (with a redacted message) for a URL that does not parse, and BadInputError for a
 * Sentinel password, which has nowhere safe to go.
 */
export function splitPassword(url: string): { url: string; password?: string } {
  const target = parseConnectionUrl(url);
  // SecretStorage holds one password per connection: a second one in the URL would be saved as plain text.
  if (target.kind === 'redis' && target.sentinel?.password) {
    throw new BadInputError('sentinelPassword cannot be kept in a saved connection URL (settings are plain text): remove it; UCore keeps only the data password, in SecretStorage');
  }
  return takePassword(url);
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

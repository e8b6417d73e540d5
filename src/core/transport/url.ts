// Parses every connection string form users bring: the standard `redis://[user:pass@]host:port/db`, `rediss://`
// (TLS), `?db=N`, the guide's comma forms (`redis://host:port,password=p`, `redis://host:port,db=1`), a cluster's seed
// nodes (`redis+cluster://[user:pass@]h1:p1,h2:p2`), Sentinel (`redis+sentinel://[user:pass@]h1:p1,h2:p2/<master>[/db]`),
// `rediss+cluster://` / `rediss+sentinel://` for TLS, and `embedded` / `embedded://name` for the in-process
// transport. Never echoes a password in an error.
import { BadUrlError } from '../errors';

export interface TlsSettings {
  /** Verify the server's certificate (default true). Turning it off is explicit and is warned about. */
  rejectUnauthorized?: boolean;
  /** PEM text of a CA bundle to trust. */
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
}

export interface HostPort {
  host: string;
  port: number;
}

export type ConnectionTarget =
  | { kind: 'embedded'; name: string }
  | {
      kind: 'redis';
      /** The server; for a cluster the first seed node, for Sentinel the first sentinel. */
      host: string;
      port: number;
      db: number;
      username?: string;
      password?: string;
      tls?: TlsSettings;
      /** Seed nodes of a Redis Cluster (`redis+cluster://`): any reachable one tells the client the rest. */
      cluster?: { seeds: HostPort[] };
      /** Sentinels to ask for the current master of `masterName` (`redis+sentinel://`). */
      sentinel?: { sentinels: HostPort[]; masterName: string; password?: string; username?: string };
    };

const DEFAULT_PORT = 6379;

export function parseConnectionUrl(input: string): ConnectionTarget {
  const raw = (input ?? '').trim();
  if (!raw) throw new BadUrlError('the connection URL is empty');
  if (raw === 'embedded' || raw.startsWith('embedded:')) {
    const name = raw.replace(/^embedded:(\/\/)?/, '') || 'default';
    if (raw !== 'embedded' && raw !== 'embedded:' && !/^[\w.-]{1,64}$/.test(name)) {
      throw new BadUrlError(`bad embedded connection name in "${redactUrl(raw)}"`);
    }
    return { kind: 'embedded', name: raw === 'embedded' ? 'default' : name };
  }
  const shape = shapeOf(raw);
  if (shape.form !== 'single') return parseMultiHostUrl(raw, shape.tls, shape.form, shape.rest);
  const { scheme } = shape;
  const { main, options } = splitGuideOptions(shape.rest);
  const extras: Record<string, string> = {};
  for (const [key, value] of options) extras[key.trim().toLowerCase()] = value;
  const url = whatwgUrl(raw, scheme, main);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new BadUrlError('the connection URL has no host');
  const port = url.port ? Number(url.port) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BadUrlError(`bad port "${url.port}"`);

  let dbText = url.pathname.replace(/^\//, '');
  const queryDb = url.searchParams.get('db');
  if (queryDb !== null) dbText = queryDb;
  if (extras.db !== undefined) dbText = extras.db;
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new BadUrlError(`bad database index "${dbText}"`);

  const username = decodePart(url.username) || url.searchParams.get('username') || extras.username || extras.user || undefined;
  const password = decodePart(url.password) || url.searchParams.get('password') || extras.password || undefined;
  const target: ConnectionTarget = { kind: 'redis', host, port, db };
  if (username) target.username = username;
  if (password) target.password = password;
  if (scheme === 'rediss') target.tls = {};
  return target;
}

/**
 * `redis+cluster://[user:pass@]h1:p1,h2:p2[/][?password=…]` and
 * `redis+sentinel://[user:pass@]h1:p1,h2:p2/<master>[/db][?sentinelPassword=…&sentinelUsername=…]`. The host list is
 * split on commas here (the guide's comma options do not apply to these schemes); options come from the query.
 */
function parseMultiHostUrl(raw: string, tls: boolean, form: 'cluster' | 'sentinel', afterScheme: string): ConnectionTarget {
  const parts = splitMultiHost(afterScheme);
  const query = new URLSearchParams(parts.query);
  const rest = parts.hosts;
  let username = parts.user === undefined ? undefined : decodePart(parts.user) || undefined;
  let password = parts.password === undefined ? undefined : decodePart(parts.password) || undefined;
  const slash = rest.indexOf('/');
  const hostList = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = (slash >= 0 ? rest.slice(slash + 1) : '').split('/').filter((p) => p !== '');
  const hosts = hostList.split(',').map((h) => h.trim()).filter((h) => h !== '').map((h) => parseHostPort(h, form === 'sentinel' ? 26379 : DEFAULT_PORT));
  if (hosts.length === 0) throw new BadUrlError(`"${redactUrl(raw)}" names no ${form === 'cluster' ? 'seed node' : 'sentinel'}`);
  username = username ?? query.get('username') ?? undefined;
  password = password ?? query.get('password') ?? undefined;
  const target: Extract<ConnectionTarget, { kind: 'redis' }> = { kind: 'redis', host: hosts[0].host, port: hosts[0].port, db: 0 };
  if (username) target.username = username;
  if (password) target.password = password;
  if (tls) target.tls = {};
  if (form === 'cluster') {
    if (path.length > 0 && !(path.length === 1 && path[0] === '0')) throw new BadUrlError('a Redis Cluster has only database 0');
    if (query.get('db') !== null && query.get('db') !== '0') throw new BadUrlError('a Redis Cluster has only database 0');
    target.cluster = { seeds: hosts };
    return target;
  }
  const masterName = decodePart(path[0] ?? query.get('name') ?? '');
  if (!masterName) throw new BadUrlError(`"${redactUrl(raw)}" names no master: redis+sentinel://host:port/<master-name>`);
  const dbText = path[1] ?? query.get('db') ?? '0';
  const db = Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new BadUrlError(`bad database index "${dbText}"`);
  target.db = db;
  target.sentinel = { sentinels: hosts, masterName };
  const sentinelPassword = query.get('sentinelPassword');
  const sentinelUsername = query.get('sentinelUsername');
  if (sentinelPassword) target.sentinel.password = sentinelPassword;
  if (sentinelUsername) target.sentinel.username = sentinelUsername;
  return target;
}

/** How a non-embedded URL is written: its scheme decides how the rest reads. */
type UrlShape =
  | { form: 'single'; scheme: 'redis' | 'rediss'; rest: string }
  | { form: 'cluster' | 'sentinel'; scheme: string; tls: boolean; rest: string };

function shapeOf(raw: string): UrlShape {
  const multi = /^(rediss?)\+(cluster|sentinel):\/\/(.*)$/i.exec(raw);
  if (multi) {
    const tls = multi[1].toLowerCase() === 'rediss';
    const form = multi[2].toLowerCase() as 'cluster' | 'sentinel';
    return { form, scheme: `${tls ? 'rediss' : 'redis'}+${form}`, tls, rest: multi[3] };
  }
  const m = /^(rediss?):\/\/(.*)$/i.exec(raw);
  if (!m) throw new BadUrlError(`"${redactUrl(raw)}" is not a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL`);
  return { form: 'single', scheme: m[1].toLowerCase() as 'redis' | 'rediss', rest: m[2] };
}

/** The guide's comma options, `redis://host:port,password=secret,db=1`: the URL before them and each option as written. */
function splitGuideOptions(rest: string): { main: string; options: Array<[key: string, value: string]> } {
  const comma = rest.indexOf(',');
  if (comma < 0) return { main: rest, options: [] };
  const options = rest.slice(comma + 1).split(',').map((part): [string, string] => {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new BadUrlError(`bad option "${part.split('=')[0]}" in the connection URL`);
    return [part.slice(0, eq), part.slice(eq + 1)];
  });
  return { main: rest.slice(0, comma), options };
}

function whatwgUrl(raw: string, scheme: string, main: string): URL {
  try {
    return new URL(`${scheme}://${main}`);
  } catch {
    throw new BadUrlError(`"${redactUrl(raw)}" is not a valid URL`);
  }
}

/**
 * A cluster or Sentinel URL after its scheme, as written (still percent-encoded): user info, the host list with
 * its path, and the query. Hosts are comma-separated here, so WHATWG URL cannot read it.
 */
function splitMultiHost(afterScheme: string): { user?: string; password?: string; hosts: string; query: string } {
  const queryAt = afterScheme.indexOf('?');
  const query = queryAt >= 0 ? afterScheme.slice(queryAt + 1) : '';
  let hosts = queryAt >= 0 ? afterScheme.slice(0, queryAt) : afterScheme;
  const at = hosts.lastIndexOf('@', hosts.indexOf('/') >= 0 ? hosts.indexOf('/') : hosts.length);
  if (at < 0) return { hosts, query };
  const cred = hosts.slice(0, at);
  hosts = hosts.slice(at + 1);
  const colon = cred.indexOf(':');
  return colon >= 0 ? { user: cred.slice(0, colon), password: cred.slice(colon + 1), hosts, query } : { user: cred, hosts, query };
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`. */
function parseHostPort(text: string, defaultPort: number): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(text);
  if (!m) throw new BadUrlError(`bad host "${text.slice(0, 100)}" in the connection URL`);
  const host = m[1] ?? m[2];
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BadUrlError(`bad port "${m[3]}"`);
  return { host, port };
}

function decodePart(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Replaces the password in any of the accepted URL forms with `***`; safe to log or show. */
export function redactUrl(url: string): string {
  return String(url)
    .replace(/^([a-z][\w+.-]*:\/\/)([^@/\s]*)@/i, (_all, scheme: string, cred: string) => {
      const colon = cred.indexOf(':');
      return colon >= 0 ? `${scheme}${cred.slice(0, colon)}:***@` : `${scheme}${cred}@`;
    })
    .replace(/([,?&](?:sentinel)?password=)[^,&]*/gi, '$1***');
}

/**
 * Takes the data password out of a connection URL, wherever it is written (user info, `?password=`, the guide's
 * `,password=`), so the URL can be saved and the password kept elsewhere. The rest of the URL stays as written, and
 * `sentinelPassword` stays too (callers decide whether it may be saved). Without a password the URL is returned
 * trimmed. Throws BadUrlError (never showing the password) for a URL that does not parse.
 */
export function takePassword(url: string): { url: string; password?: string } {
  const raw = (url ?? '').trim();
  const target = parseConnectionUrl(raw);
  if (target.kind !== 'redis' || !target.password) return { url: raw };
  return { url: rewritePassword(raw, undefined), password: target.password };
}

/**
 * Puts a password back into a URL that `takePassword` took it out of: into the user info (replacing any password
 * the URL has), percent-encoded, so `parseConnectionUrl` reads it back unchanged.
 */
export function putPassword(url: string, password: string): string {
  const raw = (url ?? '').trim();
  if (parseConnectionUrl(raw).kind === 'embedded') throw new BadUrlError('an embedded connection has no password');
  return rewritePassword(raw, password);
}

/** The URL with only `password` as its data password (none when undefined); the URL is known to parse. */
function rewritePassword(raw: string, password: string | undefined): string {
  const encoded = password ? encodeURIComponent(password) : '';
  const shape = shapeOf(raw);
  if (shape.form === 'single') {
    const { main, options } = splitGuideOptions(shape.rest);
    const url = whatwgUrl(raw, shape.scheme, main);
    url.password = encoded;
    url.search = withoutPasswordParam(url.search.slice(1));
    const kept = options.filter(([key]) => key.trim().toLowerCase() !== 'password');
    return url.href + kept.map(([key, value]) => `,${key}=${value}`).join('');
  }
  const parts = splitMultiHost(shape.rest);
  const cred = (parts.user ?? '') + (encoded ? `:${encoded}` : '');
  const query = withoutPasswordParam(parts.query);
  return `${shape.scheme}://${cred ? `${cred}@` : ''}${parts.hosts}${query ? `?${query}` : ''}`;
}

/** A query string without its `password` parameter; the other parameters stay as written. */
function withoutPasswordParam(query: string): string {
  if (!query) return '';
  return query.split('&').filter((pair) => {
    const key = pair.split('=')[0];
    return decodePart(key.replaceAll('+', ' ')).trim().toLowerCase() !== 'password';
  }).join('&');
}

/** `redis://user@host:port/db` without the password. */
export function describeTarget(target: ConnectionTarget): string {
  if (target.kind === 'embedded') return `embedded:${target.name}`;
  const scheme = target.tls ? 'rediss' : 'redis';
  const user = target.username ? `${target.username}@` : '';
  const hostPort = (h: HostPort) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
  if (target.cluster) return `${scheme}+cluster://${user}${target.cluster.seeds.map(hostPort).join(',')}`;
  if (target.sentinel) {
    return `${scheme}+sentinel://${user}${target.sentinel.sentinels.map(hostPort).join(',')}/${encodeURIComponent(target.sentinel.masterName)}/${target.db}`;
  }
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${scheme}://${user}${host}:${target.port}/${target.db}`;
}

// Parses every connection string form users bring: the standard `redis://[user:pass@]host:port/db`, `rediss://`
// (TLS), `?db=N`, the guide's comma forms (`redis://host:port,password=p`, `redis://host:port,db=1`), and
// `embedded` / `embedded://name` for the in-process transport. Never echoes a password in an error.
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

export type ConnectionTarget =
  | { kind: 'embedded'; name: string }
  | {
      kind: 'redis';
      host: string;
      port: number;
      db: number;
      username?: string;
      password?: string;
      tls?: TlsSettings;
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
  const m = /^(rediss?):\/\/(.*)$/i.exec(raw);
  if (!m) throw new BadUrlError(`"${redactUrl(raw)}" is not a redis:// or rediss:// URL`);
  const scheme = m[1].toLowerCase();
  let rest = m[2];
  // The guide's comma options: redis://host:port,password=secret,db=1
  const extras: Record<string, string> = {};
  const comma = rest.indexOf(',');
  if (comma >= 0) {
    for (const part of rest.slice(comma + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new BadUrlError(`bad option "${part.split('=')[0]}" in the connection URL`);
      extras[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1);
    }
    rest = rest.slice(0, comma);
  }
  let url: URL;
  try {
    url = new URL(`${scheme}://${rest}`);
  } catch {
    throw new BadUrlError(`"${redactUrl(raw)}" is not a valid URL`);
  }
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
    .replace(/([,?&]password=)[^,&]*/gi, '$1***');
}

/** `redis://user@host:port/db` without the password. */
export function describeTarget(target: ConnectionTarget): string {
  if (target.kind === 'embedded') return `embedded:${target.name}`;
  const scheme = target.tls ? 'rediss' : 'redis';
  const user = target.username ? `${target.username}@` : '';
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${scheme}://${user}${host}:${target.port}/${target.db}`;
}

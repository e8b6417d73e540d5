// Turns what ioredis and the socket report into the core's named errors, with one clear line each.
import {
  AuthFailedError, BadUrlError, ClosedError, ConnectionRefusedError, RedisCommandError, TimeoutError, TlsError, UCoreError,
} from '../errors';

/** Commands whose arguments hold a password (AUTH pw, HELLO 3 AUTH user pw, ACL SETUSER u >pw, CONFIG SET requirepass pw). */
const SECRET_COMMANDS = new Set(['auth', 'hello', 'acl', 'config', 'migrate']);

/**
 * ioredis attaches the failed command to its ReplyError (`err.command = { name: 'auth', args: [password] }`). The
 * core keeps that error as the `cause` of its own, and anything that logs or inspects the error (console.error,
 * util.inspect, a crash reporter) would print the password. Blank the arguments of such commands in place.
 */
export function scrubSecrets(err: unknown): void {
  for (let e = err as { command?: { name?: unknown; args?: unknown }; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as typeof e, depth++) {
    const c = e.command;
    if (c && typeof c === 'object' && Array.isArray(c.args) && SECRET_COMMANDS.has(String(c.name).toLowerCase())) {
      try {
        c.args = c.args.map(() => '***');
      } catch {
        /* a frozen object: nothing we can do */
      }
    }
  }
}

export function classifyConnectError(err: unknown, where: string): UCoreError {
  scrubSecrets(err);
  if (err instanceof UCoreError) return err;
  const e = err as { code?: string; message?: string } | undefined;
  const code = e?.code ?? '';
  const msg = e?.message ?? String(err);
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) return new ConnectionRefusedError(`connection refused by ${where}`, err);
  // ioredis's Cluster when no seed node answered CLUSTER SLOTS.
  if (/None of startup nodes is available/i.test(msg)) return new ConnectionRefusedError(`no seed node of ${where} could be reached`, err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ConnectionRefusedError(`host not found: ${where}`, err);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new ConnectionRefusedError(`${where} is unreachable`, err);
  if (/WRONGPASS|NOAUTH|invalid username-password|Authentication required|invalid password|NOPERM/i.test(msg)) {
    return new AuthFailedError(`authentication failed at ${where}: ${firstLine(msg).replace(/^(WRONGPASS|NOAUTH|NOPERM)\s*/, '')}`, err);
  }
  if (/DB index is out of range|invalid DB index/i.test(msg)) return new BadUrlError(`database index out of range at ${where}`);
  if (/ETIMEDOUT|timed? ?out/i.test(code + ' ' + msg)) return new TimeoutError(`timed out connecting to ${where}`, err);
  if (/EPROTO|SSL|TLS|certificate|self[- ]signed|wrong version number|ERR_SSL|UNABLE_TO_VERIFY|DEPTH_ZERO|ERR_TLS|socket disconnected before secure/i.test(code + ' ' + msg)) {
    return new TlsError(`TLS handshake with ${where} failed: ${firstLine(msg)}`, err);
  }
  if (/ECONNRESET|EPIPE|Connection is closed|Stream isn't writeable/i.test(code + ' ' + msg)) {
    return new ClosedError(`the connection to ${where} was closed (${firstLine(msg)})`);
  }
  return new RedisCommandError(firstLine(msg), err);
}

export function classifyCommandError(err: unknown, where: string): UCoreError {
  scrubSecrets(err);
  if (err instanceof UCoreError) return err;
  const msg = (err as Error)?.message ?? String(err);
  if (/Command timed out/i.test(msg)) return new TimeoutError(`Redis at ${where} did not answer in time`, err);
  if (/with the command in flight/.test(msg)) {
    return new ClosedError(`the connection to ${where} dropped with the command in flight: it may or may not have been applied`);
  }
  if (/Stream isn't writeable|Connection is closed|enableOfflineQueue|ECONNRESET|EPIPE|MaxRetriesPerRequest/i.test(msg)) {
    // ioredis's own wording ("Stream isn't writeable and enableOfflineQueue options is false") means nothing to users.
    return new ClosedError(`not connected to ${where} (the connection is down; reconnecting)`);
  }
  if (/NOAUTH|WRONGPASS|NOPERM/.test(msg)) return new AuthFailedError(`${firstLine(msg)}`, err);
  return new RedisCommandError(firstLine(msg), err);
}

/** The socket error (refused, TLS, auth) says more than ioredis's later "Connection is closed". */
export function pickMoreSpecific(first: unknown, second: unknown): unknown {
  const generic = (e: unknown) => /Connection is closed|Stream isn't writeable/i.test(String((e as Error)?.message ?? ''));
  if (first && !generic(first)) return first;
  return second ?? first;
}

/** A failed first connect as one error that says what most likely went wrong (TLS on one side only, an untrusted CA). */
export function explainConnectFailure(err: unknown, where: string, o: { tls: boolean; connectTimeoutMs: number }): UCoreError {
  const classified = classifyConnectError(err, where);
  // A plain server never answers a TLS hello: say what the timeout most likely means.
  if (o.tls && classified.code === 'TIMEOUT') {
    return new TlsError(`no TLS handshake from ${where} within ${o.connectTimeoutMs} ms: does that port speak TLS?`);
  }
  // A TLS-only server drops a plain client at its first bytes: say so instead of a bare "connection reset".
  if (!o.tls && classified.code === 'CLOSED') {
    return new ClosedError(`${where} closed the connection before it was ready (${String((err as Error)?.message ?? err).split('\n')[0].slice(0, 200)}): if that port expects TLS, use rediss://`);
  }
  if (classified.code === 'TLS' && /certificate|self[- ]signed|UNABLE_TO_VERIFY|DEPTH_ZERO|altnames|Hostname\/IP/i.test(classified.message)) {
    return new TlsError(`${classified.message} (certificate verification is on: trust the server's CA, or turn verification off explicitly)`, err);
  }
  return classified;
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 300);
}

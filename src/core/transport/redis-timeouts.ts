// Time limits around ioredis calls. ioredis's own connectTimeout ends at the TCP connect and its commandTimeout arms
// one timer per command; the transport needs a limit on a whole step (a ready check, a subscription's confirmation, a
// pipeline of 1000 commands) with a message that says which step, so these wrap a promise instead.
import type { ChainableCommander } from 'ioredis';
import { isClusterClient, type RedisClient } from './redis-clients';

export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Sends a pipeline with one timer for all of it (the caller's withTimeout) instead of ioredis's commandTimeout timer
 * per command: a replay sends 1000 XADDs per pipeline, and 1000 live timers per round trip cost it about a tenth of
 * its CPU, most of it in garbage collection (profile of the replay benchmark). ioredis arms the per-command timer in
 * sendCommand, which Pipeline#exec calls synchronously for every queued command, so the option is only off for
 * this one synchronous call. Commands that wait in the offline queue get their own timer when they are sent. A
 * Cluster client arms no such timer itself (its nodes' options do), so its pipeline is sent as it is.
 */
export function execWithOneTimer(c: RedisClient, p: ChainableCommander): Promise<Array<[Error | null, unknown]> | null> {
  if (isClusterClient(c)) return p.exec();
  const options = c.options;
  const saved = options.commandTimeout;
  options.commandTimeout = undefined;
  try {
    return p.exec();
  } finally {
    options.commandTimeout = saved;
  }
}

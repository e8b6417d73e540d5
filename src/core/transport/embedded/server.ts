// The in-process "Redis" that embedded transports talk to: one keyspace (strings, hashes, streams; TTLs), pub/sub
// and blocked readers, shared by every transport of the server as one Redis is shared by its clients. Commands
// run synchronously when called; after each one the transport calls `afterCommand()` so clients blocked on keys
// it touched are served before anything else runs, as Redis does.
import { RedisCommandError } from '../../errors';
import type { ScanOptions, SetOptions } from '../types';
import { BlockingRegistry } from './blocking';
import { GlobCache } from '../../glob';
import { Keyspace, type HashValue, type StringValue } from './keyspace';
import { PubSubHub } from './pubsub';
import { ERR_NOT_INTEGER, StreamCommands } from './stream-commands';

export interface EmbeddedServerOptions {
  name?: string;
  /** Clock in ms since the epoch (TTLs, stream ids, idle times); tests may pass their own. */
  now?: () => number;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
/** Largest expire time Redis accepts, in ms. */
const MAX_EXPIRE_MS = Number.MAX_SAFE_INTEGER;

function err(message: string): RedisCommandError {
  return new RedisCommandError(message);
}

/** Redis string2ll: an optional '-', no leading zeros, no spaces, within int64. */
function parseInt64(text: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]{0,19})$/.test(text)) return null;
  const v = BigInt(text);
  return v > INT64_MAX || v < INT64_MIN ? null : v;
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(2)}${units[i]}`;
}

export class EmbeddedServer {
  readonly name: string;
  readonly now: () => number;
  readonly keyspace: Keyspace;
  readonly pubsub = new PubSubHub();
  readonly blocking = new BlockingRegistry();
  readonly streams: StreamCommands;
  private readonly globs = new GlobCache();
  private readonly clients = new Set<object>();
  private readonly startedAt = Date.now();
  private commands = 0;
  private peakMemory = 0;

  constructor(options: EmbeddedServerOptions = {}) {
    this.name = options.name ?? 'default';
    this.now = options.now ?? Date.now;
    this.keyspace = new Keyspace(this.now, { onKeyChanged: (key) => this.blocking.signal(key) });
    this.streams = new StreamCommands(this.keyspace, this.now, (key) => this.blocking.signal(key));
  }

  /** Serves clients blocked on keys the last command wrote. */
  afterCommand(): void {
    this.commands++;
    this.blocking.serve();
  }

  clientConnected(client: object): void {
    this.clients.add(client);
  }

  clientDisconnected(client: object): void {
    this.clients.delete(client);
  }

  get connectedClients(): number {
    return this.clients.size;
  }

  /** FLUSHALL: drops every key (subscriptions stay, as in Redis). */
  flushAll(): void {
    this.keyspace.flush();
    this.blocking.serve();
  }

  /** Stops the background expiry sweep; the data stays usable. */
  dispose(): void {
    this.keyspace.dispose();
  }

  // ---- strings and keys ----

  private stringValue(key: string): StringValue | undefined {
    return this.keyspace.getTyped(key, 'string');
  }

  get(key: string): string | null {
    return this.stringValue(key)?.value ?? null;
  }

  set(key: string, value: string, options: SetOptions = {}): boolean {
    let at: number | undefined;
    if (options.ttlSeconds !== undefined) {
      const ttl = options.ttlSeconds;
      if (!Number.isSafeInteger(ttl)) throw err(ERR_NOT_INTEGER);
      if (ttl <= 0 || ttl * 1000 > MAX_EXPIRE_MS - this.now()) throw err("ERR invalid expire time in 'set' command");
      at = this.now() + ttl * 1000;
    }
    if (options.nx && this.keyspace.get(key) !== undefined) return false;
    this.keyspace.put(key, { type: 'string', value: String(value) });
    if (at !== undefined) this.keyspace.expireAt(key, at);
    return true;
  }

  /** `SET key value [NX] [EX ttl] GET`: what the key held (null: nothing); WRONGTYPE, nothing set, for a non-string. */
  setGet(key: string, value: string, options: SetOptions = {}): string | null {
    const old = this.get(key);
    this.set(key, value, options);
    return old;
  }

  del(keys: string[]): number {
    let n = 0;
    for (const key of keys) if (this.keyspace.get(key) !== undefined && this.keyspace.remove(key)) n++;
    return n;
  }

  exists(keys: string[]): number {
    let n = 0;
    for (const key of keys) if (this.keyspace.get(key) !== undefined) n++;
    return n;
  }

  incrBy(key: string, by: number): number {
    if (!Number.isSafeInteger(by)) throw err(ERR_NOT_INTEGER);
    const v = this.stringValue(key);
    let result: bigint;
    if (v) {
      const current = parseInt64(v.value);
      if (current === null) throw err(ERR_NOT_INTEGER);
      result = current + BigInt(by);
    } else {
      result = BigInt(by);
    }
    if (result > INT64_MAX || result < INT64_MIN) throw err('ERR increment or decrement would overflow');
    const text = result.toString();
    if (v) this.keyspace.updateString(v, text);
    else this.keyspace.put(key, { type: 'string', value: text });
    return Number(result);
  }

  expire(key: string, seconds: number): boolean {
    if (!Number.isSafeInteger(seconds)) throw err(ERR_NOT_INTEGER);
    if (seconds * 1000 > MAX_EXPIRE_MS - this.now()) throw err("ERR invalid expire time in 'expire' command");
    if (this.keyspace.get(key) === undefined) return false;
    this.keyspace.expireAt(key, this.now() + seconds * 1000);
    return true;
  }

  ttl(key: string): number {
    if (this.keyspace.get(key) === undefined) return -2;
    const at = this.keyspace.expiryOf(key);
    if (at === undefined) return -1;
    return Math.floor((at - this.now() + 500) / 1000);
  }

  type(key: string): string {
    return this.keyspace.get(key)?.type ?? 'none';
  }

  scan(cursor: string, options: ScanOptions = {}): { cursor: string; keys: string[] } {
    if (!/^[0-9]+$/.test(cursor)) throw err('ERR invalid cursor');
    const count = options.count || 10;
    if (!Number.isSafeInteger(count)) throw err(ERR_NOT_INTEGER);
    if (count < 1) throw err('ERR syntax error');
    // Cursors this server hands out fit in 32 bits; like Redis, any number is accepted.
    const start = Number(BigInt.asUintN(32, BigInt(cursor)));
    const match = options.match === undefined || options.match === '*' ? undefined : this.globs.get(options.match);
    const type = options.type;
    const r = this.keyspace.scan(start, count, (key, v) => (!match || match(key)) && (!type || v.type === type));
    return { cursor: String(r.cursor), keys: r.keys };
  }

  // ---- hashes ----

  hset(key: string, fields: Record<string, string>): number {
    const names = Object.keys(fields);
    if (names.length === 0) return 0;
    let h = this.keyspace.getTyped(key, 'hash');
    if (!h) {
      const created: HashValue = { type: 'hash', map: new Map(), bytes: 0 };
      this.keyspace.put(key, created);
      h = created;
    }
    let added = 0;
    let delta = 0;
    for (const name of names) {
      const value = String(fields[name]);
      const old = h.map.get(name);
      if (old === undefined) {
        added++;
        delta += 80 + name.length + value.length;
      } else {
        delta += value.length - old.length;
      }
      h.map.set(name, value);
    }
    this.keyspace.adjustHashBytes(h, delta);
    return added;
  }

  hsetnx(key: string, field: string, value: string): number {
    if (this.keyspace.getTyped(key, 'hash')?.map.has(field)) return 0;
    return this.hset(key, { [field]: value });
  }

  hgetall(key: string): Record<string, string> {
    const out: Record<string, string> = Object.create(null) as Record<string, string>;
    const h = this.keyspace.getTyped(key, 'hash');
    if (h) for (const [k, v] of h.map) out[k] = v;
    return out;
  }

  hdel(key: string, fields: string[]): number {
    const h = this.keyspace.getTyped(key, 'hash');
    if (!h) return 0;
    let n = 0;
    let delta = 0;
    for (const name of fields) {
      const old = h.map.get(name);
      if (old === undefined) continue;
      h.map.delete(name);
      delta -= 80 + name.length + old.length;
      n++;
    }
    this.keyspace.adjustHashBytes(h, delta);
    if (h.map.size === 0) this.keyspace.remove(key);
    return n;
  }

  // ---- pub/sub introspection ----

  publish(channel: string, message: string): number {
    return this.pubsub.publish(channel, message);
  }

  pubsubChannels(pattern?: string): string[] {
    return this.pubsub.channelNames(pattern === undefined ? undefined : this.globs.get(pattern));
  }

  pubsubNumsub(channels: string[]): Array<{ channel: string; subscribers: number }> {
    return channels.map((channel) => ({ channel, subscribers: this.pubsub.subscriberCount(channel) }));
  }

  pubsubNumpat(): number {
    return this.pubsub.patternCount();
  }

  spublish(channel: string, message: string): number {
    return this.pubsub.spublish(channel, message);
  }

  pubsubShardChannels(pattern?: string): string[] {
    return this.pubsub.shardChannelNames(pattern === undefined ? undefined : this.globs.get(pattern));
  }

  pubsubShardNumsub(channels: string[]): Array<{ channel: string; subscribers: number }> {
    return channels.map((channel) => ({ channel, subscribers: this.pubsub.shardSubscriberCount(channel) }));
  }

  /**
   * WAIT numreplicas timeout: this server has no replicas, so nothing is ever acknowledged. Answers at once where
   * Redis would wait out the timeout; arguments are checked as Redis checks them.
   */
  waitReplicas(replicas: number, timeoutMs: number): number {
    if (!Number.isSafeInteger(replicas)) throw err(ERR_NOT_INTEGER);
    if (!Number.isSafeInteger(timeoutMs)) throw err('ERR timeout is not an integer or out of range');
    if (timeoutMs < 0) throw err('ERR timeout is negative');
    return 0;
  }

  // ---- INFO ----

  usedMemory(): number {
    const bytes = this.keyspace.usedBytes() + this.clients.size * 20_480;
    if (bytes > this.peakMemory) this.peakMemory = bytes;
    return bytes;
  }

  info(section?: string): Record<string, string> {
    const wanted = (section ?? 'default').toLowerCase();
    const all = wanted === 'default' || wanted === 'all' || wanted === 'everything';
    const out: Record<string, string> = Object.create(null) as Record<string, string>;
    const add = (name: string, fields: Record<string, string | number>): void => {
      if (!all && wanted !== name) return;
      for (const [k, v] of Object.entries(fields)) out[k] = String(v);
    };
    const uptime = Math.floor((Date.now() - this.startedAt) / 1000);
    add('server', {
      redis_version: '7.0.0-embedded',
      redis_mode: 'standalone',
      os: `${process.platform} ${process.arch}`,
      arch_bits: 64,
      process_id: process.pid,
      tcp_port: 0,
      uptime_in_seconds: uptime,
      uptime_in_days: Math.floor(uptime / 86_400),
      executable: 'embedded:' + this.name,
    });
    add('clients', {
      connected_clients: this.clients.size,
      blocked_clients: this.blocking.size,
      pubsub_clients: this.pubsub.subscriberClients(),
    });
    const used = this.usedMemory();
    add('memory', {
      used_memory: used,
      used_memory_human: humanBytes(used),
      used_memory_peak: this.peakMemory,
      used_memory_peak_human: humanBytes(this.peakMemory),
      maxmemory: 0,
      maxmemory_policy: 'noeviction',
    });
    add('stats', {
      total_commands_processed: this.commands,
      pubsub_channels: this.pubsub.channelNames().length,
      pubsub_patterns: this.pubsub.patternCount(),
      pubsubshard_channels: this.pubsub.shardChannelCount(),
    });
    const keys = this.keyspace.size;
    // Redis lists only databases that hold keys.
    add('keyspace', keys ? { db0: `keys=${keys},expires=${this.keyspace.expiresCount},avg_ttl=0` } : {});
    return out;
  }
}

const servers = new Map<string, EmbeddedServer>();

/** The process-wide server of this name, created on first use: transports naming it share its data. */
export function getEmbeddedServer(name = 'default'): EmbeddedServer {
  let s = servers.get(name);
  if (!s) {
    s = new EmbeddedServer({ name });
    servers.set(name, s);
  }
  return s;
}

/** Forgets a named server (its data goes when the last transport using it is gone). */
export function releaseEmbeddedServer(name: string): void {
  const s = servers.get(name);
  if (!s) return;
  s.dispose();
  servers.delete(name);
}

// Makes the ioredis clients the Redis transport talks through, with every option in one place: a plain server, a
// master found through Sentinel, or a Cluster; per role (commands, pub/sub, shard pub/sub, blocking reads) what is
// resent, queued and timed out; TLS; the store scripts defined on each client. Which clients exist and what their
// events mean for the transport's status is redis-connections.ts's business.
import type Redis from 'ioredis';
import type { Cluster, ClusterOptions, RedisOptions, Result } from 'ioredis';
import type { Logger } from '../logger';
import { APPEND_INDEXED, READ_BY_INDEX } from './redis-scripts';
import { STORE_APPEND, STORE_INDEX_TAIL } from './store-scripts';
import type { ConnectionTarget } from './url';

declare module 'ioredis' {
  // The store scripts, defined on every client by RedisClientFactory (ioredis's documented way to type defineCommand).
  interface RedisCommander<Context> {
    ucoreAppendIndexed(numKeys: number, ...args: string[]): Result<unknown, Context>;
    ucoreReadByIndex(numKeys: number, ...args: string[]): Result<unknown, Context>;
    ucoreStoreAppend(...args: string[]): Result<unknown, Context>;
    ucoreStoreIndexTail(...args: string[]): Result<unknown, Context>;
  }
}

/** A connection of the transport: one server's client, or on a cluster a Cluster client with a socket per node. */
export type RedisClient = Redis | Cluster;

export function isClusterClient(c: RedisClient): c is Cluster {
  return c.isCluster;
}

/**
 * 'shard': shard subscriptions get a connection of their own off a cluster. ioredis 5 leaves subscriber mode when an
 * unsubscribe reply counts 0 channels of one kind while shard channels of the other remain (redis/ioredis#2196), and
 * the shard messages that follow break its reply queue.
 */
export type Role = 'cmd' | 'sub' | 'shard' | 'block';

export type RedisTarget = Extract<ConnectionTarget, { kind: 'redis' }>;

export interface ClientSettings {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  maxReconnectDelayMs: number;
  queueWhileReconnecting: boolean;
  clientName: string;
}

export interface ClientHooks {
  /** Whether a dropped connection is tried again: not while closing, and not before the first one was ready. */
  mayReconnect(): boolean;
  closing(): boolean;
  /** A client's error (the latest explains a failed connect or a reconnect). */
  onError(err: Error): void;
  /** A cluster node's own error (WRONGPASS, refused, TLS): says more than the cluster's "Failed to refresh slots cache". */
  onNodeError(err: Error): void;
}

// ioredis is loaded on first use, not when this module loads: the extension starts on the embedded connection, and
// initialising ioredis (and its command table) at activation cost VS Code's activation time for nothing.
type IoredisModule = { default: typeof Redis; Cluster: typeof Cluster };
let ioredisModule: IoredisModule | undefined;
function loadIoredis(): IoredisModule {
  // The extension's bundle resolves this to dist/ioredis.js (esbuild.mjs): not even parsed until a client is made.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ioredisModule ??= require('ioredis') as IoredisModule;
  return ioredisModule;
}

export class RedisClientFactory {
  /** `target` is shared with the transport, which adds cluster seeds when a plain URL turns out to reach a cluster. */
  constructor(
    private readonly target: RedisTarget,
    private readonly settings: ClientSettings,
    private readonly hooks: ClientHooks,
    private readonly log: Logger,
  ) {}

  /** A client for `role`, not connected yet (lazyConnect), with the store scripts defined. */
  create(role: Role, clustered: boolean): RedisClient {
    const seeds = clustered ? this.target.cluster?.seeds : undefined;
    const c = seeds ? this.createCluster(role, seeds) : this.createPlain(role);
    c.defineCommand('ucoreAppendIndexed', { lua: APPEND_INDEXED });
    c.defineCommand('ucoreReadByIndex', { lua: READ_BY_INDEX });
    c.defineCommand('ucoreStoreAppend', { lua: STORE_APPEND });
    c.defineCommand('ucoreStoreIndexTail', { lua: STORE_INDEX_TAIL });
    return c;
  }

  /** One direct connection to a cluster node that gives up at the first failure: its socket error says why. */
  probe(host: string, port: number): Redis {
    const RedisClass = loadIoredis().default;
    return new RedisClass({ ...this.baseOptions('cmd'), host, port, db: 0, retryStrategy: () => null, enableReadyCheck: false });
  }

  /** A short-lived plain connection to one sentinel, for SENTINEL queries (topology). */
  sentinelProbe(host: string, port: number): Redis {
    const RedisClass = loadIoredis().default;
    const s = this.target.sentinel;
    return new RedisClass({
      host, port, username: s?.username, password: s?.password, lazyConnect: true, connectTimeout: this.settings.connectTimeoutMs,
      commandTimeout: this.settings.commandTimeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
      tls: this.target.tls ? { rejectUnauthorized: this.target.tls.rejectUnauthorized !== false, ca: this.target.tls.ca } : undefined,
      connectionName: `${this.settings.clientName}:topology`,
    });
  }

  private createPlain(role: Role): Redis {
    const RedisClass = loadIoredis().default;
    const options = this.baseOptions(role);
    const sentinel = this.target.sentinel;
    if (sentinel) {
      delete options.host;
      delete options.port;
      Object.assign(options, this.sentinelOptions(sentinel));
    }
    const c = new RedisClass(options);
    c.on('error', (err: Error) => {
      this.hooks.onError(err);
      this.log.debug(`${role} connection: ${err.message}`);
    });
    if (role !== 'sub' && role !== 'shard') c.on('close', () => failInFlight(c));
    return c;
  }

  /**
   * A Cluster client. Commands in flight on a node that dies fail (retryDelayOnFailover 0), as on one server: they
   * may have been applied, and only the caller knows whether sending them again is safe. MOVED, ASK, TRYAGAIN and
   * CLUSTERDOWN mean "not applied" and are retried by ioredis.
   */
  private createCluster(role: Role, seeds: ReadonlyArray<{ host: string; port: number }>): Cluster {
    const { Cluster: ClusterClass } = loadIoredis();
    const node = this.baseOptions(role);
    delete node.host;
    delete node.port;
    delete node.db;
    delete node.retryStrategy;
    const options: ClusterOptions = {
      redisOptions: node,
      lazyConnect: true,
      enableOfflineQueue: true,
      enableReadyCheck: true,
      // No auto-pipelining: it groups a tick's commands by ioredis's idea of each key's slot, which is wrong for some
      // hostile names (`{}{x}`), and then fails innocent commands of the same tick with MOVED. Batches are pipelined
      // per node by ClusterNodes.batch instead; single commands go alone and follow redirections.
      enableAutoPipelining: false,
      scaleReads: 'master',
      shardedSubscribers: role === 'sub',
      maxRedirections: 16,
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: Math.min(2000, this.settings.commandTimeoutMs),
      clusterRetryStrategy: (times) => this.reconnectDelay(times),
    };
    if (this.target.tls) options.dnsLookup = (address, callback) => callback(null, address);
    const c = new ClusterClass(seeds.map((h) => ({ host: h.host, port: h.port })), options);
    c.on('error', (err: Error) => {
      this.hooks.onError(err);
      this.log.debug(`cluster ${role} client: ${err.message}`);
    });
    c.on('node error', (err: Error, address: string) => {
      this.hooks.onNodeError(err);
      this.log.debug(`cluster ${role} client, node ${address}: ${err.message}`);
    });
    return c;
  }

  /** Capped exponential backoff with jitter (between half and all of the step), or null to stop trying. */
  private reconnectDelay(times: number): number | null {
    if (!this.hooks.mayReconnect()) return null;
    const base = Math.min(this.settings.maxReconnectDelayMs, 50 * 2 ** Math.min(times, 10));
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  private baseOptions(role: Role): RedisOptions {
    const t = this.target;
    const pubsub = role === 'sub' || role === 'shard';
    const o: RedisOptions = {
      host: t.host,
      port: t.port,
      username: t.username,
      password: t.password,
      db: t.db,
      lazyConnect: true,
      connectTimeout: this.settings.connectTimeoutMs,
      commandTimeout: role === 'block' ? undefined : this.settings.commandTimeoutMs,
      // Commands queued while reconnecting (only with queueWhileReconnecting) fail after the second failed attempt.
      maxRetriesPerRequest: pubsub ? null : 1,
      // Commands in flight when the socket dropped are NOT sent again: Redis may have run them already, and a silent
      // second SET NX makes a new event look like a duplicate (the deduplicator would drop it), a second XADD or
      // INCR counts twice. They fail with ClosedError ("may have been applied") at once; see failInFlight.
      autoResendUnfulfilledCommands: pubsub,
      enableOfflineQueue: pubsub ? true : this.settings.queueWhileReconnecting,
      autoResubscribe: true,
      connectionName: `${this.settings.clientName}:${role}`,
      enableReadyCheck: true,
      retryStrategy: (times) => this.reconnectDelay(times),
    };
    if (t.tls) {
      o.tls = {
        rejectUnauthorized: t.tls.rejectUnauthorized !== false,
        ca: t.tls.ca,
        cert: t.tls.cert,
        key: t.tls.key,
        servername: t.tls.servername ?? (isIp(t.host) ? undefined : t.host),
      };
    }
    return o;
  }

  /** ioredis options for Sentinel: where to ask for the master, and how to follow a failover. */
  private sentinelOptions(s: NonNullable<RedisTarget['sentinel']>): Partial<RedisOptions> {
    return {
      sentinels: s.sentinels.map((h) => ({ host: h.host, port: h.port })),
      name: s.masterName,
      sentinelPassword: s.password,
      sentinelUsername: s.username,
      enableTLSForSentinelMode: !!this.target.tls,
      // Subscribe to the sentinels' +switch-master and reconnect at once instead of waiting for the old master's
      // socket to fail: the adapter follows a failover in about a second.
      failoverDetector: true,
      sentinelRetryStrategy: (times: number) => (this.hooks.closing() ? null : Math.min(this.settings.maxReconnectDelayMs, 100 * times)),
      // A demoted master answers writes with READONLY: reconnect (through the sentinels), do not resend.
      reconnectOnError: (err: Error) => (/^READONLY/.test(err.message) ? 1 : false),
    };
  }
}

/**
 * Rejects the commands that were sent on a connection that has just dropped, at once, instead of leaving them to
 * ioredis (which sends them again after the reconnect, or, with autoResendUnfulfilledCommands off, never settles
 * them until the command timeout). Their outcome is unknown: the message says so. ioredis emits 'close' on the next
 * tick after its own close handler, before any reconnect could have replaced the command queue.
 */
function failInFlight(c: Redis): void {
  const queue = c.commandQueue;
  if (!queue || queue.length === 0) return;
  const error = new Error('Connection is closed with the command in flight: it may or may not have been applied');
  for (let item = queue.shift(); item; item = queue.shift()) {
    try {
      item.command.reject(error);
    } catch {
      /* already settled */
    }
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

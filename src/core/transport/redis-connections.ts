// The Redis transport's connections by role, and the one status they add up to. As ioredis advises, commands,
// pub/sub and blocking reads do not share a socket: the command connection is opened by connect(), the subscriber
// (ordinary channels and patterns) and, off a cluster, the shard subscriber on first use; both resubscribe by
// themselves after a reconnect or failover. The transport is 'ready' when the command connection and every
// subscriber it has are. Connecting fails fast with a named error; once the first connection has been ready, the
// clients reconnect forever with capped backoff (redis-clients.ts). Blocking reads get their connections here too, and
// are pooled in redis-blocking-pool.ts.
import type { Cluster } from 'ioredis';
import type { Socket } from 'node:net';
import { BadUrlError, ClosedError, TimeoutError } from '../errors';
import type { Logger } from '../logger';
import { isClusterClient, RedisClientFactory, type ClientSettings, type RedisClient, type RedisTarget } from './redis-clients';
import { classifyConnectError, explainConnectFailure, pickMoreSpecific } from './redis-errors';
import { sliceReads } from './read-slicing';
import { withTimeout } from './redis-timeouts';
import { isClusterNode } from './redis-topology';
import type { ConnectionStatus, PubSubMessage, TopologyMode } from './types';

export interface ConnectionSettings extends ClientSettings {
  /** A plain redis:// URL that reaches a cluster node connects to the whole cluster. */
  detectCluster: boolean;
}

type SubscriberKind = 'sub' | 'shard';

export class RedisConnections {
  readonly clients: RedisClientFactory;
  private cmd: RedisClient | null = null;
  private clustered = false;
  private readonly explicitCluster: boolean;
  private readonly subscribers: Record<SubscriberKind, { client: RedisClient | null; ready: boolean }> = {
    sub: { client: null, ready: false },
    shard: { client: null, ready: false },
  };
  private everReady = false;
  private closing = false;
  private current: ConnectionStatus = 'closed';
  private readonly statusListeners = new Set<(s: ConnectionStatus, detail?: string) => void>();
  private lastError: unknown;
  private lastNodeError: unknown;

  /** `target` is the transport's own copy: connect() adds cluster seeds to it when a plain URL reaches a cluster. */
  constructor(
    private readonly target: RedisTarget,
    private readonly settings: ConnectionSettings,
    private readonly description: string,
    private readonly log: Logger,
    private readonly emit: (m: PubSubMessage) => void,
  ) {
    this.explicitCluster = !!target.cluster;
    this.clients = new RedisClientFactory(target, settings, {
      mayReconnect: () => !this.closing && this.everReady,
      closing: () => this.closing,
      onError: (err) => { this.lastError = err; },
      onNodeError: (err) => { this.lastNodeError = err; },
    }, log);
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Whether the command connection is a Cluster client (false again after a failed connect). */
  get isCluster(): boolean {
    return this.clustered;
  }

  get mode(): TopologyMode {
    if (this.clustered) return 'cluster';
    return this.target.sentinel ? 'sentinel' : 'standalone';
  }

  onStatus(listener: (status: ConnectionStatus, detail?: string) => void): { dispose: () => void } {
    this.statusListeners.add(listener);
    return { dispose: () => this.statusListeners.delete(listener) };
  }

  async connect(): Promise<void> {
    if (this.cmd && this.current !== 'closed') return;
    this.closing = false;
    this.everReady = false;
    this.setStatus('connecting');
    this.clustered = !!this.target.cluster;
    let client = this.createWatched('cmd');
    this.cmd = client;
    try {
      await this.open(client, `timed out connecting to ${this.description}`);
      if (!this.clustered && !this.target.sentinel && this.settings.detectCluster && !isClusterClient(client) && (await isClusterNode(client))) {
        // A cluster node answers only for its own slots: talk to the whole cluster, seeded from this node.
        if (this.target.db) throw new BadUrlError(`${this.description} is a Redis Cluster node: a cluster has only database 0`);
        this.log.info(`${this.description} is a Redis Cluster node: connecting to the cluster`);
        client.disconnect();
        this.target.cluster = { seeds: [{ host: this.target.host, port: this.target.port }] };
        this.clustered = true;
        client = this.createWatched('cmd');
        this.cmd = client;
        await this.open(client, `timed out connecting to the cluster at ${this.description}`);
      }
      // ioredis only logs a failed SELECT; check the db index ourselves so a bad one is a clear error.
      if (this.target.db) await client.select(this.target.db);
    } catch (err) {
      let cause = (this.clustered ? this.lastNodeError : undefined) ?? this.lastError ?? err;
      // ioredis reads the slot map on a throwaway connection and drops its socket error: every seed then just says
      // "Connection is closed.". Ask one seed directly to learn why (TLS verification, plain to a TLS port, ...).
      if (this.clustered && /Connection is closed/i.test(String((cause as Error)?.message))) cause = (await this.probeSeed()) ?? cause;
      this.lastError = undefined;
      this.lastNodeError = undefined;
      client.disconnect();
      this.cmd = null;
      if (this.clustered && this.target.cluster && !this.explicitCluster) delete this.target.cluster;
      this.clustered = false;
      this.setStatus('closed', 'connect failed');
      throw explainConnectFailure(pickMoreSpecific(cause, err), this.description, { tls: !!this.target.tls, connectTimeoutMs: this.settings.connectTimeoutMs });
    }
    this.everReady = true;
    this.refreshStatus();
  }

  /** Closes every connection, those of the blocking pool (`others`) too, politely when they are ready. */
  async close(others: () => RedisClient[]): Promise<void> {
    if (this.closing && this.current === 'closed') return;
    this.closing = true;
    const all = [this.cmd, this.subscribers.sub.client, this.subscribers.shard.client, ...others()].filter((c): c is RedisClient => !!c);
    this.cmd = null;
    for (const s of Object.values(this.subscribers)) {
      s.client = null;
      s.ready = false;
    }
    await Promise.all(all.map(async (c) => {
      try {
        if (c.status === 'ready') await withTimeout(c.quit(), 1000, () => new TimeoutError('quit'));
      } catch {
        /* the socket is going away anyway */
      }
      c.disconnect();
    }));
    this.setStatus('closed');
  }

  /** The command connection; fails with ClosedError when not connected. */
  command(): RedisClient {
    if (!this.cmd || this.closing) throw new ClosedError(`not connected to ${this.description}`);
    return this.cmd;
  }

  /** The command connection's Cluster client: only called where `isCluster` was checked. */
  cluster(): Cluster {
    const c = this.command();
    if (!isClusterClient(c)) throw new ClosedError(`${this.description} is not a cluster (any more)`);
    return c;
  }

  /** Which subscriber serves `kind`: a cluster client keeps shard subscribers of its own per master. */
  private subscriberRole(kind: SubscriberKind): SubscriberKind {
    return kind === 'shard' && !this.clustered ? 'shard' : 'sub';
  }

  hasSubscriber(kind: SubscriberKind): boolean {
    return !!this.subscribers[this.subscriberRole(kind)].client;
  }

  /** The subscriber connection for ordinary channels and patterns, or for shard channels, opened on first use. */
  async subscriber(kind: SubscriberKind): Promise<RedisClient> {
    if (this.closing) throw new ClosedError(`not connected to ${this.description}`);
    const role = this.subscriberRole(kind);
    const slot = this.subscribers[role];
    if (slot.client) return slot.client;
    this.command();
    const s = this.createWatched(role);
    slot.client = s;
    try {
      await this.open(s, `timed out opening the pub/sub connection to ${this.description}`);
    } catch (e) {
      slot.client = null;
      s.disconnect();
      throw classifyConnectError(e, this.description);
    }
    return s;
  }

  /** A new connection for blocking reads (pooled by the caller). */
  async openBlocking(): Promise<RedisClient> {
    this.command();
    const c = this.clients.create('block', this.clustered);
    try {
      await this.open(c, `timed out opening a connection for a blocking read to ${this.description}`);
    } catch (e) {
      c.disconnect();
      throw classifyConnectError(e, this.description);
    }
    return c;
  }

  /** host:port the command connection talks to (the current master under Sentinel); undefined on a cluster. */
  currentAddress(): string | undefined {
    if (!this.cmd || isClusterClient(this.cmd)) return undefined;
    const stream: Socket | undefined = this.cmd.stream;
    if (!stream?.remoteAddress) return undefined;
    const host = stream.remoteAddress.replace(/^::ffff:/, '');
    return `${host.includes(':') ? `[${host}]` : host}:${stream.remotePort}`;
  }

  /** ioredis's connectTimeout ends at the TCP connect; a stalled server would hold the ready check forever. */
  private open(c: RedisClient, timeoutMessage: string): Promise<void> {
    return withTimeout(c.connect(), this.settings.connectTimeoutMs + 500, () => new TimeoutError(timeoutMessage));
  }

  /** A client of `role` whose events drive the status (and, for subscribers, the messages). */
  private createWatched(role: 'cmd' | SubscriberKind): RedisClient {
    const c = this.clients.create(role, this.clustered);
    const refresh = () => this.refreshStatus();
    if (role === 'cmd') {
      const events = isClusterClient(c) ? ['ready', 'reconnecting', 'close', 'end', '+node', '-node'] : ['ready', 'reconnecting', 'close', 'end'];
      for (const event of events) c.on(event, refresh);
      return c;
    }
    const slot = this.subscribers[role];
    c.on('ready', () => { slot.ready = true; refresh(); });
    c.on('close', () => { slot.ready = false; refresh(); });
    c.on('reconnecting', refresh);
    // A subscriber that fell behind reads its backlog in slices, letting the event loop run between them (a new socket
    // per connection: 'connect' comes after ioredis's parser listens on it). A cluster's subscribers are its own.
    if (!isClusterClient(c)) c.on('connect', () => { if (c.stream) sliceReads(c.stream); });
    if (role === 'sub') {
      c.on('message', (channel: string, payload: string) => this.emit({ channel, payload }));
      c.on('pmessage', (pattern: string, channel: string, payload: string) => this.emit({ channel, pattern, payload }));
    }
    if (role === 'shard' || isClusterClient(c)) {
      c.on('smessage', (channel: string, payload: string) => this.emit({ channel, payload, sharded: true }));
    }
    return c;
  }

  /** The socket error of one direct connection to the first seed node, or undefined when it connects. */
  private async probeSeed(): Promise<unknown> {
    const seed = this.target.cluster?.seeds[0];
    if (!seed) return undefined;
    const probe = this.clients.probe(seed.host, seed.port);
    let seen: unknown;
    probe.on('error', (e: Error) => { seen ??= e; });
    try {
      await this.open(probe, `timed out connecting to ${seed.host}:${seed.port}`);
      await probe.ping();
      return undefined;
    } catch (e) {
      return pickMoreSpecific(seen, e);
    } finally {
      probe.disconnect();
    }
  }

  private refreshStatus(): void {
    if (this.closing) return this.setStatus('closed');
    const cmdReady = this.cmd?.status === 'ready';
    const subOk = Object.values(this.subscribers).every((s) => !s.client || s.ready || s.client.status === 'ready');
    if (cmdReady && subOk) return this.setStatus('ready');
    if (this.everReady) return this.setStatus('reconnecting', this.lastError ? String((this.lastError as Error).message ?? '') : undefined);
    this.setStatus('connecting');
  }

  private setStatus(s: ConnectionStatus, detail?: string): void {
    if (s === this.current) return;
    this.current = s;
    this.log.info(`${this.description}: ${s}${detail ? ` (${detail})` : ''}`);
    for (const l of this.statusListeners) {
      try {
        l(s, detail);
      } catch {
        /* a listener's failure is not the transport's */
      }
    }
  }
}

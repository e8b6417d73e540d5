// EmbeddedTransport: the Transport interface over an in-process EmbeddedServer. Several transports on one server
// behave like several clients of one Redis: they share keys, streams and consumer groups, and publish to each
// other. Every call answers asynchronously; blocking reads wait without blocking anything else.
import { ClosedError, RedisCommandError } from '../../errors';
import type {
  AppendIndexedOptions, AutoClaimResult, ClientInfo, ConnectionStatus, ConsumerInfo, Disposable, GroupInfo, IndexedAppend, IndexTailResult, PendingEntry,
  PendingSummary, PubSubMessage, ReadByIndexOptions, ReadGroupOptions, ReadOptions, ScanOptions, SetOptions, StoreAppendItem,
  StoreAppendOptions, StoreAppendResult, StoreLayout, StreamBatch, StreamEntry, StreamFields, StreamInfo, Topology, Transport, XAddOptions,
} from '../types';
import type { Waiter } from './blocking';
import type { Subscriber } from './pubsub';
import { EmbeddedServer, getEmbeddedServer } from './server';
import type { ResolvedRead } from './stream-commands';
import { storeAppend, storeIndexTail } from './store-ops';
import { SubscriptionCounts } from '../subscription-counts';

export interface EmbeddedTransportOptions {
  /** The server to talk to; default: the process-wide server named `name`. */
  server?: EmbeddedServer;
  /** Name of the process-wide server (see getEmbeddedServer); default "default". */
  name?: string;
  /** Called when an onMessage or onStatus listener throws; by default such errors are dropped. */
  onListenerError?: (error: unknown) => void;
}

/** setTimeout's limit; longer blocks wait this long. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface PendingRead {
  cancel(error: Error): void;
}

export class EmbeddedTransport implements Transport, Subscriber {
  readonly kind = 'embedded' as const;
  readonly mode = 'embedded' as const;
  readonly description: string;
  readonly server: EmbeddedServer;
  private state: ConnectionStatus = 'closed';
  private connected = false;
  /** Counts close() calls, so a connect() that a close() overtook can tell. */
  private closeCount = 0;
  private readonly statusListeners: Array<{ fn: (status: ConnectionStatus, detail?: string) => void }> = [];
  private readonly messageListeners: Array<{ fn: (message: PubSubMessage) => void }> = [];
  private readonly channels = new Set<string>();
  private readonly patterns = new Set<string>();
  private readonly shardChannels = new Set<string>();
  private readonly channelHolds = new SubscriptionCounts();
  private readonly patternHolds = new SubscriptionCounts();
  private readonly shardHolds = new SubscriptionCounts();
  private readonly pendingReads = new Set<PendingRead>();
  private readonly onListenerError: ((error: unknown) => void) | undefined;

  constructor(options: EmbeddedTransportOptions = {}) {
    this.server = options.server ?? getEmbeddedServer(options.name ?? 'default');
    this.description = 'embedded:' + (options.name ?? this.server.name);
    this.onListenerError = options.onListenerError;
  }

  get status(): ConnectionStatus {
    return this.state;
  }

  onStatus(listener: (status: ConnectionStatus, detail?: string) => void): Disposable {
    return this.listen(this.statusListeners, listener);
  }

  onMessage(listener: (message: PubSubMessage) => void): Disposable {
    return this.listen(this.messageListeners, listener);
  }

  private listen<F>(list: Array<{ fn: F }>, fn: F): Disposable {
    const entry = { fn };
    list.push(entry);
    return {
      dispose: () => {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  private setStatus(status: ConnectionStatus, detail?: string): void {
    if (this.state === status) return;
    this.state = status;
    for (const { fn } of [...this.statusListeners]) {
      try {
        fn(status, detail);
      } catch (e) {
        this.onListenerError?.(e);
      }
    }
  }

  /** Connects (again, after close()); nothing can fail in-process. */
  async connect(): Promise<void> {
    if (this.connected) return;
    const closes = this.closeCount;
    this.setStatus('connecting');
    await Promise.resolve();
    if (this.closeCount !== closes) throw new ClosedError();
    if (this.connected) return;
    this.connected = true;
    this.server.clientConnected(this);
    this.setStatus('ready');
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.closeCount++;
    this.connected = false;
    const pending = [...this.pendingReads];
    this.pendingReads.clear();
    for (const p of pending) p.cancel(new ClosedError());
    for (const c of this.channels) this.server.pubsub.unsubscribe(this, c);
    for (const p of this.patterns) this.server.pubsub.punsubscribe(this, p);
    for (const c of this.shardChannels) this.server.pubsub.sunsubscribe(this, c);
    this.channels.clear();
    this.patterns.clear();
    this.shardChannels.clear();
    for (const holds of [this.channelHolds, this.patternHolds, this.shardHolds]) holds.clear();
    this.server.pubsub.forget(this);
    this.server.clientDisconnected(this);
    this.setStatus('closed');
  }

  /** Runs one command now, the way a connected client would; errors come back as a rejected promise. */
  private run<T>(command: () => T): Promise<T> {
    if (!this.connected) {
      return Promise.reject(this.closeCount ? new ClosedError() : new ClosedError('not connected'));
    }
    try {
      const result = command();
      this.server.afterCommand();
      return Promise.resolve(result);
    } catch (e) {
      this.server.afterCommand();
      return Promise.reject(e);
    }
  }

  /** A pipeline: every command runs; the first error, if any, rejects the whole batch. */
  private pipeline<I, R>(items: ReadonlyArray<I>, command: (item: I) => R): Promise<R[]> {
    return this.run(() => {
      const results: R[] = [];
      let failure: unknown;
      for (const item of items) {
        try {
          results.push(command(item));
        } catch (e) {
          failure ??= e;
          results.push(undefined as R);
        }
        this.server.afterCommand();
      }
      if (failure !== undefined) throw failure;
      return results;
    });
  }

  ping(): Promise<void> {
    return this.run(() => undefined);
  }

  // ---- pub/sub ----

  /** Called by the server's pub/sub hub with a batch of messages for this client. */
  deliver(messages: PubSubMessage[]): void {
    if (!this.connected) return;
    const listeners = [...this.messageListeners];
    for (const m of messages) {
      for (const { fn } of listeners) {
        try {
          fn(m);
        } catch (e) {
          this.onListenerError?.(e);
        }
      }
      if (!this.connected) return;
    }
  }

  publish(channel: string, message: string): Promise<number> {
    return this.run(() => this.server.publish(channel, message));
  }

  publishBatch(messages: ReadonlyArray<readonly [channel: string, message: string]>): Promise<number[]> {
    return this.run(() => messages.map(([c, m]) => this.server.publish(c, m)));
  }

  // Subscriptions are counted per name (SubscriptionCounts): features sharing this transport hold a name together.
  subscribe(channels: string[]): Promise<void> {
    return this.channelHolds.holdAndRun(channels, (fresh) => this.run(() => {
      for (const c of fresh) if (this.server.pubsub.subscribe(this, c)) this.channels.add(c);
    }));
  }

  unsubscribe(channels: string[]): Promise<void> {
    const gone = this.channelHolds.release(channels);
    return this.run(() => {
      for (const c of gone) {
        this.server.pubsub.unsubscribe(this, c);
        this.channels.delete(c);
      }
    });
  }

  psubscribe(patterns: string[]): Promise<void> {
    return this.patternHolds.holdAndRun(patterns, (fresh) => this.run(() => {
      for (const p of fresh) if (this.server.pubsub.psubscribe(this, p)) this.patterns.add(p);
    }));
  }

  punsubscribe(patterns: string[]): Promise<void> {
    const gone = this.patternHolds.release(patterns);
    return this.run(() => {
      for (const p of gone) {
        this.server.pubsub.punsubscribe(this, p);
        this.patterns.delete(p);
      }
    });
  }

  pubsubChannels(pattern?: string): Promise<string[]> {
    return this.run(() => this.server.pubsubChannels(pattern));
  }

  pubsubNumsub(channels: string[]): Promise<Array<{ channel: string; subscribers: number }>> {
    return this.run(() => this.server.pubsubNumsub(channels));
  }

  pubsubNumpat(): Promise<number> {
    return this.run(() => this.server.pubsubNumpat());
  }

  spublish(channel: string, message: string): Promise<number> {
    return this.run(() => this.server.spublish(channel, message));
  }

  ssubscribe(channels: string[]): Promise<void> {
    return this.shardHolds.holdAndRun(channels, (fresh) => this.run(() => {
      for (const c of fresh) if (this.server.pubsub.ssubscribe(this, c)) this.shardChannels.add(c);
    }));
  }

  sunsubscribe(channels: string[]): Promise<void> {
    const gone = this.shardHolds.release(channels);
    return this.run(() => {
      for (const c of gone) {
        this.server.pubsub.sunsubscribe(this, c);
        this.shardChannels.delete(c);
      }
    });
  }

  pubsubShardChannels(pattern?: string): Promise<string[]> {
    return this.run(() => this.server.pubsubShardChannels(pattern));
  }

  pubsubShardNumsub(channels: string[]): Promise<Array<{ channel: string; subscribers: number }>> {
    return this.run(() => this.server.pubsubShardNumsub(channels));
  }

  // ---- keys ----

  get(key: string): Promise<string | null> {
    return this.run(() => this.server.get(key));
  }

  set(key: string, value: string, options?: SetOptions): Promise<boolean> {
    return this.run(() => this.server.set(key, value, options));
  }

  setNxGet(key: string, value: string, ttlSeconds: number): Promise<string | null> {
    return this.run(() => this.server.setGet(key, value, { nx: true, ttlSeconds }));
  }

  setNxGetBatch(items: ReadonlyArray<readonly [key: string, value: string]>, ttlSeconds: number): Promise<Array<string | null>> {
    return this.pipeline(items, ([key, value]) => this.server.setGet(key, value, { nx: true, ttlSeconds }));
  }

  del(keys: string[]): Promise<number> {
    return this.run(() => this.server.del(keys));
  }

  exists(keys: string[]): Promise<number> {
    return this.run(() => this.server.exists(keys));
  }

  incr(key: string): Promise<number> {
    return this.run(() => this.server.incrBy(key, 1));
  }

  incrBy(key: string, by: number): Promise<number> {
    return this.run(() => this.server.incrBy(key, by));
  }

  async incrByBatch(items: ReadonlyArray<readonly [key: string, by: number]>): Promise<void> {
    await this.pipeline(items, ([key, by]) => this.server.incrBy(key, by));
  }

  expire(key: string, seconds: number): Promise<boolean> {
    return this.run(() => this.server.expire(key, seconds));
  }

  ttl(key: string): Promise<number> {
    return this.run(() => this.server.ttl(key));
  }

  type(key: string): Promise<string> {
    return this.run(() => this.server.type(key));
  }

  scan(cursor: string, options?: ScanOptions): Promise<{ cursor: string; keys: string[] }> {
    return this.run(() => this.server.scan(cursor, options));
  }

  hset(key: string, fields: Record<string, string>): Promise<number> {
    return this.run(() => this.server.hset(key, fields));
  }

  hsetnx(key: string, field: string, value: string): Promise<boolean> {
    return this.run(() => this.server.hsetnx(key, field, value) === 1);
  }

  hgetall(key: string): Promise<Record<string, string>> {
    return this.run(() => this.server.hgetall(key));
  }

  hdel(key: string, fields: string[]): Promise<number> {
    return this.run(() => this.server.hdel(key, fields));
  }

  // ---- streams ----

  xadd(key: string, fields: StreamFields, options?: XAddOptions): Promise<string | null> {
    return this.run(() => this.server.streams.xadd(key, fields, options));
  }

  xaddBatch(items: ReadonlyArray<{ key: string; fields: StreamFields; options?: XAddOptions }>): Promise<Array<string | null>> {
    return this.pipeline(items, (i) => this.server.streams.xadd(i.key, i.fields, i.options));
  }

  xrange(key: string, start: string, end: string, count?: number): Promise<StreamEntry[]> {
    return this.run(() => this.server.streams.xrange(key, start, end, count));
  }

  xrevrange(key: string, end: string, start: string, count?: number): Promise<StreamEntry[]> {
    return this.run(() => this.server.streams.xrevrange(key, end, start, count));
  }

  xlen(key: string): Promise<number> {
    return this.run(() => this.server.streams.xlen(key));
  }

  xtrim(key: string, maxLen: number, approximate?: boolean): Promise<number> {
    return this.run(() => this.server.streams.xtrim(key, maxLen, approximate));
  }

  xdel(key: string, ids: string[]): Promise<number> {
    return this.run(() => this.server.streams.xdel(key, ids));
  }

  xinfoStream(key: string): Promise<StreamInfo | null> {
    return this.run(() => this.server.streams.xinfoStream(key));
  }

  xinfoGroups(key: string): Promise<GroupInfo[]> {
    return this.run(() => this.server.streams.xinfoGroups(key));
  }

  xinfoConsumers(key: string, group: string): Promise<ConsumerInfo[]> {
    return this.run(() => this.server.streams.xinfoConsumers(key, group));
  }

  xgroupCreate(key: string, group: string, startId: string, options?: { mkStream?: boolean }): Promise<void> {
    return this.run(() => this.server.streams.xgroupCreate(key, group, startId, options));
  }

  xgroupDestroy(key: string, group: string): Promise<boolean> {
    return this.run(() => this.server.streams.xgroupDestroy(key, group));
  }

  xgroupSetId(key: string, group: string, id: string): Promise<void> {
    return this.run(() => this.server.streams.xgroupSetId(key, group, id));
  }

  xgroupDelConsumer(key: string, group: string, consumer: string): Promise<number> {
    return this.run(() => this.server.streams.xgroupDelConsumer(key, group, consumer));
  }

  xreadgroup(options: ReadGroupOptions): Promise<StreamBatch[] | null> {
    const streams = this.server.streams;
    let reads: ResolvedRead[] = [];
    return this.blockingRead(
      options.blockMs,
      () => {
        reads = streams.prepareReadGroup(options);
        return streams.readGroup(options, reads);
      },
      () => reads.map((r) => r.key),
      (key) => {
        const error = streams.blockedGroupError(key, options.group);
        if (error) throw error;
        // Like Redis, a blocked reader woken by one key is served from that key.
        return streams.readGroup(options, reads.filter((r) => r.key === key));
      },
    );
  }

  xread(options: ReadOptions): Promise<StreamBatch[] | null> {
    const streams = this.server.streams;
    let reads: ResolvedRead[] = [];
    return this.blockingRead(
      options.blockMs,
      () => {
        reads = streams.prepareRead(options.streams, options.count);
        return streams.read(reads, options.count);
      },
      () => reads.map((r) => r.key),
      (key) => streams.read(reads.filter((r) => r.key === key), options.count),
    );
  }

  /**
   * Runs a read now; when it finds nothing and `blockMs` > 0, waits for writes to its keys (retrying on each)
   * until it is served, fails, times out (null) or the transport closes (ClosedError). The wait is registered
   * before this returns, so a write issued right after the call (even in the same tick) wakes it, as in Redis.
   */
  private blockingRead<T>(
    blockMs: number | undefined,
    first: () => T | null,
    keys: () => string[],
    retry: (key: string) => T | null,
  ): Promise<T | null> {
    if (!this.connected) return this.run(() => null);
    let result: T | null;
    try {
      if (blockMs !== undefined) {
        if (!Number.isSafeInteger(blockMs)) throw new RedisCommandError('ERR timeout is not an integer or out of range');
        if (blockMs < 0) throw new RedisCommandError('ERR timeout is negative');
      }
      result = first();
    } catch (e) {
      this.server.afterCommand();
      return Promise.reject(e);
    }
    this.server.afterCommand();
    if (result !== null || !blockMs) return Promise.resolve(result);
    return new Promise<T | null>((resolve, reject) => {
      const blocking = this.server.blocking;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        blocking.remove(waiter);
        this.pendingReads.delete(pending);
      };
      const waiter: Waiter = {
        keys: keys(),
        retry: (key) => {
          try {
            const r = retry(key);
            if (r === null) return false;
            finish();
            resolve(r);
          } catch (e) {
            finish();
            reject(e);
          }
          return true;
        },
      };
      const pending: PendingRead = {
        cancel: (error) => {
          finish();
          reject(error);
        },
      };
      timer = setTimeout(() => {
        finish();
        resolve(null);
      }, Math.min(blockMs, MAX_TIMER_MS));
      this.pendingReads.add(pending);
      blocking.add(waiter);
    });
  }

  xack(key: string, group: string, ids: string[]): Promise<number> {
    return this.run(() => this.server.streams.xack(key, group, ids));
  }

  xpendingSummary(key: string, group: string): Promise<PendingSummary> {
    return this.run(() => this.server.streams.xpendingSummary(key, group));
  }

  xpendingRange(
    key: string, group: string,
    options: { start?: string; end?: string; count: number; consumer?: string; minIdleMs?: number },
  ): Promise<PendingEntry[]> {
    return this.run(() => this.server.streams.xpendingRange(key, group, options));
  }

  xclaim(key: string, group: string, consumer: string, minIdleMs: number, ids: string[]): Promise<StreamEntry[]> {
    return this.run(() => this.server.streams.xclaim(key, group, consumer, minIdleMs, ids));
  }

  xautoclaim(key: string, group: string, consumer: string, minIdleMs: number, start: string, count: number): Promise<AutoClaimResult> {
    return this.run(() => this.server.streams.xautoclaim(key, group, consumer, minIdleMs, start, count));
  }

  appendIndexed(items: ReadonlyArray<IndexedAppend>, options: AppendIndexedOptions = {}): Promise<string[]> {
    const publish = options.publish;
    if (!publish) return this.run(() => this.server.streams.appendIndexed(items));
    return this.run(() => {
      // Item by item, as the Redis script does: each one is stored, then published.
      const ids: string[] = [];
      for (const item of items) {
        ids.push(this.server.streams.appendIndexed([item])[0]);
        const message = item.fields[publish.field];
        if (typeof message === 'string') this.server.publish(publish.channel, message);
      }
      return ids;
    });
  }

  storeAppend(stream: string, layout: StoreLayout, items: ReadonlyArray<StoreAppendItem>, options: StoreAppendOptions): Promise<StoreAppendResult> {
    return this.run(() => storeAppend(this.server, stream, layout, items, options));
  }

  storeIndexTail(stream: string, layout: StoreLayout, budget: number): Promise<IndexTailResult> {
    return this.run(() => storeIndexTail(this.server, stream, layout, budget));
  }

  readByIndex(stream: string, indexKey: string, options: ReadByIndexOptions): Promise<StreamEntry[]> {
    return this.run(() => this.server.streams.readByIndex(stream, indexKey, options));
  }

  info(section?: string): Promise<Record<string, string>> {
    return this.run(() => this.server.info(section));
  }

  /** One in-process node: a master without slots or replicas, named after its server. */
  topology(): Promise<Topology> {
    return this.run(() => {
      const address = 'embedded:' + this.server.name;
      return { mode: this.mode, nodes: [{ id: address, address, role: 'master', slots: [], state: 'ok', current: true }] };
    });
  }

  /** In-process callers are not connections: nobody to list. */
  clientList(): Promise<ClientInfo[]> {
    return this.run(() => []);
  }

  /** There are no replicas to wait for; `key` only picks a node on a cluster. */
  waitReplicas(_key: string, replicas: number, timeoutMs: number): Promise<number> {
    return this.run(() => this.server.waitReplicas(replicas, timeoutMs));
  }
}

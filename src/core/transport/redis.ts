// The Redis implementation of the transport, on ioredis: one server, a master found through Sentinel, or a Redis
// Cluster (ioredis's Cluster client; a plain redis:// URL that reaches a cluster node switches to it). This class maps
// the Transport interface onto Redis commands; the machinery is in files of its own, after ioredis's own layout:
//   redis-clients.ts        the ioredis clients and their options (plain, Sentinel, Cluster; per role; the scripts)
//   redis-connections.ts    the connections by role (commands, pub/sub, shard pub/sub) and the status they add up to
//   redis-blocking-pool.ts  connections for blocking stream reads, so a BLOCKed XREADGROUP never delays other calls
//   redis-write-corking.ts  the commands of one tick leave in few socket writes
//   redis-cluster-nodes.ts  what a cluster does differently (batches that span slots, SCAN and PUBSUB over every node,
//                           WAIT on the right node), with the arithmetic in redis-cluster-ops.ts
//   redis-store-ops.ts      the store scripts' arguments and replies; redis-replies.ts the other commands'
import { BadInputError, ClosedError, TimeoutError, UCoreError } from '../errors';
import { type Logger, silentLogger } from '../logger';
import type { ChainableCommander } from 'ioredis';
import { BlockingReadPool } from './redis-blocking-pool';
import type { RedisClient, RedisTarget } from './redis-clients';
import { aggregateInfo, mergeCountReplies, groupBySlot, pairsToCounts, unionReplies } from './redis-cluster-ops';
import { ClusterNodes, ioredisAgreesOnSlot } from './redis-cluster-nodes';
import { RedisConnections } from './redis-connections';
import { flatReplies } from './redis-loop-script';
import { countsOf, expandRuns, oneChannelCalls, oneChannelOf, publishLoop, publishOneChannelLoop, scriptCalls } from './redis-publish-batch';
import { setNxGetCalls, setNxGetLoop } from './redis-set-nx-get-batch';
import { xaddCalls, xaddLoop } from './redis-xadd-batch';
import { cutBySize, FRAMING_CHARS } from './redis-write-size';
import { classifyCommandError } from './redis-errors';
import {
  fieldsToArgs, parseInfo, singleField, toBatches, toConsumerInfos, toEntries, toEntriesFlat, toFieldBytesEntries, toGroupInfos, toPendingEntries, toPendingSummary,
  toStreamInfo, xaddArgs, parseClientList,
} from './redis-replies';
import { appendIndexedCall, copiesIfCurrent, indexTailCall, storeAppendCall, toIndexTailResult, toStoreAppendResult } from './redis-store-ops';
import { execWithOneTimer, withTimeout } from './redis-timeouts';
import { readClusterTopology, readSentinelTopology, replicationNodes } from './redis-topology';
import { WriteCorking } from './redis-write-corking';
import { SubscriptionCounts } from './subscription-counts';
import type {
  ClientInfo,
  AppendIndexedOptions, AutoClaimResult, ConnectionStatus, ConsumerInfo, Disposable, FieldBytesEntry, GroupInfo, IndexedAppend, IndexTailResult, PendingEntry,
  PendingSummary, PubSubMessage, StoreAppendItem, StoreAppendOptions, StoreAppendResult, StoreLayout, ReadByIndexOptions, ReadGroupOptions, ReadOptions, ScanOptions, SetOptions, StreamBatch, StreamEntry, StreamFields,
  StreamInfo, Topology, TopologyMode, Transport, XAddOptions,
} from './types';
import { describeTarget, parseConnectionUrl, type TlsSettings } from './url';

export interface RedisTransportOptions {
  /** `redis://`, `rediss://` or the guide's forms; see url.ts. */
  url: string;
  /** Overrides the URL's password (the extension passes it from SecretStorage). */
  password?: string;
  /** Overrides the URL's ACL user. */
  username?: string;
  /** TLS settings; a `rediss://` URL turns TLS on with verification. */
  tls?: TlsSettings | boolean;
  /** Give up connecting after this long. @default 5000 */
  connectTimeoutMs?: number;
  /** A command that gets no answer within this long fails with TimeoutError. @default 10000 */
  commandTimeoutMs?: number;
  /** Longest wait between reconnect attempts (jittered between half and all of it). Keeps the time from a server's
   *  restart to resubscribed pub/sub under 2 s whatever the outage's length. @default 1000 */
  maxReconnectDelayMs?: number;
  /** Queue commands while reconnecting instead of failing them at once. @default false (UI calls fail fast) */
  queueWhileReconnecting?: boolean;
  /** Name shown by CLIENT LIST. @default 'ucore' */
  clientName?: string;
  /** A plain redis:// URL that reaches a cluster node connects to the whole cluster. @default true */
  detectCluster?: boolean;
  logger?: Logger;
}

const DEFAULTS = {
  connectTimeoutMs: 5000,
  commandTimeoutMs: 10000,
  maxReconnectDelayMs: 1000,
  queueWhileReconnecting: false,
  clientName: 'ucore',
  detectCluster: true,
};

export class RedisTransport implements Transport {
  readonly kind = 'redis' as const;
  readonly description: string;
  private readonly target: RedisTarget;
  private readonly opts: typeof DEFAULTS & Omit<RedisTransportOptions, keyof typeof DEFAULTS>;
  private readonly log: Logger;
  private readonly connections: RedisConnections;
  private readonly blocking: BlockingReadPool;
  private readonly clusterNodes: ClusterNodes;
  private readonly corking = new WriteCorking();
  private readonly messageListeners = new Set<(m: PubSubMessage) => void>();

  constructor(options: RedisTransportOptions) {
    const parsed = parseConnectionUrl(options.url);
    if (parsed.kind !== 'redis') throw new UCoreError('BAD_URL', 'RedisTransport needs a redis:// or rediss:// URL');
    this.target = { ...parsed };
    if (options.password !== undefined) this.target.password = options.password;
    if (options.username !== undefined) this.target.username = options.username;
    if (options.tls === true) this.target.tls = { ...(this.target.tls ?? {}) };
    else if (options.tls && typeof options.tls === 'object') this.target.tls = { ...(this.target.tls ?? {}), ...options.tls };
    else if (options.tls === false) delete this.target.tls;
    this.opts = { ...options, ...DEFAULTS, ...stripUndefined(options) };
    this.log = options.logger ?? silentLogger;
    this.description = describeTarget(this.target);
    if (this.target.tls && this.target.tls.rejectUnauthorized === false) {
      this.log.warn(`${this.description}: TLS certificate verification is OFF (rejectUnauthorized: false); the server's identity is not checked`);
    }
    this.connections = new RedisConnections(this.target, this.opts, this.description, this.log, (m) => this.emitMessage(m));
    this.blocking = new BlockingReadPool(this.connections, this.description, this.opts.commandTimeoutMs);
    this.clusterNodes = new ClusterNodes(() => this.connections.cluster(), this.description, this.opts.commandTimeoutMs);
  }

  /** Printing a transport (util.inspect, as the console does) shows where it points, never its password (held in several fields). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisTransport { ${this.description} (${this.status}) }`;
  }

  toJSON(): { kind: 'redis'; description: string; status: ConnectionStatus } {
    return { kind: this.kind, description: this.description, status: this.status };
  }

  get status(): ConnectionStatus {
    return this.connections.status;
  }

  get mode(): TopologyMode {
    return this.connections.mode;
  }

  onStatus(listener: (status: ConnectionStatus, detail?: string) => void): Disposable {
    return this.connections.onStatus(listener);
  }

  onMessage(listener: (message: PubSubMessage) => void): Disposable {
    this.messageListeners.add(listener);
    return { dispose: () => this.messageListeners.delete(listener) };
  }

  connect(): Promise<void> {
    return this.connections.connect();
  }

  close(): Promise<void> {
    // The subscriber connections go with it: a later connect() starts with no subscriptions.
    for (const holds of [this.channelHolds, this.patternHolds, this.shardHolds]) holds.clear();
    return this.connections.close(() => this.blocking.drain());
  }

  async ping(): Promise<void> {
    await this.run((c) => c.ping());
  }

  // ---------------------------------------------------------------- pub/sub

  async publish(channel: string, message: string): Promise<number> {
    return this.run((c) => c.publish(channel, message));
  }

  async publishBatch(messages: ReadonlyArray<readonly [string, string]>): Promise<number[]> {
    if (messages.length === 0) return [];
    if (this.publishByScript) {
      const counts = await this.publishByScriptCalls(messages);
      if (counts) return counts;
    }
    // A cluster forwards PUBLISH to every node whichever node gets it: no slots to respect.
    return this.pipelineInParts(messages, ([ch, m]) => ch.length + m.length, (p, [ch, m]) => p.publish(ch, m)) as Promise<number[]>;
  }

  private readonly channelHolds = new SubscriptionCounts();
  private readonly patternHolds = new SubscriptionCounts();
  private readonly shardHolds = new SubscriptionCounts();

  /** Cleared when the server refuses the publish script to this user: the pipeline is used from then on. */
  private publishByScript = true;

  /** The batch as EVALSHA calls of a PUBLISH loop (redis-publish-batch.ts); null when scripts are refused. */
  private async publishByScriptCalls(messages: ReadonlyArray<readonly [string, string]>): Promise<number[] | null> {
    // On a cluster every call of the batch on one node, so the messages keep their order across the bus; while no
    // node serves that slot (a failover), the pipeline, which any node takes.
    const client = this.clustered ? this.clusterNodes.nodeForKeyIfServed(messages[0][0]) : this.connections.command();
    if (!client) return null;
    try {
      const channel = oneChannelOf(messages);
      const settled = channel === null
        ? await publishLoop.run(client, scriptCalls(messages))
        : await publishOneChannelLoop.run(client, oneChannelCalls(channel, messages)).then((r) => r && expandRuns(r));
      if (!settled) {
        this.publishByScript = false;
        this.log.info(`${this.description} refuses the publish script to this user: batches are published as pipelines`);
        return null;
      }
      return countsOf(settled);
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
  }

  async spublish(channel: string, message: string): Promise<number> {
    return Number(await this.run((c) => c.call('SPUBLISH', channel, message)));
  }

  async ssubscribe(channels: string[]): Promise<void> {
    if (this.clustered) {
      const misrouted = channels.find((ch) => !ioredisAgreesOnSlot(ch));
      // ioredis would send it to the wrong master and wait for an answer that never comes.
      if (misrouted !== undefined) throw new BadInputError(`cannot subscribe to shard channel "${misrouted.slice(0, 80)}" on a cluster: ioredis computes a different hash slot for this name than Redis does`);
    }
    // One SSUBSCRIBE per channel: on a cluster the channels of one call must share a slot.
    await this.shardHolds.holdAndRun(channels, async (fresh) => {
      for (const ch of fresh) await this.runSub((s) => s.ssubscribe(ch), 'shard');
    });
  }

  async sunsubscribe(channels: string[]): Promise<void> {
    const gone = this.shardHolds.release(channels);
    if (!this.connections.hasSubscriber('shard')) return;
    for (const ch of gone) await this.runSub((s) => s.sunsubscribe(ch), 'shard');
  }

  async pubsubShardChannels(pattern?: string): Promise<string[]> {
    const args = pattern === undefined ? ['SHARDCHANNELS'] : ['SHARDCHANNELS', pattern];
    if (!this.clustered) return (await this.run((c) => c.call('PUBSUB', ...args))) as string[];
    return unionReplies(await this.clusterNodes.onEveryNode('master', (n) => n.call('PUBSUB', ...args)));
  }

  async pubsubShardNumsub(channels: string[]): Promise<Array<{ channel: string; subscribers: number }>> {
    if (channels.length === 0) return [];
    if (!this.clustered) return pairsToCounts((await this.run((c) => c.call('PUBSUB', 'SHARDNUMSUB', ...channels))) as unknown[]);
    return mergeCountReplies(channels, await this.clusterNodes.onEveryNode('master', (n) => n.call('PUBSUB', 'SHARDNUMSUB', ...channels)));
  }

  // Subscriptions are counted per name (SubscriptionCounts): features sharing this transport hold a name together.
  async subscribe(channels: string[]): Promise<void> {
    await this.channelHolds.holdAndRun(channels, (fresh) => this.runSub((s) => s.subscribe(...fresh)));
  }

  async unsubscribe(channels: string[]): Promise<void> {
    const gone = this.channelHolds.release(channels);
    if (gone.length && this.connections.hasSubscriber('sub')) await this.runSub((s) => s.unsubscribe(...gone));
  }

  async psubscribe(patterns: string[]): Promise<void> {
    await this.patternHolds.holdAndRun(patterns, (fresh) => this.runSub((s) => s.psubscribe(...fresh)));
  }

  async punsubscribe(patterns: string[]): Promise<void> {
    const gone = this.patternHolds.release(patterns);
    if (gone.length && this.connections.hasSubscriber('sub')) await this.runSub((s) => s.punsubscribe(...gone));
  }

  // On a cluster a node only knows the subscribers connected to it: ask every node (replicas too, clients may
  // subscribe there) and add up.
  async pubsubChannels(pattern?: string): Promise<string[]> {
    const args = pattern === undefined ? ['CHANNELS'] : ['CHANNELS', pattern];
    if (!this.clustered) return (await this.run((c) => c.call('PUBSUB', ...args))) as string[];
    return unionReplies(await this.clusterNodes.onEveryNode('all', (n) => n.call('PUBSUB', ...args)));
  }

  async pubsubNumsub(channels: string[]): Promise<Array<{ channel: string; subscribers: number }>> {
    if (channels.length === 0) return [];
    if (!this.clustered) return pairsToCounts((await this.run((c) => c.call('PUBSUB', 'NUMSUB', ...channels))) as unknown[]);
    return mergeCountReplies(channels, await this.clusterNodes.onEveryNode('all', (n) => n.call('PUBSUB', 'NUMSUB', ...channels)));
  }

  async pubsubNumpat(): Promise<number> {
    if (!this.clustered) return Number(await this.run((c) => c.call('PUBSUB', 'NUMPAT')));
    const counts = await this.clusterNodes.onEveryNode('all', (n) => n.call('PUBSUB', 'NUMPAT'));
    return counts.reduce<number>((a, n) => a + Number(n), 0);
  }

  // ---------------------------------------------------------------- keys

  get(key: string): Promise<string | null> {
    return this.run((c) => c.get(key));
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<boolean> {
    const args: Array<string | number> = [key, value];
    if (options.ttlSeconds !== undefined) args.push('EX', options.ttlSeconds);
    if (options.nx) args.push('NX');
    const r = await this.run((c) => c.call('SET', ...args));
    return r === 'OK';
  }

  async setNxGet(key: string, value: string, ttlSeconds: number): Promise<string | null> {
    const r = await this.orByScript(() => this.run((c) => c.call(...this.setNxGetCommand(key, value, ttlSeconds))));
    return r === null ? null : String(r);
  }

  async setNxGetBatch(items: ReadonlyArray<readonly [key: string, value: string]>, ttlSeconds: number): Promise<Array<string | null>> {
    if (items.length === 0) return [];
    if (this.marksByScript && !this.clustered) {
      const olds = await this.setNxGetByScriptCalls(items, ttlSeconds);
      if (olds) return olds;
    }
    const results = await this.orByScript(() => (this.clustered
      ? this.clusterNodes.batch(items, ([k]) => k, ([k, v]) => this.setNxGetCommand(k, v, ttlSeconds))
      : this.pipeline((p) => { for (const [k, v] of items) p.call(...this.setNxGetCommand(k, v, ttlSeconds)); })));
    return results.map((r) => (r === null ? null : String(r)));
  }

  /** Cleared when the server refuses the marks loop script to this user: the pipeline is used from then on. */
  private marksByScript = true;

  /** The batch as EVALSHA calls of a GET-then-SET loop (redis-set-nx-get-batch.ts); null when scripts are refused. */
  private async setNxGetByScriptCalls(items: ReadonlyArray<readonly [key: string, value: string]>, ttlSeconds: number): Promise<Array<string | null> | null> {
    try {
      const settled = await setNxGetLoop.run(this.connections.command(), setNxGetCalls(items, ttlSeconds));
      if (!settled) {
        this.marksByScript = false;
        this.log.info(`${this.description} refuses the dedup marks script to this user: marks are sent as pipelines`);
        return null;
      }
      return flatReplies(settled).map((r) => (r === null ? null : String(r)));
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
  }

  /** Set once a server refused `SET … NX GET` (before Redis 7.0: "syntax error"); the Lua form is sent from then on. */
  private setNxGetByScript = false;

  private setNxGetCommand(key: string, value: string, ttlSeconds: number): [string, ...Array<string | number>] {
    if (!this.setNxGetByScript) return ['SET', key, value, 'EX', ttlSeconds, 'NX', 'GET'];
    const lua = "local old = redis.call('GET', KEYS[1]) if old then return old end redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return false";
    return ['EVAL', lua, 1, key, value, ttlSeconds];
  }

  /** Sends again in the Lua form when the server refused NX with GET: a refused SET set nothing, so this is safe. */
  private async orByScript<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      if (this.setNxGetByScript || !(e instanceof UCoreError && e.code === 'REDIS') || !/syntax error/i.test(e.message)) throw e;
      this.setNxGetByScript = true;
      return send();
    }
  }

  async del(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (!this.clustered) return this.run((c) => c.del(...keys));
    return sum(await this.clusterNodes.batch(keys, (k) => k, (k) => ['DEL', k]));
  }

  async exists(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (!this.clustered) return this.run((c) => c.exists(...keys));
    return sum(await this.clusterNodes.batch(keys, (k) => k, (k) => ['EXISTS', k]));
  }

  incr(key: string): Promise<number> {
    return this.run((c) => c.incr(key));
  }

  incrBy(key: string, by: number): Promise<number> {
    return this.run((c) => c.incrby(key, by));
  }

  async incrByBatch(items: ReadonlyArray<readonly [string, number]>): Promise<void> {
    if (items.length === 0) return;
    if (this.clustered) await this.clusterNodes.batch(items, ([k]) => k, ([k, by]) => ['INCRBY', k, by]);
    else await this.pipeline((p) => { for (const [k, by] of items) p.incrby(k, by); });
  }

  async expire(key: string, seconds: number): Promise<boolean> {
    return (await this.run((c) => c.expire(key, seconds))) === 1;
  }

  ttl(key: string): Promise<number> {
    return this.run((c) => c.ttl(key));
  }

  type(key: string): Promise<string> {
    return this.run((c) => c.type(key));
  }

  async scan(cursor: string, options: ScanOptions = {}): Promise<{ cursor: string; keys: string[] }> {
    const args: Array<string | number> = [];
    if (options.match) args.push('MATCH', options.match);
    if (options.count) args.push('COUNT', options.count);
    if (options.type) args.push('TYPE', options.type);
    if (this.clustered) return this.clusterNodes.scan(cursor, args);
    const [next, keys] = (await this.run((c) => c.call('SCAN', cursor, ...args))) as [string, string[]];
    return { cursor: String(next), keys };
  }

  hset(key: string, fields: Record<string, string>): Promise<number> {
    const args = fieldsToArgs(fields);
    return args.length ? this.run((c) => c.hset(key, ...args)) : Promise.resolve(0);
  }

  async hsetnx(key: string, field: string, value: string): Promise<boolean> {
    return (await this.run((c) => c.hsetnx(key, field, value))) === 1;
  }

  async hgetall(key: string): Promise<Record<string, string>> {
    const flat = (await this.run((c) => c.call('HGETALL', key))) as string[];
    const out: Record<string, string> = Object.create(null);
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
    return out;
  }

  hdel(key: string, fields: string[]): Promise<number> {
    return fields.length ? this.run((c) => c.hdel(key, ...fields)) : Promise.resolve(0);
  }

  // ---------------------------------------------------------------- streams

  async xadd(key: string, fields: StreamFields, options: XAddOptions = {}): Promise<string | null> {
    return (await this.run((c) => c.call('XADD', ...xaddArgs(key, fields, options)))) as string | null;
  }

  async xaddBatch(items: ReadonlyArray<{ key: string; fields: StreamFields; options?: XAddOptions }>): Promise<Array<string | null>> {
    if (items.length === 0) return [];
    if (this.xaddByScript && !this.clustered) {
      const ids = await this.xaddByScriptCalls(items);
      if (ids) return ids;
    }
    if (this.clustered) return (await this.clusterNodes.batch(items, (it) => it.key, (it) => ['XADD', ...xaddArgs(it.key, it.fields, it.options ?? {})])) as Array<string | null>;
    return (await this.pipelineInParts(items, (it) => it.key.length + fieldChars(it.fields), (p, it) => {
      // The common entry, one field and no options (the store's and replay's `event`), without the argument arrays.
      const o = it.options;
      const single = o === undefined || (o.id === undefined && o.maxLen === undefined && !o.noMkStream) ? singleField(it.fields) : undefined;
      if (single !== undefined) p.xadd(it.key, '*', single, it.fields[single]);
      else p.call('XADD', ...xaddArgs(it.key, it.fields, o ?? {}));
    })) as Array<string | null>;
  }

  /** Cleared when the server refuses the XADD loop script to this user: the pipeline is used from then on. */
  private xaddByScript = true;

  /**
   * One stream, one field of the same name and no options on every item (replay to a stream, import, a fixture): the
   * batch as EVALSHA calls of an XADD loop (redis-xadd-batch.ts). Null when the batch is not of that form or scripts
   * are refused (nothing was written): the caller pipelines it. Not on a cluster, whose batch path follows MOVED.
   */
  private async xaddByScriptCalls(items: ReadonlyArray<{ key: string; fields: StreamFields; options?: XAddOptions }>): Promise<Array<string | null> | null> {
    const key = items[0].key;
    const field = plainField(items[0]);
    if (field === undefined) return null;
    const values = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it.key !== key || plainField(it) !== field) return null;
      values[i] = it.fields[field] as string;
    }
    try {
      const settled = await xaddLoop.run(this.connections.command(), xaddCalls(key, field, values));
      if (!settled) {
        this.xaddByScript = false;
        this.log.info(`${this.description} refuses the XADD loop script to this user: stream batches are sent as pipelines`);
        return null;
      }
      return flatReplies(settled) as Array<string | null>;
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
  }

  async xrange(key: string, start: string, end: string, count?: number): Promise<StreamEntry[]> {
    const args: Array<string | number> = [key, start, end];
    if (count !== undefined) args.push('COUNT', count);
    return toEntries(await this.run((c) => c.call('XRANGE', ...args)));
  }

  async xrangeField(key: string, start: string, end: string, count: number, field: string): Promise<FieldBytesEntry[]> {
    return toFieldBytesEntries(await this.run((c) => c.xrangeBuffer(key, start, end, 'COUNT', count)), field);
  }

  async xrevrange(key: string, end: string, start: string, count?: number): Promise<StreamEntry[]> {
    const args: Array<string | number> = [key, end, start];
    if (count !== undefined) args.push('COUNT', count);
    return toEntries(await this.run((c) => c.call('XREVRANGE', ...args)));
  }

  xlen(key: string): Promise<number> {
    return this.run((c) => c.xlen(key));
  }

  async xtrim(key: string, maxLen: number, approximate = false): Promise<number> {
    const args = approximate ? [key, 'MAXLEN', '~', maxLen] : [key, 'MAXLEN', maxLen];
    return Number(await this.run((c) => c.call('XTRIM', ...args)));
  }

  xdel(key: string, ids: string[]): Promise<number> {
    return ids.length ? this.run((c) => c.xdel(key, ...ids)) : Promise.resolve(0);
  }

  async xinfoStream(key: string): Promise<StreamInfo | null> {
    try {
      return toStreamInfo(await this.run((c) => c.call('XINFO', 'STREAM', key)));
    } catch (e) {
      if (e instanceof UCoreError && /no such key/i.test(e.message)) return null;
      throw e;
    }
  }

  async xinfoGroups(key: string): Promise<GroupInfo[]> {
    return toGroupInfos(await this.run((c) => c.call('XINFO', 'GROUPS', key)));
  }

  async xinfoConsumers(key: string, group: string): Promise<ConsumerInfo[]> {
    return toConsumerInfos(await this.run((c) => c.call('XINFO', 'CONSUMERS', key, group)));
  }

  async xgroupCreate(key: string, group: string, startId: string, options: { mkStream?: boolean } = {}): Promise<void> {
    const args = ['CREATE', key, group, startId];
    if (options.mkStream) args.push('MKSTREAM');
    await this.run((c) => c.call('XGROUP', ...args));
  }

  async xgroupDestroy(key: string, group: string): Promise<boolean> {
    return Number(await this.run((c) => c.call('XGROUP', 'DESTROY', key, group))) === 1;
  }

  async xgroupSetId(key: string, group: string, id: string): Promise<void> {
    await this.run((c) => c.call('XGROUP', 'SETID', key, group, id));
  }

  async xgroupDelConsumer(key: string, group: string, consumer: string): Promise<number> {
    return Number(await this.run((c) => c.call('XGROUP', 'DELCONSUMER', key, group, consumer)));
  }

  async xreadgroup(o: ReadGroupOptions): Promise<StreamBatch[] | null> {
    const args: Array<string | number> = ['GROUP', o.group, o.consumer];
    if (o.count !== undefined) args.push('COUNT', o.count);
    if (o.blockMs) args.push('BLOCK', o.blockMs);
    if (o.noAck) args.push('NOACK');
    args.push('STREAMS', ...o.streams.map((s) => s.key), ...o.streams.map((s) => s.id));
    const raw = o.blockMs ? await this.blocking.run('XREADGROUP', args, o.blockMs) : await this.run((c) => c.call('XREADGROUP', ...args));
    return toBatches(raw);
  }

  async xread(o: ReadOptions): Promise<StreamBatch[] | null> {
    const args: Array<string | number> = [];
    if (o.count !== undefined) args.push('COUNT', o.count);
    if (o.blockMs) args.push('BLOCK', o.blockMs);
    args.push('STREAMS', ...o.streams.map((s) => s.key), ...o.streams.map((s) => s.id));
    const raw = o.blockMs ? await this.blocking.run('XREAD', args, o.blockMs) : await this.run((c) => c.call('XREAD', ...args));
    return toBatches(raw);
  }

  xack(key: string, group: string, ids: string[]): Promise<number> {
    return ids.length ? this.run((c) => c.xack(key, group, ...ids)) : Promise.resolve(0);
  }

  async xpendingSummary(key: string, group: string): Promise<PendingSummary> {
    return toPendingSummary(await this.run((c) => c.call('XPENDING', key, group)));
  }

  async xpendingRange(
    key: string, group: string, o: { start?: string; end?: string; count: number; consumer?: string; minIdleMs?: number },
  ): Promise<PendingEntry[]> {
    const args: Array<string | number> = [key, group];
    if (o.minIdleMs !== undefined) args.push('IDLE', o.minIdleMs);
    args.push(o.start ?? '-', o.end ?? '+', o.count);
    if (o.consumer) args.push(o.consumer);
    return toPendingEntries(await this.run((c) => c.call('XPENDING', ...args)));
  }

  async xclaim(key: string, group: string, consumer: string, minIdleMs: number, ids: string[]): Promise<StreamEntry[]> {
    if (ids.length === 0) return [];
    return toEntries(await this.run((c) => c.call('XCLAIM', key, group, consumer, minIdleMs, ...ids)));
  }

  async xautoclaim(key: string, group: string, consumer: string, minIdleMs: number, start: string, count: number): Promise<AutoClaimResult> {
    const r = (await this.run((c) => c.call('XAUTOCLAIM', key, group, consumer, minIdleMs, start, 'COUNT', count))) as unknown[];
    return {
      nextStart: String(r[0]),
      entries: toEntries(r[1]),
      deletedIds: Array.isArray(r[2]) ? (r[2] as unknown[]).map(String) : [],
    };
  }

  // ---------------------------------------------------------------- atomic store operations

  async appendIndexed(items: ReadonlyArray<IndexedAppend>, options: AppendIndexedOptions = {}): Promise<string[]> {
    if (items.length === 0) return [];
    if (this.clustered) {
      // A script touches one slot: one call per slot the items' streams (and their hash-tagged indexes) live in, all
      // in flight at once, each keeping its items' order.
      const groups = groupBySlot(items, (it) => it.stream);
      if (groups.length > 1) {
        const out = new Array<string>(items.length);
        await Promise.all(groups.map(async (g) => {
          const ids = await this.appendIndexedOneSlot(g.items, options);
          g.positions.forEach((pos, k) => { out[pos] = ids[k]; });
        }));
        return out;
      }
    }
    return this.appendIndexedOneSlot(items, options);
  }

  private async appendIndexedOneSlot(items: ReadonlyArray<IndexedAppend>, options: AppendIndexedOptions): Promise<string[]> {
    const { keys, argv } = appendIndexedCall(items, options);
    const r = await this.run((c) => c.ucoreAppendIndexed(keys.length, ...keys, ...argv), false);
    return (r as unknown[]).map(String);
  }

  /** Not retried here: the store decides, with its producer sequence making a resend harmless. */
  async storeAppend(stream: string, layout: StoreLayout, items: ReadonlyArray<StoreAppendItem>, options: StoreAppendOptions): Promise<StoreAppendResult> {
    const args = storeAppendCall(stream, layout, items, options);
    return toStoreAppendResult(await this.run((c) => c.ucoreStoreAppend(...args), false));
  }

  async storeIndexTail(stream: string, layout: StoreLayout, budget: number): Promise<IndexTailResult> {
    const args = indexTailCall(stream, layout, budget);
    return toIndexTailResult(await this.run((c) => c.ucoreStoreIndexTail(...args), false));
  }

  async readByIndex(stream: string, indexKey: string, o: ReadByIndexOptions): Promise<StreamEntry[]> {
    const count = Math.max(1, Math.min(o.count ?? 10_000, 10_000));
    if (o.copies) {
      const copies = await this.readCopies(stream, indexKey, o, count);
      if (copies) return copies;
    }
    const r = await this.run((c) => c.ucoreReadByIndex(
      2, stream, indexKey, o.start ?? '-', o.end ?? '+', String(count), o.reverse ? '1' : '0', o.copies ? '1' : '0',
    ));
    return toEntriesFlat(r);
  }


  /**
   * The common case of an index of copies, without the script: one round trip of XINFO STREAM (first entry,
   * max-deleted-entry-id) and an XRANGE of the index; copiesIfCurrent says whether that range is the answer, or null
   * (the script decides entry by entry). Saves the script's Redis time (1.4 → 0.6 ms for 1000 events of a 1M-event
   * store).
   */
  private async readCopies(stream: string, indexKey: string, o: ReadByIndexOptions, count: number): Promise<StreamEntry[] | null> {
    const c = this.connections.command();
    const start = o.start ?? '-';
    const end = o.end ?? '+';
    const p = c.pipeline();
    p.call('XINFO', 'STREAM', stream);
    if (o.reverse) p.call('XREVRANGE', indexKey, end, start, 'COUNT', count);
    else p.call('XRANGE', indexKey, start, end, 'COUNT', count);
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await withTimeout(execWithOneTimer(c, p), this.opts.commandTimeoutMs, () => new TimeoutError(`Redis at ${this.description} did not answer in time`));
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
    if (!results || results[0][0] || results[1][0]) return null;
    return copiesIfCurrent(results[0][1], results[1][1], !!o.reverse);
  }

  async info(section?: string): Promise<Record<string, string>> {
    if (this.clustered) {
      const texts = await this.clusterNodes.onEveryNode('master', (n) => (section ? n.info(section) : n.info()));
      return aggregateInfo(texts.map((t) => parseInfo(String(t))));
    }
    const text = (await this.run((c) => (section ? c.info(section) : c.info()))) as string;
    return parseInfo(text);
  }

  async clientList(): Promise<ClientInfo[]> {
    const texts = this.clustered
      ? await this.clusterNodes.onEveryNode('master', (n) => n.call('CLIENT', 'LIST'))
      : [await this.run((c) => c.call('CLIENT', 'LIST'))];
    return texts.flatMap((t) => parseClientList(String(t)));
  }

  async topology(): Promise<Topology> {
    if (this.clustered) {
      const [nodesText, infoText] = await Promise.all([
        this.run((c) => c.call('CLUSTER', 'NODES')),
        this.run((c) => c.call('CLUSTER', 'INFO')),
      ]);
      return readClusterTopology(String(nodesText), String(infoText));
    }
    const current = this.connections.currentAddress();
    if (this.target.sentinel) return readSentinelTopology(this.target, current, () => (host, port) => this.connections.clients.sentinelProbe(host, port), this.opts.commandTimeoutMs);
    const replication = parseInfo(String(await this.run((c) => c.info('replication'))));
    return { mode: 'standalone', nodes: replicationNodes(replication, current) };
  }

  async waitReplicas(key: string, replicas: number, timeoutMs: number): Promise<number> {
    // WAIT counts the writes made on the connection it is sent on: on a cluster, the socket to the key's master.
    const node = this.clustered ? this.clusterNodes.nodeForKey(key) : this.connections.command();
    try {
      return Number(await withTimeout(node.call('WAIT', replicas, timeoutMs), timeoutMs + this.opts.commandTimeoutMs, () => new TimeoutError(`Redis at ${this.description} did not answer WAIT in time`)));
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
  }

  // ---------------------------------------------------------------- plumbing

  private get clustered(): boolean {
    return this.connections.isCluster;
  }

  /** Runs one command on the command connection; `coalesce: false` for big commands that gain nothing from waiting. */
  private async run<T>(fn: (c: RedisClient) => Promise<T>, coalesce = true): Promise<T> {
    const c = this.connections.command();
    if (coalesce) this.corking.beforeCommand(c);
    try {
      return await fn(c);
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
  }

  private async pipeline(fill: (p: ChainableCommander) => void): Promise<unknown[]> {
    const c = this.connections.command();
    const p = c.pipeline();
    fill(p);
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await withTimeout(execWithOneTimer(c, p), this.opts.commandTimeoutMs, () => new TimeoutError(`Redis at ${this.description} did not answer in time`));
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
    if (!results) throw new ClosedError(`not connected to ${this.description}`);
    const values = new Array<unknown>(results.length);
    for (let i = 0; i < results.length; i++) {
      const [err, value] = results[i];
      if (err) throw classifyCommandError(err, this.description);
      values[i] = value;
    }
    return values;
  }

  /**
   * One pipeline cut into writes of about WRITE_CHARS (redis-write-size.ts), all sent at once on the command
   * connection, so in order; values in order, or the first failed command's error once every part has answered.
   */
  private async pipelineInParts<I>(items: ReadonlyArray<I>, charsOf: (item: I) => number, add: (p: ChainableCommander, item: I) => void): Promise<unknown[]> {
    const parts = cutBySize(items, (it) => charsOf(it) + 4 * FRAMING_CHARS);
    const settled = await Promise.allSettled(parts.map((part) => this.pipeline((p) => { for (const it of part) add(p, it); })));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.flatMap((s) => (s as PromiseFulfilledResult<unknown[]>).value);
  }

  private async runSub(fn: (s: RedisClient) => Promise<unknown>, kind: 'sub' | 'shard' = 'sub'): Promise<void> {
    const s = await this.connections.subscriber(kind);
    try {
      await withTimeout(fn(s), this.opts.commandTimeoutMs, () => new TimeoutError(`Redis at ${this.description} did not confirm the subscription in time`));
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
  }

  private emitMessage(m: PubSubMessage): void {
    for (const l of this.messageListeners) {
      try {
        l(m);
      } catch (e) {
        this.log.error(`message listener failed: ${(e as Error).message}`);
      }
    }
  }
}

/** The one field of an entry sent without options ('*' id, no trimming), or undefined. */
function plainField(it: { fields: StreamFields; options?: XAddOptions }): string | undefined {
  const o = it.options;
  if (o !== undefined && (o.id !== undefined || o.maxLen !== undefined || o.noMkStream)) return undefined;
  const f = singleField(it.fields);
  return f !== undefined && typeof it.fields[f] === 'string' ? f : undefined;
}

/** Characters of a stream entry's field names and values. */
function fieldChars(fields: StreamFields): number {
  let n = 0;
  for (const k in fields) n += k.length + fields[k].length;
  return n;
}

function sum(values: unknown[]): number {
  return values.reduce<number>((a, v) => a + Number(v), 0);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

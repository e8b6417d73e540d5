// The one interface the event core talks to. Two implementations: `RedisTransport` (ioredis) and
// `EmbeddedTransport` (in-process, nothing installed). Both must pass test/core/transport-contract.test.ts.
// Semantics follow the Redis commands named in each method's comment; where Redis returns an error, so do both
// (as a RedisCommandError whose message starts with the Redis error code, e.g. "BUSYGROUP ...", "NOGROUP ...").

export type ConnectionStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface Disposable { dispose(): void }

/** Field/value pairs of a stream entry. Objects are created with a null prototype: keys come from other people. */
export type StreamFields = Record<string, string>;

export interface StreamEntry {
  id: string;
  fields: StreamFields;
}

/** A stream entry with the bytes of one of its fields (null when the entry has no such field). */
export interface FieldBytesEntry {
  id: string;
  value: Buffer | null;
}

export interface PubSubMessage {
  channel: string;
  /** The pattern that matched, for messages received through psubscribe. */
  pattern?: string;
  payload: string;
  /** Received through SSUBSCRIBE (a shard channel, Redis 7). */
  sharded?: boolean;
}

/** How a transport reaches its data: one server, a Redis Cluster, a master found through Sentinel, or in-process. */
export type TopologyMode = 'standalone' | 'cluster' | 'sentinel' | 'embedded';

export interface TopologyNode {
  /** Cluster node id; `host:port` elsewhere. */
  id: string;
  /** `host:port` as the node announces it. */
  address: string;
  role: 'master' | 'replica' | 'sentinel';
  /** For a replica: the id of its master. */
  masterId?: string;
  /** Hash-slot ranges a cluster master serves, inclusive ([[0, 5460]]); empty elsewhere. */
  slots: Array<[number, number]>;
  /** `ok`, or what the cluster/sentinel says is wrong (`fail`, `pfail`, `down`, `handshake`, `noaddr`, `disconnected`). */
  state: string;
  /** This transport's own connection reaches its data through this node (standalone/sentinel master). */
  current?: boolean;
}

export interface Topology {
  mode: TopologyMode;
  nodes: TopologyNode[];
  /** `CLUSTER INFO` cluster_state (`ok` / `fail`) on a cluster. */
  clusterState?: string;
  /** The Sentinel master name. */
  masterName?: string;
}

export interface XAddOptions {
  /** Explicit id; default `*`. */
  id?: string;
  /** Trim to about this many entries (`MAXLEN ~ n`), or exactly when `exactTrim` is set. */
  maxLen?: number;
  exactTrim?: boolean;
  /** Fail instead of creating the stream (`NOMKSTREAM`): returns null. */
  noMkStream?: boolean;
}

export interface StreamInfo {
  length: number;
  lastGeneratedId: string;
  groups: number;
  firstEntry: StreamEntry | null;
  lastEntry: StreamEntry | null;
}

export interface GroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  /** `entries-read` (Redis 7+); null when unknown. */
  entriesRead: number | null;
  /** Entries not yet delivered to the group (Redis 7+ `lag`); null when Redis cannot tell. */
  lag: number | null;
}

export interface ConsumerInfo {
  name: string;
  pending: number;
  /** ms since the consumer last tried to read. */
  idleMs: number;
  /** ms since the last successful read (Redis 7.2+); null when unknown. */
  inactiveMs: number | null;
}

export interface PendingSummary {
  count: number;
  minId: string | null;
  maxId: string | null;
  consumers: Array<{ name: string; count: number }>;
}

export interface PendingEntry {
  id: string;
  consumer: string;
  idleMs: number;
  deliveries: number;
}

export interface ReadGroupOptions {
  group: string;
  consumer: string;
  /** Stream keys with the id to read after; `>` for new entries, `0` for this consumer's pending ones. */
  streams: Array<{ key: string; id: string }>;
  count?: number;
  /** Block up to this long when nothing is there; 0 or undefined: do not block. */
  blockMs?: number;
  noAck?: boolean;
}

export interface ReadOptions {
  streams: Array<{ key: string; id: string }>;
  count?: number;
  blockMs?: number;
}

export interface StreamBatch {
  key: string;
  entries: StreamEntry[];
}

export interface AutoClaimResult {
  nextStart: string;
  entries: StreamEntry[];
  deletedIds: string[];
}

export interface ScanOptions {
  match?: string;
  /** Redis type filter (`TYPE stream`). */
  type?: 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';
  count?: number;
}

/** One event to append to the store: the stream entry plus the index streams that point at it. */
export interface IndexedAppend {
  stream: string;
  fields: StreamFields;
  /** Index streams that get an entry with the same id as the new stream entry, pointing at it (e.g. per type). */
  indexKeys: string[];
  /**
   * Index streams that get a copy of the entry (same id, same fields), e.g. per entity: read back with
   * `readByIndex(…, { copies: true })` without looking each entry up in the stream, at the price of storing it twice.
   */
  copyKeys?: string[];
  maxLen?: number;
}

export interface ReadByIndexOptions {
  start?: string;
  end?: string;
  count?: number;
  reverse?: boolean;
  /**
   * The index holds copies written through `copyKeys` (and maybe pointers written before): a copy is returned as it
   * is unless its entry may be gone from the stream (trimmed, or at or before the stream's latest deletion), which is
   * then checked as for a pointer. Same result, without a lookup per entry.
   */
  copies?: boolean;
}

/** Where a store keeps what it writes beside a stream (see store/index-keys.ts `indexBase`). */
export interface StoreLayout {
  /** Prefix of the stream's index keys, watermark and producer state, e.g. `event_store:idx:`. */
  base: string;
  /** The entry field holding the event as JSON text (`event`). */
  field: string;
}

/** One event of a store append: its fields and the index streams it goes into when the stream's indexes are in order. */
export interface StoreAppendItem {
  fields: StreamFields;
  /** Index streams that get a pointer entry with the new entry's id (per type). */
  indexKeys: string[];
  /** Index streams that get a copy of the entry (per entity). */
  copyKeys: string[];
}

export interface StoreAppendOptions {
  /** PUBLISH each item's event field on this channel in the same step. */
  publishChannel?: string;
  /** `MAXLEN ~` on each XADD. */
  maxLen?: number;
  /**
   * The producer and this batch's sequence: a batch whose sequence the stream has already applied for this producer
   * is not written again; its first ids come back (`duplicate: true`). Sequences rise (gaps allowed).
   */
  producer?: { id: string; sequence: number; ttlMs: number; remember: number };
  /**
   * Entries of an unindexed tail (other apps' appends) to index first, so this batch can be indexed in order.
   * -1: the store keeps no indexes; the batch is appended without them and the watermark is left alone.
   */
  catchUpBudget: number;
}

export interface StoreAppendResult {
  ids: string[];
  /** The batch had been applied before (a retry after a lost reply): nothing was written now. */
  duplicate: boolean;
  /** The batch's index entries were written now (else the stream had an unindexed tail: indexing it covers them). */
  indexed: boolean;
}

export interface IndexTailResult {
  /** Entries that went into at least one index. */
  indexed: number;
  /** Entries without an `event` field holding a JSON object. */
  malformed: number;
  /** Entries whose event has neither an indexable event_type nor entity_id. */
  without: number;
  /** The last entry id the indexes cover now; null when none is. */
  watermark: string | null;
  /** Nothing left after the watermark. */
  done: boolean;
}

export interface AppendIndexedOptions {
  /**
   * Also PUBLISH each item's `field` value on `channel`, in the same step as its append (the store's `events`
   * channel): subscribers see events in stream order, and the text is not sent to Redis a second time.
   */
  publish?: { channel: string; field: string };
}

/** One connection as `CLIENT LIST` shows it (the fields flows need). */
export interface ClientInfo {
  id: string;
  addr: string;
  /** `CLIENT SETNAME`; '' when unnamed. */
  name: string;
  /** Channels, patterns and shard channels it is subscribed to. */
  sub: number;
  psub: number;
  ssub: number;
  /** The last command it ran, e.g. `xreadgroup`, `subscribe`. */
  cmd: string;
  /** Seconds since the connection was made, and since it last ran a command. */
  age: number;
  idle: number;
}

export interface SetOptions {
  ttlSeconds?: number;
  /** Only set when absent (`NX`). */
  nx?: boolean;
}

export interface Transport {
  readonly kind: 'redis' | 'embedded';
  /** Known once connected (a plain redis:// URL that points at a cluster node becomes 'cluster'). */
  readonly mode: TopologyMode;
  readonly status: ConnectionStatus;
  /** A short, password-free description of where this transport points (for logs and the UI). */
  readonly description: string;

  onStatus(listener: (status: ConnectionStatus, detail?: string) => void): Disposable;
  /** Resolves once ready; rejects with a UCoreError (refused, auth, timeout, TLS, bad db) otherwise. */
  connect(): Promise<void>;
  /** Closes every connection; pending calls reject with ClosedError. Idempotent. */
  close(): Promise<void>;
  ping(): Promise<void>;

  // ---- pub/sub (a connection of its own; resubscribes after a reconnect by itself) ----
  // Subscriptions are held, not set: features share a transport, so each (s|p)subscribe of a name is one holder and
  // the name is unsubscribed when as many (s|p)unsubscribes have come (SubscriptionCounts). Unsubscribing a name
  // nobody holds does nothing.
  publish(channel: string, message: string): Promise<number>;
  /** Pipelined PUBLISH; resolves with each receiver count in order. */
  publishBatch(messages: ReadonlyArray<readonly [channel: string, message: string]>): Promise<number[]>;
  subscribe(channels: string[]): Promise<void>;
  unsubscribe(channels: string[]): Promise<void>;
  psubscribe(patterns: string[]): Promise<void>;
  punsubscribe(patterns: string[]): Promise<void>;
  onMessage(listener: (message: PubSubMessage) => void): Disposable;
  /** `PUBSUB CHANNELS [pattern]` */
  pubsubChannels(pattern?: string): Promise<string[]>;
  /** `PUBSUB NUMSUB ...` */
  pubsubNumsub(channels: string[]): Promise<Array<{ channel: string; subscribers: number }>>;
  /** `PUBSUB NUMPAT` */
  pubsubNumpat(): Promise<number>;
  /** `SPUBLISH`: a shard channel (Redis 7); on a cluster it reaches only the subscribers of the channel's shard. */
  spublish(channel: string, message: string): Promise<number>;
  /** `SSUBSCRIBE`; messages arrive through onMessage with `sharded: true`. Resubscribes after a reconnect/failover. */
  ssubscribe(channels: string[]): Promise<void>;
  sunsubscribe(channels: string[]): Promise<void>;
  /** `PUBSUB SHARDCHANNELS [pattern]`, over every master of a cluster. */
  pubsubShardChannels(pattern?: string): Promise<string[]>;
  /** `PUBSUB SHARDNUMSUB ...` */
  pubsubShardNumsub(channels: string[]): Promise<Array<{ channel: string; subscribers: number }>>;

  // ---- keys ----
  get(key: string): Promise<string | null>;
  /** `SET key value [NX] [EX ttl]`: true when set. */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  /**
   * `SET key value NX EX ttl GET` (Redis 7): sets the key when it is absent and returns what it held before, null when
   * this call set it. A mark with a token: a re-send after a lost reply that finds its own value knows the key is its
   * own. Servers older than 7.0 refuse NX with GET; there the same is done by a Lua script (atomic, same replies).
   */
  setNxGet(key: string, value: string, ttlSeconds: number): Promise<string | null>;
  /** `setNxGet` for many keys, each with its own value, pipelined: one round trip (one per master on a cluster). */
  setNxGetBatch(items: ReadonlyArray<readonly [key: string, value: string]>, ttlSeconds: number): Promise<Array<string | null>>;
  del(keys: string[]): Promise<number>;
  exists(keys: string[]): Promise<number>;
  incr(key: string): Promise<number>;
  incrBy(key: string, by: number): Promise<number>;
  /** Pipelined INCRBY of several keys. */
  incrByBatch(items: ReadonlyArray<readonly [key: string, by: number]>): Promise<void>;
  expire(key: string, seconds: number): Promise<boolean>;
  /** `TTL`: -2 missing, -1 no expiry. */
  ttl(key: string): Promise<number>;
  type(key: string): Promise<string>;
  /** One `SCAN` step. Cursor "0" starts and, when returned, ends the iteration. */
  scan(cursor: string, options?: ScanOptions): Promise<{ cursor: string; keys: string[] }>;
  hset(key: string, fields: Record<string, string>): Promise<number>;
  hgetall(key: string): Promise<Record<string, string>>;
  /** `HSETNX`: sets the field only when the hash lacks it; true when this call set it (a claim). */
  hsetnx(key: string, field: string, value: string): Promise<boolean>;
  hdel(key: string, fields: string[]): Promise<number>;

  // ---- streams ----
  /** `XADD`; null only with noMkStream on a missing stream. */
  xadd(key: string, fields: StreamFields, options?: XAddOptions): Promise<string | null>;
  /** Pipelined XADDs, one round trip; ids in order. */
  xaddBatch(items: ReadonlyArray<{ key: string; fields: StreamFields; options?: XAddOptions }>): Promise<Array<string | null>>;
  /** `XRANGE key start end [COUNT n]`; start/end accept `-`, `+`, `(id` (exclusive) and ms-only ids. */
  xrange(key: string, start: string, end: string, count?: number): Promise<StreamEntry[]>;
  /**
   * `XRANGE` read as bytes, keeping only one field's value (the last if it repeats): readers that look at a few
   * fields of each event (flow mining) skip decoding every text. Optional: without it, read with xrange.
   */
  xrangeField?(key: string, start: string, end: string, count: number, field: string): Promise<FieldBytesEntry[]>;
  /** `XREVRANGE key end start [COUNT n]` */
  xrevrange(key: string, end: string, start: string, count?: number): Promise<StreamEntry[]>;
  xlen(key: string): Promise<number>;
  /** `XTRIM key MAXLEN [~] n`: entries removed. */
  xtrim(key: string, maxLen: number, approximate?: boolean): Promise<number>;
  xdel(key: string, ids: string[]): Promise<number>;
  /** `XINFO STREAM`; null when the key is missing. */
  xinfoStream(key: string): Promise<StreamInfo | null>;
  xinfoGroups(key: string): Promise<GroupInfo[]>;
  xinfoConsumers(key: string, group: string): Promise<ConsumerInfo[]>;
  /** `XGROUP CREATE key group id [MKSTREAM]`; rejects with "BUSYGROUP ..." when it exists. */
  xgroupCreate(key: string, group: string, startId: string, options?: { mkStream?: boolean }): Promise<void>;
  xgroupDestroy(key: string, group: string): Promise<boolean>;
  /** `XGROUP SETID` */
  xgroupSetId(key: string, group: string, id: string): Promise<void>;
  xgroupDelConsumer(key: string, group: string, consumer: string): Promise<number>;
  /** `XREADGROUP`; a blocking read runs on a connection of its own. null on timeout. */
  xreadgroup(options: ReadGroupOptions): Promise<StreamBatch[] | null>;
  /** `XREAD`; a blocking read runs on a connection of its own. null on timeout. */
  xread(options: ReadOptions): Promise<StreamBatch[] | null>;
  xack(key: string, group: string, ids: string[]): Promise<number>;
  xpendingSummary(key: string, group: string): Promise<PendingSummary>;
  /** `XPENDING key group [IDLE ms] start end count [consumer]` */
  xpendingRange(key: string, group: string, options: { start?: string; end?: string; count: number; consumer?: string; minIdleMs?: number }): Promise<PendingEntry[]>;
  /** `XCLAIM key group consumer min-idle id...`: the entries now owned by `consumer`. */
  xclaim(key: string, group: string, consumer: string, minIdleMs: number, ids: string[]): Promise<StreamEntry[]>;
  /** `XAUTOCLAIM key group consumer min-idle start COUNT n` */
  xautoclaim(key: string, group: string, consumer: string, minIdleMs: number, start: string, count: number): Promise<AutoClaimResult>;

  // ---- atomic operations the store needs (Lua scripts on Redis, native in the embedded transport) ----
  /** Appends each item and its index entries atomically (all or nothing per item), one round trip for the batch. */
  appendIndexed(items: ReadonlyArray<IndexedAppend>, options?: AppendIndexedOptions): Promise<string[]>;
  /**
   * Reads the entries of `stream` whose ids the index stream holds, in id order, within [start, end]
   * (XRANGE syntax), at most `count`; `reverse` gives newest first. Ids whose entry was trimmed are skipped.
   * Cost grows with the index's size, not the stream's.
   */
  readByIndex(stream: string, indexKey: string, options: ReadByIndexOptions): Promise<StreamEntry[]>;
  /**
   * Appends a batch to one stream of the event store atomically: exactly once per producer sequence, its index entries
   * only while the stream's indexes are complete up to its last entry (after indexing up to `catchUpBudget` entries
   * of an unindexed tail), the watermark moved past it, each event published when asked.
   */
  storeAppend(stream: string, layout: StoreLayout, items: ReadonlyArray<StoreAppendItem>, options: StoreAppendOptions): Promise<StoreAppendResult>;
  /** Indexes up to `budget` entries of the stream after its watermark (entries other apps appended), atomically. */
  storeIndexTail(stream: string, layout: StoreLayout, budget: number): Promise<IndexTailResult>;

  /**
   * `INFO section` parsed into key/value pairs (server, memory, clients, keyspace). On a cluster: every master's,
   * with counts (keys, memory, clients, commands) summed and the rest taken from the first master.
   */
  info(section?: string): Promise<Record<string, string>>;

  /** Nodes, roles and slot ranges behind this transport. */
  topology(): Promise<Topology>;
  /** `CLIENT LIST` (every master's on a cluster): who is connected, by name. The embedded transport has none. */
  clientList(): Promise<ClientInfo[]>;
  /**
   * `WAIT replicas timeout` on the connection that wrote `key` (its slot's master on a cluster): how many replicas
   * have acknowledged every write made on it so far. 0 at once where there are no replicas (embedded).
   */
  waitReplicas(key: string, replicas: number, timeoutMs: number): Promise<number>;
}

// The event store on a Redis stream, in the guide's wire format: stream `event_store`, one field `event` holding the
// event as JSON text, and every saved event also published on channel `events`. Beside the guide's stream we keep
// index streams per entity (a copy of each event) and per event type (pointers), written in the same atomic step as
// the event (`appendIndexed`), so a read by entity costs what that entity holds, not what the store holds. Events
// other apps XADD without an index are still found by every read that does not go through an index (time range, id
// range, several types, newest…). On a Redis Cluster the store is split into partitions (partitions.ts): writes go
// to an entity's partition, reads by entity go to that partition only, other reads merge all partitions by id.
import { checkSource, completeEvent, completeEventText, entityOf, type EventEnvelope, type EventLike, EventText, withSource } from '../envelope/envelope';
import { randomBytes } from 'node:crypto';
import { BadInputError, PartialAppendError, ReplicationError } from '../errors';
import { type Logger, silentLogger } from '../logger';
import type { FieldBytesEntry, PendingEntry, PendingSummary, StoreAppendResult, StoreLayout, StreamEntry, Transport } from '../transport/types';
import { ChunkFailure, type ChunkRetry, sendChunks } from './chunk-sender';
import { catchUpIndexes, type IndexCatchUp, type IndexCatchUpOptions } from './index-catch-up';
import { createGroup, groupsWithLag, type GroupWithLag } from './consumer-groups';
import { DEFAULT_STORE_CHANNEL, DEFAULT_STORE_STREAM, indexBase, MAX_INDEXED_NAME } from './index-keys';
import { pruneIndexes, type PruneOptions, type PruneResult } from './index-pruner';
import { mergePages } from './merged-pages';
import { readFieldPages, readPages } from './page-reader';
import { checkPartitionSetting, partitionIndex, partitionKeys, type PartitionSetting, resolvePartitionCount } from './partitions';
import { planQuery, type StoreQuery } from './query-plan';
import { EVENT_FIELD, type StoredEvent, toStoredEvent } from './stored-event';
import { compareIds } from './stream-ids';

export interface EventStoreOptions {
  /** The stream holding the events. @default 'event_store' */
  streamKey?: string;
  /** Channel every appended event is also published on; null turns publishing off. @default 'events' */
  publishChannel?: string | null;
  /** Trim the stream to about this many entries on append (`MAXLEN ~`). @default undefined (no trimming) */
  maxLen?: number;
  /** Write the entity and type index streams on append, and read through them. @default true */
  indexed?: boolean;
  /**
   * Split the store into this many partition streams (`<streamKey>:{0}` …), an entity's events in one of them.
   * 'auto': 16 on a Redis Cluster (one stream would sit on one master), 1 elsewhere (the guide's single stream).
   * @default 'auto'
   */
  partitions?: PartitionSetting;
  /**
   * After each append, wait until this many replicas have the events (`WAIT n timeout` on the partition's master);
   * the append fails with ReplicationError when fewer confirm in time. Without it an acknowledged event can be lost
   * when a master dies before its replica has copied it. @default 0 (do not wait)
   */
  waitForReplicas?: number;
  /** How long `waitForReplicas` waits. @default 1000 */
  replicaTimeoutMs?: number;
  /**
   * Names this writer for exactly-once appends (Kafka's idempotent producer): every chunk an append sends carries
   * this id and a sequence number, and Redis applies a (producer, sequence) only once, so a chunk resent after a lost
   * reply, a reconnect or a failover is not stored twice. Give the same id (and `firstSequence`) to resume an
   * append another process left unfinished. @default a random id per store object
   */
  producerId?: string;
  /** The sequence of this producer's first event (sequences count events; a chunk's is its first event's). @default 1 */
  firstSequence?: number;
  /** How long Redis remembers a producer's recent chunks after its last append. @default 86400000 (a day) */
  producerTtlMs?: number;
  /**
   * Written as `metadata.source` of each appended event whose metadata names no source: the service that published
   * it, which the flow map shows per event type. null writes none. @default 'ucore'
   */
  source?: string | null;
  logger?: Logger;
}

export interface AppendOptions {
  /** Publish each event on the store's channel. @default true */
  publish?: boolean;
  /**
   * Keep resending (with backoff) for this long after a chunk fails with a connection error, a timeout or a server
   * that is loading or failing over; each resend stores nothing twice. @default 0 (fail at once)
   */
  retryForMs?: number;
  signal?: AbortSignal;
  /** Called before each resend. */
  onRetry?: ChunkRetry['onRetry'];
}

export interface ScanQuery extends StoreQuery {
  /** Entries per read. @default 1000 */
  pageSize?: number;
}

export interface ReadGroupOptions {
  /** @default 100 */
  count?: number;
  /** Block up to this long when nothing is there; 0 or undefined: return at once. */
  blockMs?: number;
  /** `>` for new entries (default); `0` (or an id) for this consumer's own pending entries after that id. */
  id?: string;
}

export interface PendingEntriesOptions {
  count: number;
  consumer?: string;
  minIdleMs?: number;
  /** First id to list (XPENDING start). @default '-' */
  start?: string;
  /** On a partitioned store: which partition stream (one of partitionKeys()). */
  partition?: string;
}

export interface AutoClaimOptions {
  /** Where to continue the sweep: the `next` of the previous call. @default '0-0' */
  start?: string;
  /** @default 100 */
  count?: number;
  /** On a partitioned store: which partition stream (one of partitionKeys()). */
  partition?: string;
}

/**
 * Events one `appendIndexed` call carries: a Lua script short enough not to stall Redis (~1 ms), and small enough
 * that Redis works on the first chunk while the next ones are built and sent.
 */
export const APPEND_CHUNK = 200;
/** Chunk appends in flight at once within one appendBatch. */
const APPEND_WINDOW = 8;
/** Entries of an unindexed tail an append indexes itself before indexing its own (a few ms of Redis time at most). */
const APPEND_CATCH_UP = 500;
/** Recent chunks Redis remembers per producer and stream: more than can be in flight at once. */
const PRODUCER_MEMORY = 32;
export const DEFAULT_GET_LIMIT = 1000;
export const MAX_GET_LIMIT = 100_000;
const MAX_COUNT = 10_000;

interface Prepared {
  event: EventLike;
  raw: string;
  /** The partition stream this event goes to. */
  stream: string;
  indexKeys: string[];
  copyKeys: string[];
}

/** Who may handle a pending entry of a partitioned store: its id and the partition stream it is in. */
export interface EntryRef {
  id: string;
  stream?: string;
}

export class EventStore {
  readonly streamKey: string;
  readonly publishChannel: string | null;
  private readonly maxLen: number | undefined;
  private readonly indexed: boolean;
  private readonly log: Logger;
  private readonly partitionSetting: PartitionSetting | undefined;
  private readonly waitReplicas: number;
  private readonly replicaTimeoutMs: number;
  private resolvedKeys: string[] | undefined;
  /** This store object's producer id: see EventStoreOptions.producerId. */
  readonly producerId: string;
  private nextSequence: number;
  private readonly producerTtlMs: number;
  /** See EventStoreOptions.source. */
  readonly source: string | null;

  constructor(private readonly transport: Transport, options: EventStoreOptions = {}) {
    this.streamKey = options.streamKey ?? DEFAULT_STORE_STREAM;
    if (typeof this.streamKey !== 'string' || this.streamKey === '') throw new BadInputError('streamKey must be a non-empty string');
    this.publishChannel = options.publishChannel === undefined ? DEFAULT_STORE_CHANNEL : options.publishChannel;
    if (options.maxLen !== undefined && !(Number.isInteger(options.maxLen) && options.maxLen > 0)) {
      throw new BadInputError(`maxLen must be a whole number > 0, not ${String(options.maxLen)}`);
    }
    this.maxLen = options.maxLen;
    this.indexed = options.indexed ?? true;
    this.log = options.logger ?? silentLogger;
    this.partitionSetting = checkPartitionSetting(options.partitions);
    if (typeof this.partitionSetting === 'number') partitionKeys(this.streamKey, this.partitionSetting); // checks the name now
    this.waitReplicas = options.waitForReplicas ?? 0;
    if (!Number.isInteger(this.waitReplicas) || this.waitReplicas < 0) throw new BadInputError('waitForReplicas must be a whole number ≥ 0');
    this.replicaTimeoutMs = options.replicaTimeoutMs ?? 1000;
    if (!(this.replicaTimeoutMs > 0)) throw new BadInputError('replicaTimeoutMs must be > 0');
    this.producerId = options.producerId ?? randomBytes(8).toString('hex');
    if (typeof this.producerId !== 'string' || !/^[\w.:-]{1,100}$/.test(this.producerId)) {
      throw new BadInputError('producerId must be 1 to 100 letters, digits, _ . : or -');
    }
    this.nextSequence = options.firstSequence ?? 1;
    if (!Number.isSafeInteger(this.nextSequence) || this.nextSequence < 1) throw new BadInputError('firstSequence must be a whole number ≥ 1');
    this.source = checkSource(options.source, 'ucore');
    this.producerTtlMs = options.producerTtlMs ?? 86_400_000;
    if (!Number.isSafeInteger(this.producerTtlMs) || this.producerTtlMs < 1000) throw new BadInputError('producerTtlMs must be a whole number ≥ 1000');
  }

  /**
   * The sequence the next appended event gets. A process resuming another's unfinished append sets the producerId
   * and the sequence of the first event it sends again; only then are chunks that were stored recognised.
   */
  resetSequence(next: number): void {
    if (!Number.isSafeInteger(next) || next < 1) throw new BadInputError('a sequence is a whole number ≥ 1');
    this.nextSequence = next;
  }

  /** Where the keys beside a stream live (indexes, watermark, producer state): see indexBase. */
  layoutOf(stream: string): StoreLayout {
    return { base: indexBase(stream, this.transport.mode === 'cluster'), field: EVENT_FIELD };
  }

  /**
   * The streams reads go to: the store's streams, and on a partitioned store the plain `streamKey` too, where apps
   * written from the guide (which know nothing of partitions) append. Writes only go to the partitions.
   */
  readStreams(): string[] {
    const keys = this.partitionKeys();
    return keys.length > 1 ? [...keys, this.streamKey] : keys;
  }

  /**
   * The streams that hold this store: `[streamKey]`, or its partitions. With partitions 'auto' the answer depends on
   * whether the transport turned out to be a cluster, so it is settled once the transport is connected.
   */
  partitionKeys(): string[] {
    if (this.resolvedKeys) return this.resolvedKeys;
    const keys = partitionKeys(this.streamKey, resolvePartitionCount(this.partitionSetting, this.transport));
    if (this.transport.status === 'ready' || this.partitionSetting !== undefined && this.partitionSetting !== 'auto') this.resolvedKeys = keys;
    return keys;
  }

  /** True when the store is split into several streams. */
  get partitioned(): boolean {
    return this.partitionKeys().length > 1;
  }

  /** The partition stream an entity's events are in. */
  partitionOf(entityId: string): string {
    const keys = this.partitionKeys();
    return keys[partitionIndex(entityId, keys.length)];
  }

  // ---------------------------------------------------------------- writing

  /** Stores one event (id, timestamp, version and data filled in when missing) and publishes it. */
  async append(event: EventLike | EventText): Promise<StoredEvent> {
    const [stored] = await this.appendBatch([event]);
    return stored;
  }

  /**
   * Stores events in order, one atomic script per chunk of up to 200 (per partition on a partitioned store), and
   * publishes each on the store's channel in the same step. Every event is checked before anything is written. Up to
   * 8 chunks are in flight at once, so Redis stores the first ones while the next are being built.
   *
   * Exactly once: each chunk carries this store's producer id and a sequence number, and Redis applies a sequence
   * once. With `retryForMs` a chunk that failed with a connection error or timeout is sent again (after the chunks in
   * flight settle, with backoff) until it is confirmed: what Redis had applied comes back as it was, the rest is
   * stored now. When the call gives up it throws PartialAppendError: its `stored` first events are stored; sending
   * the rest again through a store with the same producerId and sequences stores none of them twice.
   */
  async appendBatch(events: Array<EventLike | EventText>, options: AppendOptions = {}): Promise<StoredEvent[]> {
    if (!Array.isArray(events)) throw new BadInputError('appendBatch takes a list of events');
    const retryForMs = options.retryForMs ?? 0;
    if (!(retryForMs >= 0)) throw new BadInputError('retryForMs must be ≥ 0');
    const keys = this.partitionKeys();
    const prepared = events.map((e, i) => this.prepare(e, events.length > 1 ? `event #${i + 1}` : 'event', keys));
    const channel = options.publish === false ? null : this.publishChannel;
    const firstSequence = this.nextSequence;
    // Sequences are never used again for other events, whatever happens to this call.
    this.nextSequence += Math.max(1, prepared.length);
    const chunks: Prepared[][] = [];
    for (let i = 0; i < prepared.length; i += APPEND_CHUNK) chunks.push(prepared.slice(i, i + APPEND_CHUNK));
    let results: string[][];
    try {
      results = await sendChunks(chunks.length, APPEND_WINDOW, (k) => this.write(chunks[k], channel, firstSequence + k * APPEND_CHUNK), {
        forMs: retryForMs, signal: options.signal, onRetry: options.onRetry,
      });
    } catch (e) {
      if (!(e instanceof ChunkFailure)) throw e;
      const stored = Math.min(prepared.length, e.confirmed * APPEND_CHUNK);
      if (stored === 0 && chunks.length <= 1) throw e.error;
      const reason = e.error instanceof Error ? e.error.message : String(e.error);
      throw new PartialAppendError(`stored the first ${stored} of ${prepared.length} event(s) and then gave up: ${reason}`, stored, this.producerId, e.error);
    }
    const out: StoredEvent[] = [];
    chunks.forEach((chunk, k) => {
      const ids = results[k];
      for (let j = 0; j < chunk.length; j++) {
        const stored: StoredEvent = { id: ids[j], event: chunk[j].event, raw: chunk[j].raw };
        if (keys.length > 1) stored.stream = chunk[j].stream;
        out.push(stored);
      }
    });
    return out;
  }

  private prepare(input: EventLike | EventText, what: string, keys: string[]): Prepared {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new BadInputError(`${what} must be an object`);
    let event: EventEnvelope;
    let raw: string;
    if (input instanceof EventText) {
      ({ event, raw } = completeEventText(input, this.source));
    } else {
      event = withSource(completeEvent(input), this.source);
      try {
        raw = JSON.stringify(event);
      } catch (e) {
        throw new BadInputError(`${what} cannot be stored as JSON: ${(e as Error).message}`);
      }
    }
    const entity = entityOf(event);
    const stream = keys.length === 1 ? keys[0] : keys[partitionIndex(entity ?? String(event.event_id), keys.length)];
    if (!this.indexed) return { event, raw, stream, indexKeys: [], copyKeys: [] };
    const type = event.event_type;
    if (type.length > MAX_INDEXED_NAME) throw new BadInputError(`${what}: event_type is longer than ${MAX_INDEXED_NAME} characters`);
    if (entity !== null && entity.length > MAX_INDEXED_NAME) throw new BadInputError(`${what}: entity_id is longer than ${MAX_INDEXED_NAME} characters`);
    // The type index points at the events; the entity index holds copies of them, so an entity's events are read in
    // one range instead of one lookup each (4× faster on a 1M-event store, for twice the memory per event).
    const base = this.layoutOf(stream).base;
    const indexKeys = [`${base}type:${type}`];
    const copyKeys = entity === null ? [] : [`${base}entity:${entity}`];
    return { event, raw, stream, indexKeys, copyKeys };
  }

  /**
   * Writes a chunk, one script per partition stream it touches (each with the chunk's sequence: sequences are per
   * producer and stream), and publishes it on `channel` in the same step.
   */
  private async write(chunk: Prepared[], channel: string | null, sequence: number): Promise<string[]> {
    const byStream = new Map<string, number[]>();
    chunk.forEach((p, i) => {
      let positions = byStream.get(p.stream);
      if (!positions) byStream.set(p.stream, (positions = []));
      positions.push(i);
    });
    const ids = new Array<string>(chunk.length);
    await Promise.all([...byStream].map(async ([stream, positions]) => {
      const r: StoreAppendResult = await this.transport.storeAppend(stream, this.layoutOf(stream), positions.map((i) => ({
        fields: eventFields(chunk[i].raw), indexKeys: chunk[i].indexKeys, copyKeys: chunk[i].copyKeys,
      })), {
        publishChannel: channel ?? undefined,
        maxLen: this.maxLen,
        producer: { id: this.producerId, sequence, ttlMs: this.producerTtlMs, remember: PRODUCER_MEMORY },
        catchUpBudget: this.indexed ? APPEND_CATCH_UP : -1,
      });
      if (r.ids.length !== positions.length) throw new BadInputError(`Redis returned ${r.ids.length} ids for ${positions.length} events`);
      if (r.duplicate) this.log.info(`a resent chunk of ${positions.length} event(s) (producer ${this.producerId}, sequence ${sequence}) was already stored in ${stream}: not stored again`);
      positions.forEach((pos, k) => { ids[pos] = r.ids[k]; });
    }));
    if (this.waitReplicas > 0) await this.confirmReplicated(chunk);
    return ids;
  }

  /** WAIT on every partition the chunk wrote to; fewer replicas than asked fails the append (the events are stored). */
  private async confirmReplicated(chunk: Prepared[]): Promise<void> {
    const streams = [...new Set(chunk.map((p) => p.stream))];
    const acks = await Promise.all(streams.map((s) => this.transport.waitReplicas(s, this.waitReplicas, this.replicaTimeoutMs)));
    const short = acks.findIndex((n) => n < this.waitReplicas);
    if (short >= 0) {
      throw new ReplicationError(
        `stored ${chunk.length} event(s) but only ${acks[short]} of ${this.waitReplicas} replica(s) confirmed ${streams[short]} within ${this.replicaTimeoutMs} ms: they may be lost if its master fails now`,
      );
    }
  }

  // ---------------------------------------------------------------- indexes of events other apps appended

  /**
   * Indexes what other apps appended without indexes (the guide's `XADD event_store * event <json>`), in batches,
   * on every stream reads go to. Reads through an index do this first; call it yourself to show progress on a large
   * backlog or to keep a store caught up in the background. Safe to run from several processes at once.
   */
  catchUpIndexes(options: IndexCatchUpOptions = {}): Promise<IndexCatchUp> {
    if (!this.indexed) return Promise.resolve({ indexed: 0, malformed: 0, without: 0, done: true, batches: 0 });
    return catchUpIndexes(this.transport, this.readStreams().map((s) => ({ stream: s, layout: this.layoutOf(s) })), options);
  }

  // ---------------------------------------------------------------- reading

  /** The events a query selects, oldest first (newest first with `reverse`). At most `limit` (default 1000, max 100000). */
  async get(query: StoreQuery = {}): Promise<StoredEvent[]> {
    const limit = Math.min(query.limit ?? DEFAULT_GET_LIMIT, MAX_GET_LIMIT);
    const out: StoredEvent[] = [];
    // get() holds the whole answer anyway: when everything read is returned (no filter), pages as big as the limit
    // allows, so an entity's 1000 events come in one round trip instead of a full page and an empty one.
    const unfiltered = planQuery(this.partitionKeys()[0], query, { indexed: this.indexed }).filter === null;
    const pageSize = unfiltered ? Math.max(1, Math.min(limit, MAX_COUNT)) : undefined;
    for await (const page of this.scan({ ...query, limit, pageSize })) {
      for (const e of page) out.push(e);
    }
    return out;
  }

  /**
   * The events a query selects, page by page, without holding more than a page or two in memory. Reads through the
   * entity index when `entity` is given, the type index when exactly one type is, else the stream itself.
   */
  async *scan(query: ScanQuery = {}): AsyncGenerator<StoredEvent[]> {
    const keys = this.partitionKeys();
    // An entity lives in one partition (and maybe in the plain stream other apps write): read only those.
    const streams = keys.length > 1 && typeof query.entity === 'string' && query.entity !== '' ? [this.partitionOf(query.entity), this.streamKey] : this.readStreams();
    const plans = streams.map((s) => planQuery(s, query, { indexed: this.indexed, indexBase: this.layoutOf(s).base }));
    const plan = plans[0];
    if (plan.empty) return;
    // An index covers what other apps appended only once it has been caught up with them.
    const viaIndex = plans.filter((p) => p.read.indexKey !== undefined).map((p) => ({ stream: p.read.stream, layout: this.layoutOf(p.read.stream) }));
    if (viaIndex.length) await catchUpIndexes(this.transport, viaIndex, { signal: query.signal, onProgress: query.onIndexProgress });
    const pageSize = Math.min(query.pageSize ?? 1000, MAX_COUNT);
    if (!(pageSize >= 1)) throw new BadInputError(`pageSize must be ≥ 1, not ${String(query.pageSize)}`);
    let remaining = plan.limit ?? Number.POSITIVE_INFINITY;
    // Without a filter every entry read is returned, so never read (or read ahead) more than the limit asks for.
    const readLimit = plan.filter ? undefined : plan.limit;
    const tagged = streams.length > 1;
    const pages = plans.length === 1
      ? tagPages(readPages(this.transport, plan.read, { pageSize, limit: readLimit }), plan.read.stream)
      : mergePages(plans.map((p) => ({ stream: p.read.stream, pages: readPages(this.transport, p.read, { pageSize, limit: readLimit }) })), plan.read.reverse, pageSize);
    for await (const entries of pages) {
      const page: StoredEvent[] = [];
      for (const { stream, entry } of entries) {
        const stored = toStoredEvent(entry);
        if (plan.filter && (stored.error !== undefined || !plan.filter(stored.event))) continue;
        if (tagged) stored.stream = stream;
        page.push(stored);
        if (--remaining === 0) break;
      }
      if (query.counts) query.counts.untimed = plan.counts.untimed;
      if (page.length) yield page;
      if (remaining === 0) return;
    }
  }

  /**
   * What scan would read, with only the `event` field of each entry as bytes (see Transport.xrangeField), for
   * readers that look at a few fields of each event and would rather not decode every text. Null when it cannot be
   * had that way: a transport without byte reads, several streams, a read through an index, a filter on the events.
   */
  scanEventBytes(query: ScanQuery = {}): AsyncGenerator<FieldBytesEntry[]> | null {
    const streams = this.readStreams();
    if (streams.length !== 1) return null;
    const plan = planQuery(streams[0], query, { indexed: this.indexed, indexBase: this.layoutOf(streams[0]).base });
    if (plan.filter !== null) return null;
    const pageSize = Math.min(query.pageSize ?? 1000, MAX_COUNT);
    if (!(pageSize >= 1)) throw new BadInputError(`pageSize must be ≥ 1, not ${String(query.pageSize)}`);
    if (plan.empty) return (async function* () {})();
    return readFieldPages(this.transport, plan.read, EVENT_FIELD, { pageSize, limit: plan.limit });
  }

  getByEntity(entityId: string, query: Omit<StoreQuery, 'entity'> = {}): Promise<StoredEvent[]> {
    return this.get({ ...query, entity: entityId });
  }

  getByType(eventType: string, query: Omit<StoreQuery, 'types'> = {}): Promise<StoredEvent[]> {
    return this.get({ ...query, types: [eventType] });
  }

  /** The last `n` events, newest first. */
  newest(n: number): Promise<StoredEvent[]> {
    return this.get({ limit: n, reverse: true });
  }

  /** Events in every stream reads go to (on a partitioned store, also the plain stream other apps write). */
  async length(): Promise<number> {
    const lengths = await Promise.all(this.readStreams().map((k) => this.transport.xlen(k)));
    return lengths.reduce((a, n) => a + n, 0);
  }

  /**
   * Trims the stream to about (or, with approximate = false, exactly) `maxLen` entries; returns how many went.
   * Index entries of trimmed events are skipped on read and removed by `pruneIndexes`.
   */
  async trim(maxLen: number, approximate = true): Promise<number> {
    if (!Number.isInteger(maxLen) || maxLen < 0) throw new BadInputError(`maxLen must be a whole number ≥ 0, not ${String(maxLen)}`);
    // Partitions are trimmed to an equal share each: the store keeps about maxLen events in all.
    const keys = this.partitionKeys();
    const share = Math.ceil(maxLen / keys.length);
    const removed = await Promise.all(keys.map((k) => this.transport.xtrim(k, share, approximate)));
    return removed.reduce((a, n) => a + n, 0);
  }

  /**
   * Removes index entries of events that trimming (or `maxLen`) took from the stream. It SCANs every index key of
   * the store, so run it now and then (after a trim, or on a timer when `maxLen` is set), not per append.
   */
  pruneIndexes(options?: PruneOptions): Promise<PruneResult> {
    return pruneIndexes(this.transport, this.partitionKeys(), options);
  }

  // ---------------------------------------------------------------- consumer groups on the store's stream

  /** Creates the group (and the stream if needed); false when it already existed. `$`: only events appended later. */
  // On a partitioned store a group exists on every partition (XREADGROUP cannot span slots); the methods below go
  // over all of them, and entries carry the `stream` they are in, which ack and claim need: ids repeat across
  // partitions. pendingEntries/claim/autoclaim take `partition` (a stream of partitionKeys()) there.

  /** Creates the group (and the stream if needed); false when it already existed. `$`: only events appended later. */
  async createGroup(group: string, startId = '$'): Promise<boolean> {
    checkName(group, 'group');
    const created = await Promise.all(this.partitionKeys().map((k) => createGroup(this.transport, k, group, startId)));
    return created.some(Boolean);
  }

  /**
   * New entries for `consumer` (or its pending ones, with `id: '0'`). On a partitioned store every partition is
   * read at once without blocking; when all are empty and `blockMs` is set, it polls every 50 ms until then (a
   * blocking read per partition would hold a connection per partition).
   */
  async readGroup(group: string, consumer: string, options: ReadGroupOptions = {}): Promise<StoredEvent[]> {
    checkName(group, 'group');
    checkName(consumer, 'consumer');
    const count = checkCount(options.count ?? 100);
    const keys = this.partitionKeys();
    if (keys.length === 1) {
      const batches = await this.transport.xreadgroup({ group, consumer, streams: [{ key: keys[0], id: options.id ?? '>' }], count, blockMs: options.blockMs });
      return (batches?.[0]?.entries ?? []).map(toStoredEvent);
    }
    const share = Math.max(1, Math.ceil(count / keys.length));
    const deadline = Date.now() + (options.blockMs ?? 0);
    for (;;) {
      const batches = await Promise.all(keys.map((key) => this.transport.xreadgroup({ group, consumer, streams: [{ key, id: options.id ?? '>' }], count: share })));
      const out: StoredEvent[] = [];
      batches.forEach((b, i) => {
        for (const entry of b?.[0]?.entries ?? []) out.push({ ...toStoredEvent(entry), stream: keys[i] });
      });
      if (out.length > 0 || Date.now() >= deadline) return out.sort((a, b) => compareIds(a.id, b.id));
      await sleep(Math.min(50, deadline - Date.now()));
    }
  }

  /** Acknowledges entries: ids, or on a partitioned store the events (or `{ id, stream }`) readGroup returned. */
  async ack(group: string, entries: Array<string | EntryRef>): Promise<number> {
    checkName(group, 'group');
    let total = 0;
    for (const [stream, ids] of this.byPartition(entries)) total += await this.transport.xack(stream, group, ids);
    return total;
  }

  /** The group's pending entries, added up over partitions (min/max id of the first partition that has any). */
  async pendingSummary(group: string): Promise<PendingSummary> {
    checkName(group, 'group');
    const all = await Promise.all(this.partitionKeys().map((k) => this.transport.xpendingSummary(k, group)));
    if (all.length === 1) return all[0];
    const consumers = new Map<string, number>();
    for (const s of all) for (const c of s.consumers) consumers.set(c.name, (consumers.get(c.name) ?? 0) + c.count);
    const withAny = all.filter((s) => s.count > 0);
    return {
      count: all.reduce((a, s) => a + s.count, 0),
      minId: withAny.map((s) => s.minId!).sort(compareIds)[0] ?? null,
      maxId: withAny.map((s) => s.maxId!).sort(compareIds).at(-1) ?? null,
      consumers: [...consumers].map(([name, count]) => ({ name, count })),
    };
  }

  pendingEntries(group: string, options: PendingEntriesOptions): Promise<PendingEntry[]> {
    return this.transport.xpendingRange(this.onePartition(options.partition), checkName(group, 'group'), {
      count: checkCount(options.count),
      consumer: options.consumer,
      minIdleMs: options.minIdleMs,
      start: options.start,
    });
  }

  /** Takes over entries idle at least `minIdleMs` (others' or abandoned ones); returns those now owned. */
  async claim(group: string, consumer: string, minIdleMs: number, entries: Array<string | EntryRef>): Promise<StoredEvent[]> {
    checkName(group, 'group');
    checkName(consumer, 'consumer');
    const out: StoredEvent[] = [];
    const tagged = this.partitioned;
    for (const [stream, ids] of this.byPartition(entries)) {
      for (const e of await this.transport.xclaim(stream, group, consumer, minIdleMs, ids)) out.push(tagged ? { ...toStoredEvent(e), stream } : toStoredEvent(e));
    }
    return out;
  }

  /** One step of an XAUTOCLAIM sweep; call again with `start: next` until `next` is '0-0'. */
  async autoclaim(group: string, consumer: string, minIdleMs: number, options: AutoClaimOptions = {}): Promise<{ next: string; events: StoredEvent[]; deletedIds: string[] }> {
    const stream = this.onePartition(options.partition);
    const r = await this.transport.xautoclaim(
      stream, checkName(group, 'group'), checkName(consumer, 'consumer'), minIdleMs, options.start ?? '0-0', checkCount(options.count ?? 100),
    );
    const events = r.entries.map((e) => (this.partitioned ? { ...toStoredEvent(e), stream } : toStoredEvent(e)));
    return { next: r.nextStart, events, deletedIds: r.deletedIds };
  }

  /** The stream's groups, each with its lag (entries not yet delivered), null when it cannot be told cheaply. On a
   *  partitioned store, one line per group with consumers, pending and lag added up over its partitions. */
  async groups(): Promise<GroupWithLag[]> {
    const keys = this.partitionKeys();
    if (keys.length === 1) return groupsWithLag(this.transport, keys[0]);
    const perPartition = await Promise.all(keys.map((k) => groupsWithLag(this.transport, k)));
    const byName = new Map<string, GroupWithLag>();
    for (const groups of perPartition) {
      for (const g of groups) {
        const seen = byName.get(g.name);
        if (!seen) { byName.set(g.name, { ...g }); continue; }
        seen.consumers = Math.max(seen.consumers, g.consumers);
        seen.pending += g.pending;
        seen.lag = seen.lag === null || g.lag === null ? null : seen.lag + g.lag;
      }
    }
    return [...byName.values()];
  }

  /** The stream an entry-handling call means: the store's one stream, or the named partition. */
  private onePartition(partition: string | undefined): string {
    const keys = this.partitionKeys();
    if (partition === undefined) {
      if (keys.length === 1) return keys[0];
      throw new BadInputError(`this store has ${keys.length} partitions: name one (partition: one of partitionKeys())`);
    }
    if (!keys.includes(partition)) throw new BadInputError(`"${partition.slice(0, 80)}" is not a partition of ${this.streamKey}`);
    return partition;
  }

  /** Entry ids grouped by the stream they are in; plain ids only where the store has a single stream. */
  private byPartition(entries: Array<string | EntryRef>): Map<string, string[]> {
    if (!Array.isArray(entries)) throw new BadInputError('expected a list of ids or entries');
    const keys = this.partitionKeys();
    const out = new Map<string, string[]>();
    for (const e of entries) {
      const id = typeof e === 'string' ? e : e?.id;
      if (typeof id !== 'string' || id === '') throw new BadInputError('every entry needs an id');
      const stream = typeof e === 'string' || e.stream === undefined ? (keys.length === 1 ? keys[0] : undefined) : e.stream;
      if (stream === undefined) throw new BadInputError(`this store has ${keys.length} partitions: pass the entries readGroup returned (with their stream), not bare ids`);
      if (!keys.includes(stream)) throw new BadInputError(`"${stream.slice(0, 80)}" is not a partition of ${this.streamKey}`);
      let ids = out.get(stream);
      if (!ids) out.set(stream, (ids = []));
      ids.push(id);
    }
    return out;
  }
}

function tagPages(pages: AsyncGenerator<StreamEntry[]>, stream: string): AsyncGenerator<Array<{ stream: string; entry: StreamEntry }>> {
  return (async function* () {
    for await (const page of pages) yield page.map((entry) => ({ stream, entry }));
  })();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function eventFields(raw: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  fields[EVENT_FIELD] = raw;
  return fields;
}

function checkName(value: string, what: string): string {
  if (typeof value !== 'string' || value === '') throw new BadInputError(`${what} must be a non-empty string`);
  return value;
}

function checkCount(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT) throw new BadInputError(`count must be a whole number from 1 to ${MAX_COUNT}, not ${String(n)}`);
  return n;
}

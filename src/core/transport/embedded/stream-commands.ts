// Stream and consumer-group commands over an embedded keyspace, with Redis 7.0 semantics and error texts
// (t_stream.c). Each method runs one command synchronously; blocking is arranged by the transport.
import { RedisCommandError } from '../../errors';
import type {
  AutoClaimResult, ConsumerInfo, GroupInfo, IndexedAppend, PendingEntry, PendingSummary, ReadByIndexOptions, ReadGroupOptions,
  StreamBatch, StreamEntry, StreamFields, StreamInfo, XAddOptions,
} from '../types';
import { ConsumerGroup, Nack, type Consumer } from './group';
import {
  compareIds, formatId, incrId, MAX_ID, MIN_ID, parseId, parseRangeEnd, parseRangeStart, parseXAddId,
  type StreamId,
} from './ids';
import type { Keyspace, StreamValue } from './keyspace';
import { entryFields, StreamData, streamExhausted, toStreamEntry, UNKNOWN_ENTRIES_READ } from './stream';

export const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
const ERR_XADD_SMALLER = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';
const ERR_XGROUP_NO_KEY = 'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to '
  + 'use the MKSTREAM option to create an empty stream automatically.';
const ERR_DOLLAR_IN_XREADGROUP = 'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history '
  + 'of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an '
  + 'empty result set.';
const ERR_GT_IN_XREAD = 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.';

function err(message: string): RedisCommandError {
  return new RedisCommandError(message);
}

function integer(n: number): number {
  if (!Number.isSafeInteger(n)) throw err(ERR_NOT_INTEGER);
  return n;
}

/** A COUNT argument of XRANGE / XPENDING: undefined means all, anything below 1 means none. */
function rangeCount(count: number | undefined): number {
  if (count === undefined) return 0;
  integer(count);
  return count < 1 ? -1 : count;
}

/** A COUNT argument of XREAD / XREADGROUP: 0, negative or undefined mean no limit. */
function readCount(count: number | undefined): number {
  if (count === undefined) return 0;
  integer(count);
  return count < 0 ? 0 : count;
}

function fieldList(fields: StreamFields, command: string): string[] {
  const fv: string[] = [];
  for (const k of Object.keys(fields)) fv.push(k, String(fields[k]));
  if (fv.length === 0) throw err(`ERR wrong number of arguments for '${command}' command`);
  return fv;
}

function maxLenArg(maxLen: number): number {
  integer(maxLen);
  if (maxLen < 0) throw err('ERR The MAXLEN argument must be >= 0.');
  return maxLen;
}

function minIdleArg(ms: number, command: string): number {
  if (!Number.isSafeInteger(ms)) throw err(`ERR Invalid min-idle-time argument for ${command}`);
  return ms < 0 ? 0 : ms;
}

function noGroup(key: string, group: string): RedisCommandError {
  return err(`NOGROUP No such key '${key}' or consumer group '${group}'`);
}

/** A read of XREAD / XREADGROUP after its ids are resolved. */
export interface ResolvedRead {
  readonly key: string;
  /** Deliver entries after this id; null for XREADGROUP's `>`. */
  readonly after: StreamId | null;
}

export class StreamCommands {
  constructor(
    private readonly keys: Keyspace,
    private readonly now: () => number,
    private readonly signal: (key: string) => void,
  ) {}

  private stream(key: string): StreamData | undefined {
    return this.keys.getTyped(key, 'stream')?.stream;
  }

  private createStream(key: string): StreamData {
    const v: StreamValue = { type: 'stream', stream: new StreamData() };
    this.keys.put(key, v);
    return v.stream;
  }

  private groupOf(key: string, group: string): { s: StreamData; g: ConsumerGroup } {
    const s = this.stream(key);
    const g = s?.groups.get(group);
    if (!s || !g) throw noGroup(key, group);
    return { s, g };
  }

  // ---- XADD and friends ----

  xadd(key: string, fields: StreamFields, options: XAddOptions = {}): string | null {
    const fv = fieldList(fields, 'xadd');
    const maxLen = options.maxLen === undefined ? undefined : maxLenArg(options.maxLen);
    const given = options.id === undefined ? null : parseXAddId(options.id);
    if (given && given.seqGiven && given.id.ms === 0 && given.id.seq === 0) {
      throw err('ERR The ID specified in XADD must be greater than 0-0');
    }
    let s = this.stream(key);
    if (!s) {
      if (options.noMkStream) return null;
      s = this.streamForAppend(key, given);
    }
    const id = this.newId(s, given);
    const entry = s.append(id, fv);
    if (maxLen !== undefined) s.trim(maxLen, !options.exactTrim);
    this.signal(key);
    return entry.id;
  }

  /** A new stream for an XADD that will succeed (so a failing XADD never leaves an empty stream behind). */
  private streamForAppend(key: string, given: { id: StreamId; seqGiven: boolean } | null): StreamData {
    this.newId(new StreamData(), given);
    return this.createStream(key);
  }

  private newId(s: StreamData, given: { id: StreamId; seqGiven: boolean } | null): StreamId {
    let id: StreamId;
    if (!given) {
      const next = s.nextAutoId(this.now());
      if (!next) throw streamExhausted();
      id = next;
    } else if (given.seqGiven) {
      id = given.id;
    } else if (s.lastId.ms === given.id.ms) {
      const next = incrId(s.lastId);
      if (!next || next.ms !== given.id.ms) throw err(ERR_XADD_SMALLER);
      id = next;
    } else {
      id = given.id;
    }
    if (compareIds(id, s.lastId) <= 0) throw err(ERR_XADD_SMALLER);
    return id;
  }

  xrange(key: string, start: string, end: string, count?: number): StreamEntry[] {
    return this.rangeGeneric(key, start, end, count, false);
  }

  xrevrange(key: string, end: string, start: string, count?: number): StreamEntry[] {
    return this.rangeGeneric(key, start, end, count, true);
  }

  private rangeGeneric(key: string, start: string, end: string, count: number | undefined, reverse: boolean): StreamEntry[] {
    const from = parseRangeStart(start);
    const to = parseRangeEnd(end);
    const n = rangeCount(count);
    const s = this.stream(key);
    if (!s || n < 0) return [];
    return s.range(from, to, n, reverse).map(toStreamEntry);
  }

  xlen(key: string): number {
    return this.stream(key)?.length ?? 0;
  }

  xtrim(key: string, maxLen: number, approximate = false): number {
    const s = this.stream(key);
    if (!s) return 0;
    return s.trim(maxLenArg(maxLen), approximate);
  }

  xdel(key: string, ids: string[]): number {
    const s = this.stream(key);
    if (!s) return 0;
    return s.delete(ids.map((id) => parseId(id, 0, true)));
  }

  xinfoStream(key: string): StreamInfo | null {
    const s = this.stream(key);
    if (!s) return null;
    const first = s.first();
    const last = s.last();
    return {
      length: s.length,
      lastGeneratedId: formatId(s.lastId),
      groups: s.groups.size,
      firstEntry: first ? toStreamEntry(first) : null,
      lastEntry: last ? toStreamEntry(last) : null,
    };
  }

  xinfoGroups(key: string): GroupInfo[] {
    const s = this.stream(key);
    if (!s) throw err('ERR no such key');
    return sortedByName([...s.groups.values()]).map((g) => ({
      name: g.name,
      consumers: g.consumers.size,
      pending: g.pendingCount,
      lastDeliveredId: formatId(g.lastId),
      entriesRead: g.entriesRead === UNKNOWN_ENTRIES_READ ? null : g.entriesRead,
      lag: s.lag(g),
    }));
  }

  xinfoConsumers(key: string, group: string): ConsumerInfo[] {
    const s = this.stream(key);
    if (!s) throw err('ERR no such key');
    const g = s.groups.get(group);
    if (!g) throw err(`NOGROUP No such consumer group '${group}' for key name '${key}'`);
    const now = this.now();
    return sortedByName([...g.consumers.values()]).map((c) => ({
      name: c.name,
      pending: c.pending,
      idleMs: Math.max(0, now - c.seenTime),
      inactiveMs: null,
    }));
  }

  // ---- XGROUP ----

  /** The stream for an XGROUP subcommand other than CREATE ... MKSTREAM, which requires the key. */
  private xgroupStream(key: string): StreamData {
    const s = this.stream(key);
    if (!s) throw err(ERR_XGROUP_NO_KEY);
    return s;
  }

  private xgroupGroup(key: string, group: string): { s: StreamData; g: ConsumerGroup } {
    const s = this.xgroupStream(key);
    const g = s.groups.get(group);
    if (!g) throw err(`NOGROUP No such consumer group '${group}' for key name '${key}'`);
    return { s, g };
  }

  xgroupCreate(key: string, group: string, startId: string, options: { mkStream?: boolean } = {}): void {
    let s = options.mkStream ? this.stream(key) : this.xgroupStream(key);
    const id = startId === '$' ? (s ? s.lastId : MIN_ID) : parseId(startId, 0, true);
    s ??= this.createStream(key);
    if (s.groups.has(group)) throw err('BUSYGROUP Consumer Group name already exists');
    s.groups.set(group, new ConsumerGroup(group, id));
  }

  xgroupDestroy(key: string, group: string): boolean {
    const s = this.xgroupStream(key);
    if (!s.groups.delete(group)) return false;
    this.signal(key);
    return true;
  }

  xgroupSetId(key: string, group: string, id: string): void {
    const { s, g } = this.xgroupGroup(key, group);
    g.lastId = id === '$' ? s.lastId : parseId(id, 0, false);
    g.entriesRead = UNKNOWN_ENTRIES_READ;
  }

  xgroupDelConsumer(key: string, group: string, consumer: string): number {
    return this.xgroupGroup(key, group).g.deleteConsumer(consumer);
  }

  // ---- XREADGROUP / XREAD ----

  /** Validates an XREADGROUP and resolves its ids; throws what Redis would reply before reading anything. */
  prepareReadGroup(o: ReadGroupOptions): ResolvedRead[] {
    readCount(o.count);
    return o.streams.map(({ key, id }) => {
      const s = this.stream(key);
      if (!s || !s.groups.has(o.group)) {
        throw err(`NOGROUP No such key '${key}' or consumer group '${o.group}' in XREADGROUP with GROUP option`);
      }
      if (id === '>') return { key, after: null };
      if (id === '$') throw err(ERR_DOLLAR_IN_XREADGROUP);
      const after = parseId(id, 0, true);
      return { key, after: compareIds(after, MAX_ID) === 0 ? null : after };
    });
  }

  /** Reads a prepared XREADGROUP; null when nothing was served (the caller may block). */
  readGroup(o: ReadGroupOptions, reads: readonly ResolvedRead[]): StreamBatch[] | null {
    const count = readCount(o.count);
    const now = this.now();
    const out: StreamBatch[] = [];
    for (const { key, after } of reads) {
      const { s, g } = this.groupOf(key, o.group);
      if (after === null) {
        const from = s.upperBound(g.lastId);
        if (from >= s.endIndex) continue;
        const c = g.consumer(o.consumer, now);
        const entries: StreamEntry[] = [];
        for (let i = from; i < s.endIndex && (count === 0 || entries.length < count); i++) {
          const e = s.at(i);
          s.advanceGroup(g, { ms: e.ms, seq: e.seq });
          if (!o.noAck) this.addPending(g, e, c, now);
          entries.push(toStreamEntry(e));
        }
        out.push({ key, entries });
      } else {
        const c = g.consumer(o.consumer, now);
        const entries: StreamEntry[] = [];
        const start = incrId(after);
        if (start) {
          let skipped = 0;
          for (const nack of g.pendingFrom(start)) {
            if (count !== 0 && entries.length + skipped >= count) break;
            if (nack.consumer !== c) continue;
            const e = s.find(nack);
            if (e) {
              nack.deliveryTime = now;
              nack.deliveryCount++;
              entries.push(toStreamEntry(e));
            } else {
              // Deleted from the stream but still pending: Redis sends the id with nil fields, which the
              // transports leave out (a StreamEntry always has fields); it still counts toward COUNT.
              skipped++;
            }
          }
        }
        out.push({ key, entries });
      }
    }
    return out.length ? out : null;
  }

  private addPending(g: ConsumerGroup, id: StreamId & { id: string }, c: Consumer, now: number): void {
    const existing = g.getNack(id.id);
    if (existing) {
      // Delivered again after XGROUP SETID moved the group back: the entry changes hands and starts over.
      g.moveNack(existing, c);
      existing.deliveryTime = now;
      existing.deliveryCount = 1;
      return;
    }
    g.addNack(new Nack(id.ms, id.seq, id.id, c, now, 1));
  }

  /** Why a blocked XREADGROUP must stop waiting on `key`, or null while it may go on. */
  blockedGroupError(key: string, group: string): RedisCommandError | null {
    const v = this.keys.get(key);
    if (!v || v.type !== 'stream') return err('UNBLOCKED the stream key no longer exists');
    if (!v.stream.groups.has(group)) return err('NOGROUP the consumer group this client was blocked on no longer exists');
    return null;
  }

  /** Validates an XREAD and resolves `$` to each stream's last id now. */
  prepareRead(streams: ReadonlyArray<{ key: string; id: string }>, count: number | undefined): ResolvedRead[] {
    readCount(count);
    return streams.map(({ key, id }) => {
      const s = this.stream(key);
      if (id === '>') throw err(ERR_GT_IN_XREAD);
      if (id === '$') return { key, after: s ? s.lastId : MIN_ID };
      return { key, after: parseId(id, 0, true) };
    });
  }

  read(reads: readonly ResolvedRead[], count: number | undefined): StreamBatch[] | null {
    const n = readCount(count);
    const out: StreamBatch[] = [];
    for (const { key, after } of reads) {
      const v = this.keys.get(key);
      if (!v || v.type !== 'stream') continue;
      const start = incrId(after ?? MIN_ID);
      if (!start) continue;
      const entries = v.stream.range(start, MAX_ID, n, false);
      if (entries.length) out.push({ key, entries: entries.map(toStreamEntry) });
    }
    return out.length ? out : null;
  }

  // ---- acknowledgement, pending entries, claiming ----

  xack(key: string, group: string, ids: string[]): number {
    const g = this.stream(key)?.groups.get(group);
    if (!g) return 0;
    const parsed = ids.map((id) => formatId(parseId(id, 0, true)));
    let acked = 0;
    for (const id of parsed) {
      const nack = g.getNack(id);
      if (nack) {
        g.removeNack(nack);
        acked++;
      }
    }
    return acked;
  }

  xpendingSummary(key: string, group: string): PendingSummary {
    const { g } = this.groupOf(key, group);
    const first = g.first();
    const last = g.last();
    const consumers = sortedByName([...g.consumers.values()].filter((c) => c.pending > 0))
      .map((c) => ({ name: c.name, count: c.pending }));
    return { count: g.pendingCount, minId: first?.id ?? null, maxId: last?.id ?? null, consumers };
  }

  xpendingRange(
    key: string, group: string,
    options: { start?: string; end?: string; count: number; consumer?: string; minIdleMs?: number },
  ): PendingEntry[] {
    const minIdle = options.minIdleMs === undefined ? 0 : integer(options.minIdleMs);
    const from = parseRangeStart(options.start ?? '-');
    const to = parseRangeEnd(options.end ?? '+');
    const count = integer(options.count);
    const { g } = this.groupOf(key, group);
    const out: PendingEntry[] = [];
    if (count <= 0 || compareIds(from, to) > 0) return out;
    let owner: Consumer | undefined;
    if (options.consumer !== undefined) {
      owner = g.consumers.get(options.consumer);
      if (!owner) return out;
    }
    const now = this.now();
    for (const nack of g.pendingFrom(from)) {
      if (compareIds(nack, to) > 0 || out.length >= count) break;
      if (owner && nack.consumer !== owner) continue;
      const idle = Math.max(0, now - nack.deliveryTime);
      if (minIdle && idle < minIdle) continue;
      out.push({ id: nack.id, consumer: nack.consumer.name, idleMs: idle, deliveries: nack.deliveryCount });
    }
    return out;
  }

  xclaim(key: string, group: string, consumer: string, minIdleMs: number, ids: string[]): StreamEntry[] {
    const { s, g } = this.groupOf(key, group);
    const minIdle = minIdleArg(minIdleMs, 'XCLAIM');
    const parsed = ids.map((id) => {
      try {
        return formatId(parseId(id, 0, true));
      } catch {
        // Redis reads XCLAIM's ids up to the first that does not parse, and the rest as options.
        throw err(`ERR Unrecognized XCLAIM option '${id}'`);
      }
    });
    const now = this.now();
    let c: Consumer | undefined;
    const out: StreamEntry[] = [];
    for (const id of parsed) {
      const nack = g.getNack(id);
      if (!nack) continue;
      const e = s.find(nack);
      if (!e) {
        // The entry is gone from the stream: it leaves the PEL and is not claimed (Redis 7).
        g.removeNack(nack);
        continue;
      }
      if (minIdle && now - nack.deliveryTime < minIdle) continue;
      c ??= g.consumer(consumer, now);
      g.moveNack(nack, c);
      nack.deliveryTime = now;
      nack.deliveryCount++;
      out.push(toStreamEntry(e));
    }
    return out;
  }

  xautoclaim(key: string, group: string, consumer: string, minIdleMs: number, start: string, count: number): AutoClaimResult {
    const minIdle = minIdleArg(minIdleMs, 'XAUTOCLAIM');
    const from = parseRangeStart(start);
    if (!Number.isSafeInteger(count) || count < 1) throw err('ERR COUNT must be > 0');
    const { s, g } = this.groupOf(key, group);
    const now = this.now();
    let attempts = count * 10;
    let left = count;
    let c: Consumer | undefined;
    const entries: StreamEntry[] = [];
    const deletedIds: string[] = [];
    let nextStart = '0-0';
    const it = g.pendingFrom(from);
    for (;;) {
      const r = it.next();
      if (r.done) break;
      const nack = r.value;
      if (attempts-- <= 0 || left <= 0) {
        nextStart = nack.id;
        break;
      }
      const e = s.find(nack);
      if (!e) {
        g.removeNack(nack);
        deletedIds.push(nack.id);
        left--;
        continue;
      }
      if (minIdle && now - nack.deliveryTime < minIdle) continue;
      c ??= g.consumer(consumer, now);
      g.moveNack(nack, c);
      nack.deliveryTime = now;
      nack.deliveryCount++;
      entries.push(toStreamEntry(e));
      left--;
    }
    return { nextStart, entries, deletedIds };
  }

  // ---- what the event store needs ----

  appendIndexed(items: ReadonlyArray<IndexedAppend>): string[] {
    const ids: string[] = [];
    for (const item of items) {
      const fv = fieldList(item.fields, 'xadd');
      const maxLen = item.maxLen === undefined ? undefined : maxLenArg(item.maxLen);
      // Check everything first, so a failing item writes nothing.
      const main = this.stream(item.stream);
      const id = main ? main.nextAutoId(this.now()) : { ms: this.now(), seq: 0 };
      if (!id) throw streamExhausted();
      const seen = new Set<string>([item.stream]);
      const indexes: Array<{ key: string; s: StreamData | undefined; copy: boolean }> = [];
      for (const [keys, copy] of [[item.indexKeys, false], [item.copyKeys ?? [], true]] as const) {
        for (const key of keys) {
          const s = this.stream(key);
          if (seen.has(key) || (s && compareIds(id, s.lastId) <= 0)) throw err(ERR_XADD_SMALLER);
          seen.add(key);
          indexes.push({ key, s, copy });
        }
      }
      const target = main ?? this.createStream(item.stream);
      const entry = target.append(id, fv);
      // Pointer entries hold `i` ''; copies the entry's own fields (see the Redis script).
      for (const { key, s, copy } of indexes) {
        (s ?? this.createStream(key)).append(id, copy ? fv.slice() : ['i', '']);
        this.signal(key);
      }
      if (maxLen !== undefined) target.trim(maxLen, true);
      this.signal(item.stream);
      ids.push(entry.id);
    }
    return ids;
  }

  /** Every index entry, pointer or copy, is looked up in the stream: in memory that costs little, and it is exact. */
  readByIndex(stream: string, indexKey: string, options: ReadByIndexOptions): StreamEntry[] {
    const from = parseRangeStart(options.start ?? '-');
    const to = parseRangeEnd(options.end ?? '+');
    // As the Redis transport's script does: 1 to 10,000 entries, 10,000 when not given.
    const count = Math.max(1, Math.min(options.count === undefined ? 10_000 : integer(options.count), 10_000));
    const index = this.stream(indexKey);
    const out: StreamEntry[] = [];
    if (!index || compareIds(from, to) > 0) return out;
    const lo = index.lowerBound(from);
    const hi = index.upperBound(to);
    if (lo >= hi) return out;
    // Looked up only when the index points somewhere, as the Redis script does (a WRONGTYPE shows up then).
    const main = this.stream(stream);
    if (!main) return out;
    const take = (i: number): boolean => {
      const e = main.find(index.at(i));
      if (e) out.push({ id: e.id, fields: entryFields(e.fv) });
      return out.length < count;
    };
    if (options.reverse) {
      for (let i = hi - 1; i >= lo; i--) if (!take(i)) break;
    } else {
      for (let i = lo; i < hi; i++) if (!take(i)) break;
    }
    return out;
  }
}

/** Names in Redis's rax order: by UTF-8 bytes, which is code point order. */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (code points above U+FFFF) sort after U+E000..U+FFFF in code point order.
    if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

function sortedByName<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => compareNames(a.name, b.name));
}

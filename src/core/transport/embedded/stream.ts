// The data of one stream key: entries in id order in an array (binary search for ranges, a moving head so
// trimming from the front is cheap), the counters Redis 7 keeps for consumer-group lag (entries-added,
// max-deleted-entry-id, first id), and the consumer groups. Approximate trimming (`MAXLEN ~`) removes whole
// "nodes" as Redis does with its radix-tree listpacks. Where a node ends is computed as Redis computes it (100
// entries, or 4096 bytes of listpack, whose encoding is sized here byte for byte), so `~` leaves the same length
// Redis would.
import { RedisCommandError } from '../../errors';
import type { StreamEntry, StreamFields } from '../types';
import { compareIds, formatId, incrId, isZeroId, MIN_ID, type StreamId } from './ids';
import type { ConsumerGroup } from './group';

export interface Entry extends StreamId {
  readonly id: string;
  /** field, value, field, value, ... in the order given. */
  readonly fv: readonly string[];
  /** The emulated listpack node the entry was appended to. */
  readonly node: number;
  /** Approximate bytes, for INFO memory. */
  readonly size: number;
}

/** Redis `stream-node-max-entries` and `stream-node-max-bytes` defaults. */
const NODE_MAX_ENTRIES = 100;
const NODE_MAX_BYTES = 4096;
/** Default LIMIT of `MAXLEN ~` trimming: 100 nodes' worth. */
export const APPROX_TRIM_LIMIT = NODE_MAX_ENTRIES * 100;
/** A group's entries-read counter when unknown (SCG_INVALID_ENTRIES_READ). */
export const UNKNOWN_ENTRIES_READ = -1;

const INT_STRING = /^(0|-?[1-9][0-9]{0,18})$/;

function byteLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/** Bytes a listpack element of `len` encoded bytes takes with its back-length. */
function lpElement(len: number): number {
  return len + (len <= 127 ? 1 : len < 16383 ? 2 : len < 2097151 ? 3 : len < 268435455 ? 4 : 5);
}

/** Bytes of an integer in a listpack (listpack.c lpEncodeIntegerGetType). */
function lpInt(v: number): number {
  if (v >= 0 && v <= 127) return lpElement(1);
  if (v >= -4096 && v <= 4095) return lpElement(2);
  if (v >= -32768 && v <= 32767) return lpElement(3);
  if (v >= -8388608 && v <= 8388607) return lpElement(4);
  if (v >= -2147483648 && v <= 2147483647) return lpElement(5);
  return lpElement(9);
}

/** Bytes of a string in a listpack; strings that read as 64-bit integers are stored as integers. */
function lpString(s: string): number {
  if (s.length <= 20 && INT_STRING.test(s)) {
    if (s.length <= 15) return lpInt(Number(s));
    const v = BigInt(s);
    if (v <= 9223372036854775807n && v >= -9223372036854775808n) return lpInt(Number(v));
  }
  const n = byteLength(s);
  return lpElement(n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n);
}

export function entryFields(fv: readonly string[]): StreamFields {
  const fields: StreamFields = Object.create(null) as StreamFields;
  for (let i = 0; i < fv.length; i += 2) fields[fv[i]!] = fv[i + 1]!;
  return fields;
}

export function toStreamEntry(e: Entry): StreamEntry {
  return { id: e.id, fields: entryFields(e.fv) };
}

export class StreamData {
  private entries: Entry[] = [];
  private head = 0;
  lastId: StreamId = MIN_ID;
  firstId: StreamId = MIN_ID;
  maxDeletedId: StreamId = MIN_ID;
  entriesAdded = 0;
  readonly groups = new Map<string, ConsumerGroup>();
  /** Approximate heap bytes of the entries. */
  bytes = 0;

  private nodeCounter = 0;
  private tailNode = -1;
  /** Entries ever appended to the tail node, deleted ones included. */
  private tailCount = 0;
  /** Bytes of the tail node's listpack. */
  private tailBytes = 0;
  private masterId: StreamId = MIN_ID;
  private masterFields: string[] = [];

  get length(): number {
    return this.entries.length - this.head;
  }

  first(): Entry | undefined {
    return this.head < this.entries.length ? this.entries[this.head] : undefined;
  }

  last(): Entry | undefined {
    return this.head < this.entries.length ? this.entries[this.entries.length - 1] : undefined;
  }

  at(index: number): Entry {
    return this.entries[index]!;
  }

  get startIndex(): number {
    return this.head;
  }

  get endIndex(): number {
    return this.entries.length;
  }

  /** The id `XADD *` would give at time `now`; null once the largest id is used. */
  nextAutoId(now: number): StreamId | null {
    if (now > this.lastId.ms) return { ms: now, seq: 0 };
    return incrId(this.lastId);
  }

  /** Appends; the caller has checked that `id` is above `lastId`. */
  append(id: StreamId, fv: string[]): Entry {
    const numFields = fv.length / 2;
    let total = 0;
    for (let i = 0; i < fv.length; i++) total += byteLength(fv[i]!);
    const lastEntry = this.last();
    const newNode = this.tailNode < 0 || !lastEntry || lastEntry.node !== this.tailNode
      || this.tailBytes + total >= NODE_MAX_BYTES || this.tailCount >= NODE_MAX_ENTRIES;
    let sameFields = true;
    if (newNode) {
      // A new listpack: header and end byte, then the master entry (count, deleted, fields, terminator).
      this.tailNode = this.nodeCounter++;
      this.tailCount = 0;
      this.masterId = id;
      this.masterFields = [];
      this.tailBytes = 7 + lpInt(1) + lpInt(0) + lpInt(numFields) + lpInt(0);
      for (let i = 0; i < fv.length; i += 2) {
        this.masterFields.push(fv[i]!);
        this.tailBytes += lpString(fv[i]!);
      }
    } else if (numFields === this.masterFields.length) {
      for (let i = 0; i < numFields && sameFields; i++) sameFields = fv[i * 2] === this.masterFields[i];
    } else {
      sameFields = false;
    }
    // The entry: flags, ms and seq relative to the master id, [field count and names], values, element count.
    let bytes = lpInt(sameFields ? 2 : 0) + lpInt(id.ms - this.masterId.ms) + lpInt(id.seq - this.masterId.seq);
    if (!sameFields) bytes += lpInt(numFields);
    for (let i = 0; i < fv.length; i += 2) {
      if (!sameFields) bytes += lpString(fv[i]!);
      bytes += lpString(fv[i + 1]!);
    }
    bytes += lpInt(numFields + 3 + (sameFields ? 0 : numFields + 1));
    this.tailBytes += bytes;
    this.tailCount++;
    // Heap bytes as measured on V8: ~300 of object, array and id string per entry, plus the text.
    const size = 300 + 16 * fv.length + total;
    const entry: Entry = { ms: id.ms, seq: id.seq, id: formatId(id), fv, node: this.tailNode, size };
    this.entries.push(entry);
    this.bytes += size;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
    return entry;
  }

  /** Index of the first entry with id >= `id` (endIndex when none). */
  lowerBound(id: StreamId): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.entries[mid]!, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first entry with id > `id` (endIndex when none). */
  upperBound(id: StreamId): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.entries[mid]!, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  find(id: StreamId): Entry | undefined {
    const i = this.lowerBound(id);
    const e = this.entries[i];
    return i < this.entries.length && e && e.ms === id.ms && e.seq === id.seq ? e : undefined;
  }

  /** Entries within [start, end], at most `count` (0: all), oldest first or newest first. */
  range(start: StreamId, end: StreamId, count: number, reverse: boolean): Entry[] {
    const out: Entry[] = [];
    if (compareIds(start, end) > 0) return out;
    const lo = this.lowerBound(start);
    const hi = this.upperBound(end);
    if (reverse) {
      for (let i = hi - 1; i >= lo && (count === 0 || out.length < count); i--) out.push(this.entries[i]!);
    } else {
      for (let i = lo; i < hi && (count === 0 || out.length < count); i++) out.push(this.entries[i]!);
    }
    return out;
  }

  /** `MAXLEN [~] n` trimming; returns the number of entries removed. */
  trim(maxLen: number, approximate: boolean, limit = approximate ? APPROX_TRIM_LIMIT : 0): number {
    if (this.length <= maxLen) return 0;
    let removeTo = this.head;
    if (!approximate) {
      removeTo = this.entries.length - maxLen;
    } else {
      let len = this.length;
      while (removeTo < this.entries.length) {
        const node = this.entries[removeTo]!.node;
        let nodeEnd = removeTo + 1;
        while (nodeEnd < this.entries.length && this.entries[nodeEnd]!.node === node) nodeEnd++;
        const n = nodeEnd - removeTo;
        if (len - n < maxLen) break;
        if (limit && removeTo - this.head + n > limit) break;
        len -= n;
        removeTo = nodeEnd;
      }
    }
    const removed = removeTo - this.head;
    if (removed <= 0) return 0;
    for (let i = this.head; i < removeTo; i++) {
      this.bytes -= this.entries[i]!.size;
      this.entries[i] = undefined as unknown as Entry;
    }
    this.head = removeTo;
    this.compact();
    this.updateFirstId();
    return removed;
  }

  /** XDEL: removes the entries with these ids; returns how many existed. */
  delete(ids: readonly StreamId[]): number {
    const doomed = new Set<number>();
    for (const id of ids) {
      const i = this.lowerBound(id);
      const e = this.entries[i];
      if (i < this.entries.length && e && e.ms === id.ms && e.seq === id.seq && !doomed.has(i)) {
        doomed.add(i);
        if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = { ms: id.ms, seq: id.seq };
      }
    }
    if (doomed.size === 0) return 0;
    if (doomed.size === 1) {
      const i = doomed.values().next().value as number;
      this.bytes -= this.entries[i]!.size;
      if (i === this.head) {
        this.entries[i] = undefined as unknown as Entry;
        this.head++;
      } else {
        this.entries.splice(i, 1);
      }
    } else {
      const kept: Entry[] = [];
      for (let i = this.head; i < this.entries.length; i++) {
        if (doomed.has(i)) this.bytes -= this.entries[i]!.size;
        else kept.push(this.entries[i]!);
      }
      this.entries = kept;
      this.head = 0;
    }
    this.compact();
    this.updateFirstId();
    return doomed.size;
  }

  private updateFirstId(): void {
    const f = this.first();
    this.firstId = f ? { ms: f.ms, seq: f.seq } : MIN_ID;
  }

  /** Drops the trimmed slots before `head` once they outweigh the live entries. */
  private compact(): void {
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head > this.entries.length - this.head) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  // ---- consumer-group lag (t_stream.c, Redis 7.0) ----

  /** Whether a deleted entry may lie within [start, +]. */
  rangeHasTombstones(start: StreamId | null): boolean {
    if (this.length === 0 || isZeroId(this.maxDeletedId)) return false;
    if (compareIds(this.firstId, this.maxDeletedId) > 0) return false;
    return compareIds(start ?? MIN_ID, this.maxDeletedId) <= 0;
  }

  /** The entries-read counter that corresponds to `id`, or UNKNOWN_ENTRIES_READ. */
  estimateDistanceFromFirstEverEntry(id: StreamId): number {
    if (!this.entriesAdded) return 0;
    if (this.length === 0 && compareIds(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = compareIds(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return UNKNOWN_ENTRIES_READ;
    const cmpFirst = compareIds(id, this.firstId);
    if (isZeroId(this.maxDeletedId) || compareIds(this.maxDeletedId, this.firstId) < 0) {
      if (cmpFirst < 0) return this.entriesAdded - this.length;
      if (cmpFirst === 0) return this.entriesAdded - this.length + 1;
    }
    return UNKNOWN_ENTRIES_READ;
  }

  /** A group's lag (entries not yet delivered to it), or null when Redis could not tell. */
  lag(group: ConsumerGroup): number | null {
    if (!this.entriesAdded) return 0;
    if (group.entriesRead !== UNKNOWN_ENTRIES_READ && !this.rangeHasTombstones(group.lastId)) {
      return this.entriesAdded - group.entriesRead;
    }
    const read = this.estimateDistanceFromFirstEverEntry(group.lastId);
    return read === UNKNOWN_ENTRIES_READ ? null : this.entriesAdded - read;
  }

  /** Moves a group past `id` as a delivery does, keeping its entries-read counter. */
  advanceGroup(group: ConsumerGroup, id: StreamId): void {
    if (compareIds(id, group.lastId) <= 0) return;
    if (group.entriesRead !== UNKNOWN_ENTRIES_READ && !this.rangeHasTombstones(id)) group.entriesRead++;
    else if (this.entriesAdded) group.entriesRead = this.estimateDistanceFromFirstEverEntry(id);
    group.lastId = id;
  }
}

export function streamExhausted(): RedisCommandError {
  return new RedisCommandError('ERR The stream has exhausted the last possible ID, unable to add more items');
}

// The keyspace of one embedded server: typed values, expiry times (lazy expiry on access plus an incremental,
// unref'd background sweep), an approximate memory count, and a bucket index that gives SCAN the guarantees of
// Redis's dictScan: a key present for the whole iteration is returned at least once, even while keys come and
// go and the table grows or shrinks; the cursor is the reverse-binary bucket counter Redis uses.
import { RedisCommandError } from '../../errors';
import type { StreamData } from './stream';

export interface StringValue { readonly type: 'string'; value: string }
export interface HashValue { readonly type: 'hash'; readonly map: Map<string, string>; bytes: number }
export interface StreamValue { readonly type: 'stream'; readonly stream: StreamData }
export type Value = StringValue | HashValue | StreamValue;
export type ValueType = Value['type'];

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

export function wrongType(): RedisCommandError {
  return new RedisCommandError(WRONGTYPE);
}

/** Approximate heap bytes of a value beside its key, for INFO's used_memory (calibrated on V8). */
export function valueBytes(v: Value): number {
  switch (v.type) {
    case 'string': return 24 + v.value.length;
    case 'hash': return 64 + v.bytes;
    case 'stream': {
      let groups = 0;
      for (const g of v.stream.groups.values()) groups += 200 + 140 * g.pendingCount + 100 * g.consumers.size;
      return 256 + v.stream.bytes + groups;
    }
  }
}

/** Heap bytes of a key in the maps that hold it (data, expiry, SCAN index). */
const KEY_OVERHEAD = 220;

function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

const MIN_BUCKETS = 16;

/** Keys spread over 2^n buckets by hash; resized in one step (the cursor scheme tolerates it between calls). */
class ScanIndex {
  private buckets: Array<Set<string> | undefined> = new Array(MIN_BUCKETS);
  private size = 0;

  add(key: string): void {
    const i = hashOf(key) & (this.buckets.length - 1);
    let b = this.buckets[i];
    if (!b) this.buckets[i] = b = new Set();
    if (b.has(key)) return;
    b.add(key);
    if (++this.size > this.buckets.length * 2) this.resize(this.buckets.length * 4);
  }

  delete(key: string): void {
    const i = hashOf(key) & (this.buckets.length - 1);
    const b = this.buckets[i];
    if (!b || !b.delete(key)) return;
    if (b.size === 0) this.buckets[i] = undefined;
    if (--this.size * 8 < this.buckets.length && this.buckets.length > MIN_BUCKETS) {
      this.resize(Math.max(MIN_BUCKETS, this.buckets.length / 4));
    }
  }

  clear(): void {
    this.buckets = new Array(MIN_BUCKETS);
    this.size = 0;
  }

  private resize(n: number): void {
    const old = this.buckets;
    this.buckets = new Array(n);
    for (const b of old) {
      if (!b) continue;
      for (const key of b) {
        const i = hashOf(key) & (n - 1);
        let nb = this.buckets[i];
        if (!nb) this.buckets[i] = nb = new Set();
        nb.add(key);
      }
    }
  }

  /** One dictScan step: emits one bucket's keys, returns the next cursor (0 when the walk is complete). */
  step(cursor: number, out: string[]): number {
    const mask = this.buckets.length - 1;
    const b = this.buckets[cursor & mask];
    if (b) for (const key of b) out.push(key);
    let v = (cursor | ~mask) >>> 0;
    v = reverseBits(v);
    v = (v + 1) >>> 0;
    return reverseBits(v);
  }
}

export interface KeyspaceHooks {
  /** A key was removed or replaced (deleted, expired, overwritten): blocked stream readers must look again. */
  onKeyChanged(key: string, old: Value): void;
}

export class Keyspace {
  private readonly data = new Map<string, Value>();
  private readonly expires = new Map<string, number>();
  private readonly index = new ScanIndex();
  /** Approximate bytes of keys and values, not counting streams (they keep their own count). */
  private bytes = 0;
  private readonly streams = new Set<StreamData>();
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private sweepIterator: Iterator<[string, number]> | undefined;

  constructor(private readonly now: () => number, private readonly hooks: KeyspaceHooks) {}

  get size(): number {
    return this.data.size;
  }

  get expiresCount(): number {
    return this.expires.size;
  }

  /** The live value of `key`, expiring it first when its time has passed. */
  get(key: string): Value | undefined {
    const v = this.data.get(key);
    if (v === undefined) return undefined;
    const at = this.expires.get(key);
    if (at !== undefined && at <= this.now()) {
      this.remove(key);
      return undefined;
    }
    return v;
  }

  getTyped<T extends ValueType>(key: string, type: T): Extract<Value, { type: T }> | undefined {
    const v = this.get(key);
    if (v !== undefined && v.type !== type) throw wrongType();
    return v as Extract<Value, { type: T }> | undefined;
  }

  /** Stores a new value under `key`, replacing any old one and its expiry. */
  put(key: string, value: Value): void {
    const old = this.data.get(key);
    if (old !== undefined) {
      this.forget(old);
      this.expires.delete(key);
      this.data.set(key, value);
      if (old !== value && old.type === 'stream') this.hooks.onKeyChanged(key, old);
    } else {
      this.data.set(key, value);
      this.index.add(key);
      this.bytes += KEY_OVERHEAD + key.length;
    }
    this.account(value);
  }

  /** Replaces a string's text in place, keeping its expiry (INCR). */
  updateString(v: StringValue, text: string): void {
    this.bytes += text.length - v.value.length;
    v.value = text;
  }

  adjustHashBytes(v: HashValue, delta: number): void {
    v.bytes += delta;
    this.bytes += delta;
  }

  remove(key: string): boolean {
    const old = this.data.get(key);
    if (old === undefined) return false;
    this.data.delete(key);
    this.expires.delete(key);
    this.index.delete(key);
    this.bytes -= KEY_OVERHEAD + key.length;
    this.forget(old);
    if (old.type === 'stream') this.hooks.onKeyChanged(key, old);
    return true;
  }

  private account(v: Value): void {
    if (v.type === 'stream') this.streams.add(v.stream);
    else this.bytes += valueBytes(v);
  }

  private forget(v: Value): void {
    if (v.type === 'stream') this.streams.delete(v.stream);
    else this.bytes -= valueBytes(v);
  }

  expireAt(key: string, at: number): void {
    if (at <= this.now()) {
      this.remove(key);
      return;
    }
    this.expires.set(key, at);
    this.startSweep();
  }

  /** Absolute expiry time in ms, or undefined when the key has none. */
  expiryOf(key: string): number | undefined {
    return this.expires.get(key);
  }

  usedBytes(): number {
    let total = this.bytes;
    for (const s of this.streams) total += valueBytes({ type: 'stream', stream: s });
    return total;
  }

  flush(): void {
    for (const key of [...this.data.keys()]) this.remove(key);
    this.index.clear();
    this.stopSweep();
  }

  /** One SCAN call: visits buckets until about `count` keys are collected, then filters them. */
  scan(cursor: number, count: number, filter: (key: string, v: Value) => boolean): { cursor: number; keys: string[] } {
    const found: string[] = [];
    let budget = count * 10;
    do {
      cursor = this.index.step(cursor, found);
    } while (cursor !== 0 && budget-- > 0 && found.length < count);
    const keys: string[] = [];
    for (const key of found) {
      const v = this.get(key);
      if (v !== undefined && filter(key, v)) keys.push(key);
    }
    return { cursor, keys };
  }

  // ---- active expiry: a slice of the expiring keys every 100 ms, more while many turn out expired ----

  private startSweep(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => this.sweep(), 100);
    this.sweepTimer.unref?.();
  }

  private stopSweep(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.sweepIterator = undefined;
  }

  dispose(): void {
    this.stopSweep();
  }

  /** Visible for tests: runs one sweep slice now. */
  sweep(): void {
    if (this.expires.size === 0) {
      this.stopSweep();
      return;
    }
    const started = Date.now();
    const now = this.now();
    for (;;) {
      let sampled = 0;
      let expired = 0;
      while (sampled < 200) {
        if (!this.sweepIterator) this.sweepIterator = this.expires.entries();
        const r = this.sweepIterator.next();
        if (r.done) {
          this.sweepIterator = undefined;
          break;
        }
        sampled++;
        const [key, at] = r.value;
        if (at <= now) {
          this.remove(key);
          expired++;
        }
      }
      // Like Redis: keep going while more than a quarter of the sample was expired, within a small time budget.
      if (sampled === 0 || expired * 4 <= sampled || Date.now() - started > 5) break;
    }
    if (this.expires.size === 0) this.stopSweep();
  }
}

// A consumer group: its last-delivered id, entries-read counter, consumers and pending entries list (PEL).
// The PEL is an array in id order with a map beside it; acknowledged entries become tombstones that are
// skipped and compacted away in bulk, so acknowledging oldest-first (the usual order) stays O(1) amortized.
import { compareIds, incrId, type StreamId } from './ids';
import { UNKNOWN_ENTRIES_READ } from './stream';

export class Consumer {
  /** Entries of the group's PEL owned by this consumer. */
  pending = 0;
  constructor(readonly name: string, public seenTime: number) {}
}

export class Nack implements StreamId {
  alive = true;
  constructor(
    readonly ms: number,
    readonly seq: number,
    readonly id: string,
    public consumer: Consumer,
    public deliveryTime: number,
    public deliveryCount: number,
  ) {}
}

export class ConsumerGroup {
  entriesRead = UNKNOWN_ENTRIES_READ;
  readonly consumers = new Map<string, Consumer>();
  private pel: Nack[] = [];
  private head = 0;
  private dead = 0;
  private readonly byId = new Map<string, Nack>();

  constructor(readonly name: string, public lastId: StreamId) {}

  get pendingCount(): number {
    return this.byId.size;
  }

  getNack(id: string): Nack | undefined {
    return this.byId.get(id);
  }

  consumer(name: string, now: number): Consumer {
    let c = this.consumers.get(name);
    if (!c) {
      c = new Consumer(name, now);
      this.consumers.set(name, c);
    }
    c.seenTime = now;
    return c;
  }

  /** Adds a new pending entry; the caller has checked that `id` is not pending. */
  addNack(nack: Nack): void {
    this.byId.set(nack.id, nack);
    nack.consumer.pending++;
    const n = this.pel.length;
    if (n === this.head || compareIds(this.pel[n - 1]!, nack) < 0) {
      this.pel.push(nack);
      return;
    }
    const i = this.lowerBound(nack);
    const there = this.pel[i];
    if (there && !there.alive && there.ms === nack.ms && there.seq === nack.seq) {
      this.pel[i] = nack;
      this.dead--;
    } else {
      this.pel.splice(i, 0, nack);
    }
  }

  removeNack(nack: Nack): void {
    if (!nack.alive) return;
    nack.alive = false;
    nack.consumer.pending--;
    this.byId.delete(nack.id);
    this.dead++;
    while (this.head < this.pel.length && !this.pel[this.head]!.alive) {
      this.pel[this.head] = undefined as unknown as Nack;
      this.head++;
      this.dead--;
    }
    if (this.head === this.pel.length) {
      this.pel = [];
      this.head = 0;
      this.dead = 0;
    } else if (this.dead > 64 && this.dead * 2 > this.pel.length - this.head) {
      this.pel = this.pel.slice(this.head).filter((x) => x.alive);
      this.head = 0;
      this.dead = 0;
    } else if (this.head > 1024 && this.head * 2 > this.pel.length) {
      this.pel = this.pel.slice(this.head);
      this.head = 0;
    }
  }

  moveNack(nack: Nack, to: Consumer): void {
    if (nack.consumer === to) return;
    nack.consumer.pending--;
    nack.consumer = to;
    to.pending++;
  }

  private lowerBound(id: StreamId): number {
    let lo = this.head;
    let hi = this.pel.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.pel[mid]!, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Live pending entries with id >= `from`, in id order. The caller may remove yielded entries meanwhile. */
  *pendingFrom(from: StreamId): Generator<Nack> {
    const pel = this.pel;
    for (let i = this.lowerBound(from); i < pel.length; i++) {
      const n = pel[i];
      if (!n || !n.alive) continue;
      yield n;
      if (this.pel !== pel) {
        // A removal compacted the list into a new array: go on after `n` in that one.
        const next = incrId(n);
        if (next) yield* this.pendingFrom(next);
        return;
      }
    }
  }

  first(): Nack | undefined {
    for (let i = this.head; i < this.pel.length; i++) if (this.pel[i]!.alive) return this.pel[i];
    return undefined;
  }

  last(): Nack | undefined {
    for (let i = this.pel.length - 1; i >= this.head; i--) if (this.pel[i]!.alive) return this.pel[i];
    return undefined;
  }

  /** Removes a consumer and its pending entries; returns how many it had. */
  deleteConsumer(name: string): number {
    const c = this.consumers.get(name);
    if (!c) return 0;
    const had = c.pending;
    if (had > 0) {
      for (let i = this.head; i < this.pel.length; i++) {
        const n = this.pel[i]!;
        if (n.alive && n.consumer === c) {
          n.alive = false;
          this.byId.delete(n.id);
        }
      }
      this.pel = this.pel.slice(this.head).filter((x) => x.alive);
      this.head = 0;
      this.dead = 0;
    }
    this.consumers.delete(name);
    return had;
  }
}

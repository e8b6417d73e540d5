// Per-key second buckets with a hard cap on the number of keys: channel names and event types come from outside,
// and a flood of distinct names must not grow memory. Past the cap, new names count into one `(other)` key.
// Keys idle for a whole window can be evicted (when the cap is reached), so a long-running monitor keeps
// following channels that appear later instead of lumping them into `(other)` forever.
import { SecondBuckets } from './second-buckets';
import { detachString, limitName } from './strings';

export const OTHER_KEY = '(other)';

export class BoundedCounters {
  private readonly byName = new Map<string, SecondBuckets>();
  readonly other: SecondBuckets;

  constructor(readonly maxKeys: number, private readonly ringSize: number) {
    this.other = new SecondBuckets(ringSize);
  }

  /** The counter for `name`: its own while there is room, else the shared `(other)`. */
  counterFor(name: string): SecondBuckets {
    const found = this.byName.get(name);
    if (found) return found;
    return this.slowCounterFor(name);
  }

  get size(): number {
    return this.byName.size;
  }

  entries(): IterableIterator<[string, SecondBuckets]> {
    return this.byName.entries();
  }

  /** Drops keys with no event in the last `idleSeconds`, but only when the cap has been reached. */
  evictIdle(nowSecond: number, idleSeconds: number): number {
    if (this.byName.size < this.maxKeys) return 0;
    let evicted = 0;
    for (const [name, c] of this.byName) {
      if (c.newestSecond < nowSecond - idleSeconds) {
        this.byName.delete(name);
        evicted++;
      }
    }
    return evicted;
  }

  clear(): void {
    this.byName.clear();
    this.other.reset();
  }

  private slowCounterFor(name: string): SecondBuckets {
    // Over-long names are tracked under a shortened form; look that up before deciding there is no room.
    const limited = limitName(name);
    if (limited !== name) {
      const found = this.byName.get(limited);
      if (found) return found;
    }
    if (limited === OTHER_KEY || this.byName.size >= this.maxKeys) return this.other;
    const c = new SecondBuckets(this.ringSize);
    // A detached copy: a name sliced out of a huge payload must not keep that payload alive.
    this.byName.set(detachString(limited), c);
    return c;
  }
}

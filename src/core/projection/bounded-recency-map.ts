// A Map that keeps at most `capacity` keys, forgetting the least recently written one first. Projections use it to
// remember per-entity facts (an order's status, a user id) without growing with every entity ever seen.
export class BoundedRecencyMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number ≥ 1, not ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Stores the value and makes the key the most recent; drops the oldest key when over capacity. */
  set(key: K, value: V): void {
    // Re-inserting moves the key to the end of the Map's insertion order, which is our recency order.
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  clear(): void {
    this.map.clear();
  }
}

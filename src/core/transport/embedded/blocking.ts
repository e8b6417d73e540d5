// Clients blocked in XREAD / XREADGROUP. A write to a key marks it ready; after the command that wrote it, the
// clients blocked on that key are offered the new data in the order they blocked (as Redis serves them).
export interface Waiter {
  readonly keys: readonly string[];
  /** Tries to serve the read; true when the waiter is done (answered or failed) and must be removed. */
  retry(key: string): boolean;
}

export class BlockingRegistry {
  private readonly byKey = new Map<string, Set<Waiter>>();
  private readonly ready = new Set<string>();

  get size(): number {
    const all = new Set<Waiter>();
    for (const set of this.byKey.values()) for (const w of set) all.add(w);
    return all.size;
  }

  add(w: Waiter): void {
    for (const key of w.keys) {
      let set = this.byKey.get(key);
      if (!set) this.byKey.set(key, set = new Set());
      set.add(w);
    }
  }

  remove(w: Waiter): void {
    for (const key of w.keys) {
      const set = this.byKey.get(key);
      if (!set) continue;
      set.delete(w);
      if (set.size === 0) this.byKey.delete(key);
    }
  }

  signal(key: string): void {
    if (this.byKey.has(key)) this.ready.add(key);
  }

  /** Serves the waiters of every key marked ready since the last call. */
  serve(): void {
    while (this.ready.size) {
      const key = this.ready.values().next().value as string;
      this.ready.delete(key);
      const set = this.byKey.get(key);
      if (!set) continue;
      for (const w of [...set]) {
        if (!set.has(w)) continue;
        if (w.retry(key)) this.remove(w);
      }
    }
  }
}

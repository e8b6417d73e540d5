// How many holders each subscribed name has on one transport. The extension's features share a transport (the live
// monitor, the flow map, tails, Generate Contract, the scenario runner), and Redis keeps one subscription per name
// and connection: without counting, the first feature to let go of `orders` or `*` ended it for all the others.
// A transport subscribes a name on its first holder and unsubscribes it when the last one lets go.

export class SubscriptionCounts {
  private readonly counts = new Map<string, number>();
  /** Subscriptions under way: a second holder waits for the first one's to be in place. */
  private readonly pending = new Map<string, Promise<void>>();

  /** Counts one more holder of each name; returns the names that had none (to subscribe now). */
  hold(names: readonly string[]): string[] {
    const fresh: string[] = [];
    for (const name of names) {
      const n = this.counts.get(name) ?? 0;
      this.counts.set(name, n + 1);
      if (n === 0 && !fresh.includes(name)) fresh.push(name);
    }
    return fresh;
  }

  /**
   * Counts one holder less of each name; returns the names that have none left (to unsubscribe now). A name nobody
   * holds is returned too: unsubscribing it is what the caller asked, and harmless.
   */
  release(names: readonly string[]): string[] {
    const gone: string[] = [];
    for (const name of names) {
      const n = this.counts.get(name) ?? 0;
      if (n > 1) this.counts.set(name, n - 1);
      else {
        this.counts.delete(name);
        if (!gone.includes(name)) gone.push(name);
      }
    }
    return gone;
  }

  /**
   * hold(), then `subscribe` of the names that had no holder; when that fails, the holds are taken back so a later
   * attempt subscribes again.
   */
  async holdAndRun(names: readonly string[], subscribe: (fresh: string[]) => Promise<void>): Promise<void> {
    const fresh = this.hold(names);
    const waits = names.filter((n) => !fresh.includes(n)).map((n) => this.pending.get(n)).filter((p) => p !== undefined);
    if (fresh.length === 0) {
      await Promise.all(waits);
      return;
    }
    const running = subscribe(fresh);
    const settled = running.then(() => undefined, () => undefined);
    for (const n of fresh) this.pending.set(n, settled);
    try {
      await running;
    } catch (e) {
      this.release(names);
      throw e;
    } finally {
      for (const n of fresh) if (this.pending.get(n) === settled) this.pending.delete(n);
    }
    await Promise.all(waits);
  }

  clear(): void {
    this.counts.clear();
    this.pending.clear();
  }
}

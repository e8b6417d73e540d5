// The k best of many offered, in memory for k: a binary heap whose root is the worst kept, so an offer that is not
// better than it costs one comparison. The stuck list keeps the 100 oldest of 100,000 entities this way instead of
// building and sorting an entry for every one (tens of ms in one piece on a live map's update).
export class BoundedBest<T> {
  private readonly heap: T[] = [];

  /** `better(a, b)`: a goes before b (a strict order: ties broken by the caller). */
  constructor(private readonly k: number, private readonly better: (a: T, b: T) => boolean) {}

  /** The worst kept once k are kept (an offer must be better than it), else undefined. */
  get bar(): T | undefined {
    return this.heap.length >= this.k ? this.heap[0] : undefined;
  }

  offer(x: T): void {
    const h = this.heap;
    if (this.k <= 0) return;
    if (h.length < this.k) {
      h.push(x);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.better(h[p], h[i])) break;
        [h[p], h[i]] = [h[i], h[p]];
        i = p;
      }
      return;
    }
    if (!this.better(x, h[0])) return;
    h[0] = x;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.better(h[worst], h[l])) worst = l;
      if (r < h.length && this.better(h[worst], h[r])) worst = r;
      if (worst === i) return;
      [h[worst], h[i]] = [h[i], h[worst]];
      i = worst;
    }
  }

  /** What was kept, best first. */
  best(): T[] {
    return [...this.heap].sort((a, b) => (this.better(a, b) ? -1 : this.better(b, a) ? 1 : 0));
  }
}

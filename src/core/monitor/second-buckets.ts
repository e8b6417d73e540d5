// Event counts per second in a fixed ring: O(1) per event, fixed memory per tracked key, and rates over any span
// up to the ring's length. Rates use completed seconds only, so a second that has just begun does not read as a
// sudden drop.

export class SecondBuckets {
  /** Every event ever counted here (not only those in the window). */
  total = 0;
  /** The absolute second (epoch s) of the newest bucket; -1 before the first event. */
  newestSecond = -1;
  private readonly counts: Uint32Array;

  constructor(readonly size: number) {
    this.counts = new Uint32Array(size);
  }

  add(second: number, n = 1): void {
    // A clock that steps back counts into the newest bucket rather than rewriting the past.
    if (second > this.newestSecond) this.advance(second);
    this.counts[this.newestSecond % this.size]! += n;
    this.total += n;
  }

  /** Events in the `span` completed seconds before `nowSecond`. */
  sumBefore(nowSecond: number, span: number): number {
    let sum = 0;
    const oldestKept = this.newestSecond - this.size + 1;
    const from = Math.max(nowSecond - span, oldestKept);
    const to = Math.min(nowSecond - 1, this.newestSecond);
    for (let s = from; s <= to; s++) sum += this.counts[s % this.size]!;
    return sum;
  }

  /** Events per second over the `span` completed seconds before `nowSecond`. */
  rate(nowSecond: number, span: number): number {
    return span > 0 ? this.sumBefore(nowSecond, span) / span : 0;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.newestSecond = -1;
  }

  private advance(second: number): void {
    if (this.newestSecond < 0 || second - this.newestSecond >= this.size) {
      this.counts.fill(0);
    } else {
      for (let s = this.newestSecond + 1; s <= second; s++) this.counts[s % this.size] = 0;
    }
    this.newestSecond = second;
  }
}

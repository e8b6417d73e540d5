// A token bucket for replay's rate limit: tokens accrue at `ratePerSecond` up to `capacity`, a batch takes as many
// as it has events and waits for them first. The long-run rate stays at or under the limit, and bursts never exceed
// one capacity's worth.
import { sleep } from '../store/sleep';

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly ratePerSecond: number, readonly capacity: number, private readonly now: () => number = () => performance.now()) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Waits until `n` tokens (at most capacity) are there and takes them; false when aborted while waiting. */
  async take(n: number, signal?: AbortSignal): Promise<boolean> {
    const want = Math.min(n, this.capacity);
    for (;;) {
      if (signal?.aborted) return false;
      this.refill();
      if (this.tokens >= want) {
        this.tokens -= want;
        return true;
      }
      await sleep(Math.ceil(((want - this.tokens) / this.ratePerSecond) * 1000), signal);
    }
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
  }
}

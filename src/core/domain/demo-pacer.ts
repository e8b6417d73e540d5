// Spaces work out to a rate (events per second) and makes every wait cancellable. After a stall it does not burst to
// catch up: a demo that fell behind just carries on at its rate.
import { AbortedError } from '../errors';
import { abortableSleep } from '../retry/sleep';

/** Without a wait, yield to the event loop this often, so an abort (a timer) can be noticed even at full speed. */
const YIELD_EVERY = 64;

export class Pacer {
  private readonly intervalMs: number;
  private next = 0;
  private sinceYield = 0;

  /** `ratePerSecond` ≤ 0 or Infinity: no pacing. */
  constructor(ratePerSecond: number) {
    this.intervalMs = ratePerSecond > 0 && Number.isFinite(ratePerSecond) ? 1000 / ratePerSecond : 0;
  }

  async wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortedError();
    const now = performance.now();
    if (this.next < now) this.next = now;
    const delay = this.next - now;
    this.next += this.intervalMs;
    if (delay >= 1) {
      this.sinceYield = 0;
      await abortableSleep(delay, signal);
      return;
    }
    if (++this.sinceYield >= YIELD_EVERY) {
      this.sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw new AbortedError();
    }
  }
}

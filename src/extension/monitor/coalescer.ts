// At most one send per interval, whatever the number of requests: the first request after a quiet period is sent
// at once (a click feels immediate), later ones wait for the interval to pass and are merged into one send.
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class Coalescer {
  private timer: unknown;
  private lastSent = -Infinity;
  private disposed = false;
  /** Sends so far. */
  sent = 0;

  constructor(private readonly intervalMs: number, private readonly send: () => void, private readonly clock: Clock = systemClock) {}

  request(): void {
    if (this.disposed || this.timer !== undefined) return;
    const wait = this.lastSent + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
  }

  private fire(): void {
    if (this.disposed) return;
    this.lastSent = this.clock.now();
    this.sent++;
    this.send();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

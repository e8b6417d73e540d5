// Replay progress for a UI: reported at most ~10 times a second however fast events go, plus once at the end.
import type { Logger } from '../logger';

export interface ReplayProgress {
  scanned: number;
  matched: number;
  sent: number;
  /** Id of the last entry sent (in a dry run: the last one read). */
  lastId?: string;
  /** Events sent per second so far. */
  rate: number;
}

const MIN_GAP_MS = 100;

export class ProgressThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private readonly startedAt = performance.now();

  constructor(private readonly listener: ((p: ReplayProgress) => void) | undefined, private readonly log: Logger) {}

  maybe(counts: Omit<ReplayProgress, 'rate'>): void {
    if (!this.listener) return;
    const now = performance.now();
    if (now - this.lastAt < MIN_GAP_MS) return;
    this.lastAt = now;
    this.emit(counts, now);
  }

  final(counts: Omit<ReplayProgress, 'rate'>): void {
    if (this.listener) this.emit(counts, performance.now());
  }

  private emit(counts: Omit<ReplayProgress, 'rate'>, now: number): void {
    const seconds = (now - this.startedAt) / 1000;
    const p: ReplayProgress = { ...counts, rate: seconds > 0 ? counts.sent / seconds : 0 };
    // A throwing progress callback is the caller's bug; it must not leave a replay half done.
    try {
      this.listener?.(p);
    } catch (e) {
      this.log.warn(`replay progress listener failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }
}

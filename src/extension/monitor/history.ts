// Per-second history of the live monitor for the panel's charts: one point per completed second (events per top
// channel and type, stream lengths, consumer-group lags and their oldest pending entry's age), kept for
// HISTORY_SECONDS in a ring. Recorded whether or not a panel is open, so a panel opened (or reloaded) later shows the
// last 15 minutes at once.
import type { MonitorSnapshot } from '../../core/index';
import { clip, HISTORY_SECONDS, MAX_NAME_CHARS, MAX_SERIES, MAX_STREAMS } from '../../shared/monitorLimits';
import type { Point } from '../../shared/monitorProtocol';
import { lagKey } from './alertRules';

export class MonitorHistory {
  private readonly points: Point[] = [];
  /** The last second recorded (epoch s); -1 before the first. */
  private lastSecond = -1;
  private recorded = 0;

  constructor(private readonly capacity = HISTORY_SECONDS) {}

  /** Points recorded since the history was created or cleared (the panel's delta cursor). */
  get count(): number {
    return this.recorded;
  }

  /**
   * Records the second before `snapshot.at` if not yet recorded. `snapshot` must list the top channels and types
   * (by 10 s rate, `(other)` last) with their rate over the last completed second.
   */
  record(snapshot: MonitorSnapshot, ages?: Array<[string, number]>): boolean {
    const t = Math.floor(snapshot.at / 1000) - 1;
    if (t <= this.lastSecond) return false;
    this.lastSecond = t;
    const top = (rows: MonitorSnapshot['channels']): Array<[string, number]> => {
      const out: Array<[string, number]> = [];
      let other = 0;
      for (const r of rows) {
        if (r.name !== '(other)' && out.length < MAX_SERIES) {
          if (r.rate1s > 0) out.push([clip(r.name, MAX_NAME_CHARS), r.rate1s]);
        } else other += r.rate1s;
      }
      if (other > 0) out.push(['(other)', other]);
      return out;
    };
    const streams: Array<[string, number]> = [];
    const lags: Array<[string, number]> = [];
    for (const s of snapshot.streams.slice(0, MAX_STREAMS)) {
      if (s.exists) streams.push([clip(s.stream, MAX_NAME_CHARS), s.length]);
      for (const g of s.groups) if (g.lag !== null && lags.length < MAX_SERIES) lags.push([clip(lagKey(s.stream, g.name), MAX_NAME_CHARS), g.lag]);
    }
    const point: Point = { t, total: snapshot.total.rate1s, channels: top(snapshot.channels), types: top(snapshot.types), streams, lags };
    if (ages?.length) point.ages = ages.slice(0, MAX_SERIES);
    this.points.push(point);
    if (this.points.length > this.capacity) this.points.splice(0, this.points.length - this.capacity);
    this.recorded++;
    return true;
  }

  /** All points kept, oldest first. */
  all(): Point[] {
    return this.points.slice();
  }

  /** The points recorded after the cursor `count` (at most `max`, the newest of them). */
  since(count: number, max: number): Point[] {
    const n = Math.min(this.recorded - count, this.points.length, max);
    return n > 0 ? this.points.slice(this.points.length - n) : [];
  }

  clear(): void {
    this.points.length = 0;
    this.lastSecond = -1;
    this.recorded = 0;
  }
}

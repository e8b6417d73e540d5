// Lag over time per consumer group: each sample() reads every group of a stream (lag and the age of its oldest
// pending entry) and keeps the last `capacity` samples per group, so a view can draw a trend instead of a number.
// Stuck consumers: a consumer whose oldest pending entry has aged past a threshold while another consumer of the
// same group has read recently (the group moves, this one does not). claimStuck hands such entries to a healthy
// consumer (XCLAIM with the same min idle time, so an entry the stuck consumer just acknowledged or re-read is not
// taken from it).
import { BadInputError } from '../errors';
import { groupsWithLag } from '../store/consumer-groups';
import type { Transport } from '../transport/types';

/** Consumers of one group whose oldest pending entry is looked at per sample, at most. */
export const MAX_CONSUMERS_CHECKED = 100;

export interface LagSample {
  /** ms since the epoch. */
  at: number;
  /** Entries not yet delivered to the group; null when Redis cannot tell. */
  lag: number | null;
  pending: number;
  /** Idle time of the group's oldest-delivered pending entry, ms; 0 with nothing pending. */
  oldestPendingMs: number;
}

export interface StuckConsumer {
  stream: string;
  group: string;
  consumer: string;
  pending: number;
  /** The idle time of its oldest pending entry. */
  oldestPendingMs: number;
  /** A consumer of the same group that read recently. */
  healthy: string;
}

export interface LagHistoryOptions {
  /** Samples kept per group. @default 120 */
  capacity?: number;
  /** A consumer's pending entry older than this makes it stuck (when another moves). @default 60,000 */
  stuckAfterMs?: number;
  now?: () => number;
}

export class LagHistory {
  private readonly samples = new Map<string, LagSample[]>();
  readonly capacity: number;
  private stuckAfter: number;
  private readonly now: () => number;

  constructor(private readonly transport: Transport, options: LagHistoryOptions = {}) {
    this.capacity = options.capacity ?? 120;
    this.stuckAfter = options.stuckAfterMs ?? 60_000;
    if (!(this.capacity >= 1) || !(this.stuckAfter > 0)) throw new BadInputError('capacity must be ≥ 1 and stuckAfterMs > 0');
    this.now = options.now ?? Date.now;
  }

  /** A pending entry older than this makes its consumer stuck (when another of its group moves). */
  get stuckAfterMs(): number {
    return this.stuckAfter;
  }

  /** A new threshold (a setting changed): the history is kept. */
  set stuckAfterMs(ms: number) {
    if (!(ms > 0)) throw new BadInputError('stuckAfterMs must be > 0');
    this.stuckAfter = ms;
  }

  /** Samples every group of `stream`; resolves with the consumers found stuck now. */
  async sample(stream: string): Promise<StuckConsumer[]> {
    const groups = await groupsWithLag(this.transport, stream);
    const stuck: StuckConsumer[] = [];
    // A group destroyed since the last sample takes its history with it.
    const names = new Set(groups.map((g) => g.name));
    for (const [group] of this.latest(stream)) if (!names.has(group)) this.samples.delete(`${stream}\u0000${group}`);
    for (const g of groups) {
      const [oldest] = g.pending > 0 ? await this.transport.xpendingRange(stream, g.name, { count: 1 }) : [];
      this.keep(`${stream}\u0000${g.name}`, { at: this.now(), lag: g.lag, pending: g.pending, oldestPendingMs: oldest?.idleMs ?? 0 });
      if (g.pending > 0) stuck.push(...(await this.stuckIn(stream, g.name)));
    }
    return stuck;
  }

  /** The samples of one group, oldest first. */
  history(stream: string, group: string): readonly LagSample[] {
    return this.samples.get(`${stream}\u0000${group}`) ?? [];
  }

  /** The newest sample of each group of `stream` kept now, as [group, sample]. */
  latest(stream: string): Array<[string, LagSample]> {
    const prefix = `${stream}\u0000`;
    const out: Array<[string, LagSample]> = [];
    for (const [key, list] of this.samples) if (key.startsWith(prefix) && list.length) out.push([key.slice(prefix.length), list[list.length - 1]]);
    return out;
  }

  /** e.g. "lag 120 → 4,300 over 2 min": the trend a tree item shows. */
  trend(stream: string, group: string): string | null {
    const h = this.history(stream, group);
    if (h.length < 2) return null;
    const a = h[0];
    const b = h[h.length - 1];
    const mins = Math.max(1, Math.round((b.at - a.at) / 60_000));
    return `lag ${a.lag ?? '?'} → ${b.lag ?? '?'} over ${mins} min`;
  }

  forget(stream: string): void {
    for (const key of [...this.samples.keys()]) if (key.startsWith(`${stream}\u0000`)) this.samples.delete(key);
  }

  private keep(key: string, s: LagSample): void {
    let list = this.samples.get(key);
    if (!list) this.samples.set(key, (list = []));
    list.push(s);
    if (list.length > this.capacity) list.splice(0, list.length - this.capacity);
  }

  private async stuckIn(stream: string, group: string): Promise<StuckConsumer[]> {
    const consumers = await this.transport.xinfoConsumers(stream, group);
    // Healthy: read within the threshold (inactive on Redis 7.2+, else idle) and not itself holding old entries.
    const recent = consumers.filter((c) => (c.inactiveMs ?? c.idleMs) < this.stuckAfter);
    const out: StuckConsumer[] = [];
    // One XPENDING per consumer holding entries, at most MAX_CONSUMERS_CHECKED of them (the longest idle first): a
    // group of thousands of consumers costs a bounded round, not thousands of calls every few seconds.
    const holding = consumers.filter((c) => c.pending > 0).sort((a, b) => b.idleMs - a.idleMs).slice(0, MAX_CONSUMERS_CHECKED);
    for (const c of holding) {
      const healthy = recent.find((r) => r.name !== c.name);
      if (!healthy) continue; // nobody else moves: a quiet group, not a stuck consumer
      const [oldest] = await this.transport.xpendingRange(stream, group, { count: 1, consumer: c.name });
      if (!oldest || oldest.idleMs < this.stuckAfter) continue;
      out.push({ stream, group, consumer: c.name, pending: c.pending, oldestPendingMs: oldest.idleMs, healthy: healthy.name });
    }
    return out;
  }
}

export interface ClaimResult {
  /** Entries now owned by the target consumer. */
  claimed: number;
  /** Pending ids not handed over: their entries were deleted (XCLAIM drops those ids) or were read again meanwhile. */
  skipped: number;
  /** Pages read (XPENDING + XCLAIM each). */
  pages: number;
  /** The `max` was reached: more entries of the stuck consumer may be old enough; running it again takes them. */
  more: boolean;
}

/**
 * Moves a stuck consumer's entries idle at least `minIdleMs` to `stuck.healthy`, a page at a time (XPENDING … IDLE
 * for that consumer, then XCLAIM with the same min idle: an entry the stuck consumer read again meanwhile stays its
 * own). At most `max` entries per call. Safe to repeat: a claimed entry is idle 0 for its new owner and not taken again.
 */
export async function claimStuck(transport: Transport, stuck: Pick<StuckConsumer, 'stream' | 'group' | 'consumer' | 'healthy'>, minIdleMs: number, options: { max?: number; pageSize?: number } = {}): Promise<ClaimResult> {
  const max = options.max ?? 10_000;
  const pageSize = Math.max(1, Math.min(options.pageSize ?? 500, 1000));
  if (stuck.consumer === stuck.healthy) throw new BadInputError('Claim for another consumer than the stuck one.');
  const result: ClaimResult = { claimed: 0, skipped: 0, pages: 0, more: false };
  let seen = 0;
  let start = '-';
  while (seen < max) {
    const want = Math.min(pageSize, max - seen);
    const page = await transport.xpendingRange(stuck.stream, stuck.group, { start, end: '+', count: want, consumer: stuck.consumer, minIdleMs });
    if (page.length === 0) break;
    result.pages++;
    seen += page.length;
    const claimed = await transport.xclaim(stuck.stream, stuck.group, stuck.healthy, minIdleMs, page.map((p) => p.id));
    result.claimed += claimed.length;
    // XCLAIM answers nothing for an id whose entry is gone (and drops it) or that became younger than minIdleMs.
    result.skipped += page.length - claimed.length;
    start = `(${page[page.length - 1].id}`;
    if (page.length < want) break;
    if (seen >= max) result.more = true;
  }
  return result;
}

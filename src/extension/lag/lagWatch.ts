// Lag over time on the active connection: every `ucore.lag.sampleSeconds` the core's LagHistory samples the streams
// the live monitor watches and those whose groups the Streams view listed (at most MAX_WATCHED, the most recently
// listed kept), keeping a short history per consumer group (lag, oldest pending age) for the tree's trend and the
// monitor's chart. A consumer whose pending entries aged past `ucore.lag.stuckAfterSeconds` while another consumer of
// its group reads is stuck: one episode from the first sample that finds it until a sample that does not, heard once
// through onDidChangeStuck (the notification and the monitor's alert come from that, not from every sample).
//
// Works on any group: the samples read XINFO GROUPS / XINFO CONSUMERS / XPENDING, whoever created the group.
import { describeError, LagHistory, lagTrend, type LagTrend, type Logger, type StuckConsumer } from '../../core/index';
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connections/connectionManager';
import type { Settings } from '../connections/settings';
import { Disposable } from '../lifecycle';
import type { ActiveConnection } from '../services';

/** Streams sampled besides the monitor's: the ones the Streams view showed groups of most recently. */
export const MAX_WATCHED = 20;
/** Samples kept per group (at the default 5 s: the last 10 minutes). */
export const LAG_SAMPLES = 120;

export interface StuckChange {
  started: StuckConsumer[];
  ended: StuckConsumer[];
}

const stuckKey = (stream: string, group: string, consumer: string) => `${stream}\u0000${group}\u0000${consumer}`;

export class LagWatch extends Disposable {
  private history: LagHistory | undefined;
  private connection: ActiveConnection | undefined;
  /** Streams the tree listed groups of, least recently first. */
  private readonly watched = new Set<string>();
  private readonly stuckNow = new Map<string, StuckConsumer>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private intervalMs = 0;
  private running: Promise<void> | undefined;
  private readonly sampled = this.register(new vscode.EventEmitter<void>());
  /** A round of samples finished (the tree's trends may have changed). */
  readonly onDidSample = this.sampled.event;
  private readonly stuckChanged = this.register(new vscode.EventEmitter<StuckChange>());
  /** Consumers became stuck, or stopped being stuck (claimed, acknowledged, caught up, gone). */
  readonly onDidChangeStuck = this.stuckChanged.event;

  constructor(
    connections: ConnectionManager,
    private readonly settings: Settings,
    private readonly log: Logger,
    /** The live monitor's streams (always sampled: the stuck alert does not wait for the tree to be opened). */
    private readonly monitorStreams: () => string[],
  ) {
    super();
    this.register(connections.onDidChangeActive((live) => this.follow(live)));
    this.register(settings.onDidChange(() => this.applySettings()));
    this.register({ dispose: () => this.stopTimer() });
    this.follow(connections.live(connections.activeConnectionName));
  }

  get stuckAfterMs(): number {
    return this.settings.get('lagStuckAfterSeconds') * 1000;
  }

  /** The Streams view listed the groups of `stream`: sample it from now on (the least recently listed goes first). */
  watch(stream: string): void {
    this.watched.delete(stream);
    this.watched.add(stream);
    if (this.watched.size > MAX_WATCHED) {
      const [oldest] = this.watched;
      this.watched.delete(oldest);
      if (!this.monitorStreams().includes(oldest)) this.history?.forget(oldest);
    }
  }

  /** The lag history of a group summed up; null before two samples. */
  trend(stream: string, group: string): LagTrend | null {
    return this.history ? lagTrend(this.history.history(stream, group)) : null;
  }

  /** The consumer, when it is stuck now. */
  stuck(stream: string, group: string, consumer: string): StuckConsumer | undefined {
    return this.stuckNow.get(stuckKey(stream, group, consumer));
  }

  /** Stuck consumers now, of one group or all. */
  stuckConsumers(stream?: string, group?: string): StuckConsumer[] {
    return [...this.stuckNow.values()].filter((s) => (stream === undefined || s.stream === stream) && (group === undefined || s.group === group));
  }

  /** `stream › group` → the oldest pending entry's idle time in seconds, as of the last sample, for `streams`. */
  pendingAges(streams: string[], max: number): Array<[string, string, number]> {
    const out: Array<[string, string, number]> = [];
    if (!this.history) return out;
    for (const stream of streams) {
      for (const [group, last] of this.history.latest(stream)) {
        if (out.length >= max) return out;
        out.push([stream, group, Math.round(last.oldestPendingMs / 100) / 10]);
      }
    }
    return out;
  }

  /** Samples now (after a claim, or in tests) instead of waiting for the timer; resolves when done. */
  async sampleNow(): Promise<void> {
    await this.running; // a round begun before (e.g. before a claim) would report what was: wait, then look again
    await this.tick();
  }

  private follow(live: ActiveConnection | undefined): void {
    if (live === this.connection && this.history) return;
    this.connection = live;
    this.watched.clear();
    this.history = live ? new LagHistory(live.transport, { capacity: LAG_SAMPLES, stuckAfterMs: this.stuckAfterMs }) : undefined;
    this.setStuck([]);
    if (live) this.startTimer();
    else this.stopTimer();
  }

  private applySettings(): void {
    if (this.history && this.history.stuckAfterMs !== this.stuckAfterMs) this.history.stuckAfterMs = this.stuckAfterMs;
    if (this.timer && this.intervalMs !== this.settings.get('lagSampleSeconds') * 1000) this.startTimer();
  }

  private startTimer(): void {
    this.stopTimer();
    this.intervalMs = this.settings.get('lagSampleSeconds') * 1000;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round at a time: a slow server makes rounds rarer, never piles them up. */
  private tick(): Promise<void> {
    this.running ??= this.round().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async round(): Promise<void> {
    const history = this.history;
    const conn = this.connection;
    if (!history || !conn || conn.transport.status !== 'ready') return;
    const streams = [...new Set([...this.monitorStreams(), ...this.watched])];
    const found: StuckConsumer[] = [];
    for (const stream of streams) {
      try {
        found.push(...(await history.sample(stream)));
      } catch (e) {
        // A key of another type, a timeout: no lag this round; its stuck consumers stay stuck (no second notification
        // for the same episode after one failed sample).
        this.log.debug(`lag sample of ${stream}: ${describeError(e)}`);
        found.push(...this.stuckConsumers(stream));
      }
      if (this.history !== history) return; // the connection changed meanwhile
    }
    this.setStuck(found);
    this.sampled.fire();
  }

  private setStuck(found: StuckConsumer[]): void {
    const next = new Map(found.map((s) => [stuckKey(s.stream, s.group, s.consumer), s]));
    const started = found.filter((s) => !this.stuckNow.has(stuckKey(s.stream, s.group, s.consumer)));
    const ended = [...this.stuckNow.entries()].filter(([k]) => !next.has(k)).map(([, s]) => s);
    this.stuckNow.clear();
    for (const [k, s] of next) this.stuckNow.set(k, s);
    if (started.length || ended.length) {
      for (const s of started) this.log.warn(`stuck consumer ${s.consumer} of ${s.stream} › ${s.group}: ${s.pending} pending, oldest idle ${s.oldestPendingMs} ms while ${s.healthy} reads`);
      this.stuckChanged.fire({ started, ended });
    }
  }
}

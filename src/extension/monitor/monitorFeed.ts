// The monitor's one heartbeat: a timer looks at the core EventMonitor's counters (nothing of ours runs per event)
// and, when there is something new — events counted, a second completed — takes ONE snapshot and pushes it as a
// frame. Everything that shows figures subscribes instead of polling: the per-second history and the lag alerts,
// the monitor panel (onFrame, coalesced to at most 10 updates a second), the Channels tree's rates and the status
// bar (onViewFrame: at most two a second while events arrive, one every two seconds while the rates decay to zero,
// nothing once they are still). Readers between frames use `latest`.
//
// The timer ticks every 250 ms, or faster while a consumer asks for it with `want` (the panel, while someone can
// see it): a snapshot costs the same however many names it lists, so the frame lists enough for every consumer.
import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../lifecycle';
import {
  describeError,
  type Logger,
  foldTop,
  type EventMonitor,
  type MonitorSnapshot,
  type RateSummary,
} from '../../core/index';

/** Channels and types listed by name in a frame's snapshot (the Channels tree lists this many). */
export const FRAME_TOP = 500;
const TICK_MS = 250;
/** View frames: at most one per VIEW_MS while events arrive, one per DECAY_VIEW_MS while rates decay. */
const VIEW_MS = 500;
const DECAY_VIEW_MS = 2000;
/** Rates are computed over up to 60 s: keep telling views that long after the last event. */
const DECAY_FOR_MS = 65_000;
const OTHER = '(other)';

export interface MonitorFrame {
  /** Increases by one per frame. */
  seq: number;
  /** The connection whose figures these are: the one the monitor shows, connected or not. */
  connection: string;
  /** That connection is monitored now (false: what its monitor counted before it went away, or nothing). */
  live: boolean;
  /**
   * One snapshot of that connection's core monitor (FRAME_TOP channels and types by name, no recent events);
   * undefined when it has none yet.
   */
  snapshot: MonitorSnapshot | undefined;
  /** The core monitor's eventsSeen when the snapshot was taken. */
  eventsSeen: number;
  /** A second completed since the previous frame of the timer (a pushed frame says false). */
  newSecond: boolean;
}

/** What the feed looks at: the core monitor of the connection shown (running, or stopped with its counts). */
export interface FeedSource {
  readonly connection: string;
  readonly live: boolean;
  readonly monitor: EventMonitor | undefined;
  /** That monitor counts now: the timer looks at it only then. */
  readonly running: boolean;
}

/** The first `top` rows of `rows` (a snapshot's channels or types, `(other)` last), the rest summed into `(other)`. */
export function topRows(rows: readonly RateSummary[], top: number): RateSummary[] {
  const other = rows.find((r) => r.name === OTHER);
  return foldTop(rows.filter((r) => r.name !== OTHER), top, other ? { ...other } : { name: OTHER, total: 0, rate1s: 0, rate10s: 0, rate60s: 0 });
}

export class MonitorFeed extends Disposable {
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = TICK_MS;
  private readonly wanted = new Set<number[]>();
  private frame: MonitorFrame;
  private seq = 0;
  private lastSeen = 0;
  private lastSecond = 0;
  private lastEventAt = 0;
  private lastViewAt = 0;
  private viewPending = false;
  private readonly frames = this.register(new vscode.EventEmitter<MonitorFrame>());
  /** Every frame (a snapshot taken because something changed). */
  readonly onFrame = this.frames.event;
  private readonly viewFrames = this.register(new vscode.EventEmitter<MonitorFrame>());
  /** Frames for views that redraw whole: at most every 500 ms with traffic, every 2 s while rates decay. */
  readonly onViewFrame = this.viewFrames.event;

  constructor(private readonly source: () => FeedSource, private readonly log: Logger) {
    super();
    this.register(toDisposable(() => {
      this.stop();
      this.wanted.clear();
    }));
    this.frame = this.take(Date.now(), false);
  }

  /** The last frame pushed. */
  get latest(): MonitorFrame {
    return this.frame;
  }

  /**
   * Asks for a frame at least every `intervalMs` while the returned disposable lives (frames still come only when
   * something changed).
   */
  want(intervalMs: number): vscode.Disposable {
    const entry = [intervalMs];
    this.wanted.add(entry);
    this.retime();
    return new vscode.Disposable(() => {
      if (this.wanted.delete(entry)) this.retime();
    });
  }

  /** Starts ticking (the source's monitor runs). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A frame of the figures as they are now, given to the caller only (tests: no waiting for the next tick). */
  now(): MonitorFrame {
    return this.take(Date.now(), false);
  }

  /** A frame now, to every subscriber: the connection shown changed, or its figures were cleared. */
  push(): MonitorFrame {
    const frame = this.take(Date.now(), false);
    this.lastSeen = frame.eventsSeen;
    this.viewPending = false;
    this.lastViewAt = Date.now();
    this.emit(frame, true);
    return frame;
  }

  private retime(): void {
    let ms = TICK_MS;
    for (const [w] of this.wanted) ms = Math.min(ms, w);
    if (ms === this.intervalMs) return;
    this.intervalMs = ms;
    if (this.timer) {
      this.stop();
      this.start();
    }
  }

  private tick(): void {
    const { monitor, running } = this.source();
    if (!monitor || !running) return;
    const now = Date.now();
    const seen = monitor.eventsSeen;
    const newEvents = seen !== this.lastSeen;
    if (newEvents) {
      this.lastSeen = seen;
      this.lastEventAt = now;
      this.viewPending = true;
    }
    const newSecond = Math.floor(now / 1000) !== this.lastSecond;
    const viewDue = (this.viewPending && now - this.lastViewAt >= VIEW_MS)
      || (!this.viewPending && now - this.lastEventAt < DECAY_FOR_MS && now - this.lastViewAt >= DECAY_VIEW_MS);
    if (!newEvents && !newSecond && !viewDue) return;
    let frame: MonitorFrame;
    try {
      frame = this.take(now, true);
    } catch (e) {
      this.log.error(`monitor frame: ${describeError(e)}`);
      return;
    }
    if (viewDue) {
      this.viewPending = false;
      this.lastViewAt = now;
    }
    this.emit(frame, viewDue);
  }

  /** One snapshot; `ticked`: a frame of the timer, which says when a second completed (pushed frames do not). */
  private take(now: number, ticked: boolean): MonitorFrame {
    const { connection, live, monitor } = this.source();
    const snapshot = monitor?.snapshot({ top: FRAME_TOP, recent: 0 });
    const second = Math.floor(now / 1000);
    const newSecond = ticked && second !== this.lastSecond;
    if (ticked) this.lastSecond = second;
    return { seq: ++this.seq, connection, live, snapshot, eventsSeen: monitor?.eventsSeen ?? 0, newSecond };
  }

  private emit(frame: MonitorFrame, forViews: boolean): void {
    this.frame = frame;
    this.frames.fire(frame);
    if (forViews) this.viewFrames.fire(frame);
  }
}

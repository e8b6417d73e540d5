// Builds what the panel sends: an `init` (history, rules, alert log) when the page says ready, then `update`
// deltas — only the recent events, points and alert changes since the previous update, each list bounded — so a
// page open for hours at 100k events/s receives at most 500 rows a second and never a growing array. The figures
// come from the MonitorFeed's frame: the builder takes no snapshot of its own.
import { DEFAULT_STORE_CHANNEL, type MonitorSnapshot, type RateSummary, type RecentEvent } from '../../core/index';
import { clip, MAX_ALERTS, MAX_GROUPS, MAX_NAME_CHARS, MAX_POINTS_PER_UPDATE, MAX_PREVIEW_CHARS, MAX_RATES, MAX_RECENT_PER_UPDATE, MAX_NOTE_CHARS, MAX_STREAMS } from '../../shared/monitorLimits';
import type { HostMessage, MonitorUpdate, RateRow, RecentRow, StreamRow } from '../../shared/monitorProtocol';
import { monitorStatus, stateOfStatus } from '../connections/connectionState';
import { ContractsUpdate, type LiveContractsSource } from './contractsUpdate';
import type { InspectStore } from './inspectStore';
import type { LiveMonitor } from './liveMonitor';
import { topRows, type MonitorFrame } from './monitorFeed';

const SUBSCRIBERS_EVERY_MS = 2000;

/** Said on the store's channel row: otherwise every stored event looks counted twice for no reason. */
export const STORE_CHANNEL_NOTE = `The event store republishes every stored event on "${DEFAULT_STORE_CHANNEL}" (as the guide's does), so a stored event is counted twice: on the channel it was published to, and here.`;

export interface UpdateSource {
  monitor: LiveMonitor;
  demoRunning(): boolean;
  /** The connection the demo runs on, while it runs. */
  demoConnection?(): string | undefined;
  /** The live contract check, when the extension has one. */
  contracts?: LiveContractsSource;
}

export class UpdateBuilder {
  private seq = 0;
  /** The monitor's eventsSeen at the previous update: recent events after it are new. */
  private recentCursor = 0;
  private historyCursor = 0;
  private alertCursor = 0;
  private subscribers = new Map<string, number>();
  private subscribersAt = 0;
  private subscribersBusy = false;
  private subscribersOf = '';
  private readonly contracts: ContractsUpdate | undefined;

  constructor(private readonly source: UpdateSource, private readonly inspect: InspectStore) {
    this.contracts = source.contracts && new ContractsUpdate(source.contracts);
  }

  /** The whole picture for a page that starts (or restarts) from scratch; later updates are deltas from here. */
  init(paused: boolean, focusChannel: string | null, notice: string | null = null): HostMessage {
    const m = this.source.monitor;
    if (m.shownConnection !== this.subscribersOf) {
      // Subscriber counts belong to a connection too: ask the one shown now at the next update.
      this.subscribers = new Map();
      this.subscribersAt = 0;
      this.subscribersOf = m.shownConnection;
    }
    this.historyCursor = m.history.count;
    this.alertCursor = m.alertLog.lastSeq;
    this.contracts?.restart();
    // The table starts with the newest events already counted (as of the feed's last frame, which the update shows).
    this.recentCursor = Math.max(0, m.feed.latest.eventsSeen - MAX_RECENT_PER_UPDATE);
    return {
      type: 'init',
      paused,
      focusChannel: focusChannel === null ? null : clip(focusChannel, MAX_NAME_CHARS),
      rules: m.rules,
      history: m.history.all(),
      alertLog: m.alertLog.all().slice(-MAX_ALERTS),
      connection: clip(m.shownConnection, MAX_NAME_CHARS),
      notice: notice === null ? null : clip(notice, MAX_NOTE_CHARS),
    };
  }

  /** The update for `frame` (the panel gives the feed's latest): its figures, and what came since the previous update. */
  update(frame: MonitorFrame = this.source.monitor.feed.now()): MonitorUpdate {
    const m = this.source.monitor;
    const snap = frame.snapshot;
    const demoConnection = this.source.demoRunning() ? this.source.demoConnection?.() : undefined;
    const seen = frame.eventsSeen;
    if (seen < this.recentCursor) this.recentCursor = 0; // cleared, or another connection
    const fresh = seen - this.recentCursor;
    // Events counted after the frame wait for the next one, so the table agrees with the frame's totals.
    const after = Math.max(0, m.eventsSeen - seen);
    const recent = fresh > 0 ? m.recent(Math.min(fresh, MAX_RECENT_PER_UPDATE) + after).filter((e) => e.seq > this.recentCursor && e.seq <= seen) : [];
    this.recentCursor = seen;
    const rows = recent.map((e) => this.recentRow(e));
    if (m.history.count < this.historyCursor) this.historyCursor = 0;
    const points = m.history.since(this.historyCursor, MAX_POINTS_PER_UPDATE);
    this.historyCursor = m.history.count;
    const alertLog = m.alertLog.since(this.alertCursor).slice(-MAX_ALERTS);
    this.alertCursor = m.alertLog.lastSeq;
    const channels = topRows(snap?.channels ?? [], MAX_RATES).map((r) => this.rateRow(r, true));
    this.refreshSubscribers(channels.map((c) => c.name).filter((n) => n !== '(other)'));
    return {
      seq: ++this.seq,
      at: snap?.at ?? Date.now(),
      // The connection shown, connected or not (its history is shown either way); status 'none' when not connected.
      connection: clip(frame.connection, MAX_NAME_CHARS),
      status: monitorStatus(snap && frame.live ? stateOfStatus(snap.connection) : undefined),
      gaps: snap?.gaps ?? 0,
      lastGapAt: snap?.lastGapAt ?? null,
      demoRunning: this.source.demoRunning(),
      demoConnection: demoConnection === undefined ? null : clip(demoConnection, MAX_NAME_CHARS),
      eventsSeen: seen,
      total: snap ? this.rateRow(snap.total, false) : { name: 'total', total: 0, rate1s: 0, rate10s: 0, rate60s: 0 },
      channels,
      types: topRows(snap?.types ?? [], MAX_RATES).map((r) => this.rateRow(r, false)),
      streams: (snap?.streams ?? []).slice(0, MAX_STREAMS).map(streamRow),
      recent: rows,
      skipped: Math.max(0, fresh - rows.length),
      points,
      active: m.activeAlerts().slice(-MAX_ALERTS),
      alertLog,
      dashboard: m.dashboardView(),
      ...(this.contracts ? { contracts: this.contracts.build() } : {}),
    };
  }

  private recentRow(e: RecentEvent): RecentRow {
    this.inspect.add({ seq: e.seq, channel: e.channel, type: e.type, receivedAt: e.receivedAt, payload: e.payload, truncated: e.truncated });
    return {
      seq: e.seq,
      channel: clip(e.channel, MAX_NAME_CHARS),
      receivedAt: e.receivedAt,
      type: clip(e.type, MAX_NAME_CHARS),
      entity: e.entity === null ? null : clip(e.entity, MAX_NAME_CHARS),
      sizeBytes: e.sizeBytes,
      preview: clip(e.payload, MAX_PREVIEW_CHARS),
      truncated: e.truncated || e.payload.length > MAX_PREVIEW_CHARS,
    };
  }

  private rateRow(r: RateSummary, channel: boolean): RateRow {
    const row: RateRow = { name: clip(r.name, MAX_NAME_CHARS), total: r.total, rate1s: r.rate1s, rate10s: r.rate10s, rate60s: r.rate60s };
    if (channel && r.name !== '(other)') row.subscribers = this.subscribers.get(r.name) ?? null;
    if (channel && r.name === DEFAULT_STORE_CHANNEL) row.note = STORE_CHANNEL_NOTE;
    return row;
  }

  /** PUBSUB NUMSUB of the listed channels every 2 s, never two at once; the update uses the last answer. */
  private refreshSubscribers(channels: string[]): void {
    const now = Date.now();
    if (this.subscribersBusy || now - this.subscribersAt < SUBSCRIBERS_EVERY_MS || channels.length === 0) return;
    this.subscribersBusy = true;
    this.subscribersAt = now;
    const of = this.subscribersOf;
    this.source.monitor.subscriberCounts(channels).then(
      (counts) => { if (this.subscribersOf === of) this.subscribers = counts; },
      () => { /* the next update shows the last known counts; the connection state says why */ },
    ).finally(() => { this.subscribersBusy = false; });
  }
}

function streamRow(s: MonitorSnapshot['streams'][number]): StreamRow {
  const row: StreamRow = {
    stream: clip(s.stream, MAX_NAME_CHARS),
    exists: s.exists,
    length: s.length,
    entriesPerSecond: s.entriesPerSecond,
    groups: s.groups.slice(0, MAX_GROUPS).map((g) => ({ name: clip(g.name, MAX_NAME_CHARS), consumers: g.consumers, pending: g.pending, lag: g.lag })),
  };
  if (s.error !== undefined) row.error = clip(s.error, 500);
  return row;
}

// One EventMonitor (core) on the active connection, shared by the Channels view, the status bar and the monitor
// panel. It follows the active connection. Listeners hear at most two updates a second, however busy the traffic;
// while rates are still decaying after traffic stops, an update every two seconds brings them down to zero.
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { EventMonitor, type MonitorSnapshot, type SnapshotOptions } from '../../core/monitor';
import type { ConnectionManager } from '../connections/connectionManager';
import type { Settings } from '../connections/settings';
import type { ActiveConnection } from '../services';

export interface ChannelActivity {
  channel: string;
  /** Events/s over the last 10 s. */
  ratePerSecond: number;
  total: number;
}

const UPDATE_MS = 500;
const DECAY_UPDATE_MS = 2000;
/** Rates are computed over up to 60 s: keep updating that long after the last event. */
const DECAY_FOR_MS = 65_000;
const OTHER = '(other)';
const CHANNELS_LISTED = 500;

export class LiveMonitor implements vscode.Disposable {
  private monitor: EventMonitor | undefined;
  private connection: ActiveConnection | undefined;
  private eventSub: { dispose(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private lastEventAt = 0;
  private lastFireAt = 0;
  private readonly updated = new vscode.EventEmitter<void>();
  /** Coalesced: at most every 500 ms. */
  readonly onDidUpdate = this.updated.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private rebinding: Promise<void> = Promise.resolve();

  constructor(connections: ConnectionManager, private readonly settings: Settings, private readonly log: Logger) {
    this.subscriptions.push(connections.onDidChangeActive((live) => this.follow(live)));
    const current = connections.live(connections.activeConnectionName);
    if (current) this.follow(current);
  }

  /** The connection monitored now. */
  get connectionName(): string | undefined {
    return this.connection?.name;
  }

  snapshot(options: SnapshotOptions = {}): MonitorSnapshot | undefined {
    return this.monitor?.snapshot(options);
  }

  /** Channels seen since the monitor started, busiest first (without the `(other)` bucket). */
  channels(): ChannelActivity[] {
    const snap = this.monitor?.snapshot({ top: CHANNELS_LISTED, recent: 0 });
    if (!snap) return [];
    return snap.channels.filter((c) => c.name !== OTHER).map((c) => ({ channel: c.name, ratePerSecond: c.rate10s, total: c.total }));
  }

  /** Events/s over all channels (10 s average). */
  totalRate(): number {
    return this.monitor?.snapshot({ top: 0, recent: 0 }).total.rate10s ?? 0;
  }

  clear(): void {
    this.monitor?.clear();
    this.updated.fire();
  }

  /** Waits until the monitor follows the current connection (tests). */
  settled(): Promise<void> {
    return this.rebinding;
  }

  private follow(live: ActiveConnection | undefined): void {
    if (live === this.connection) return;
    this.rebinding = this.rebinding.then(() => this.rebind(live), () => this.rebind(live));
  }

  private async rebind(live: ActiveConnection | undefined): Promise<void> {
    const old = this.monitor;
    this.eventSub?.dispose();
    this.eventSub = undefined;
    this.monitor = undefined;
    this.connection = live;
    if (old) await old.stop().catch((e) => this.log.debug(`stopping the monitor: ${describeError(e)}`));
    if (!live) {
      this.stopTimer();
      this.updated.fire();
      return;
    }
    const monitor = new EventMonitor(live.transport, {
      patterns: ['*'],
      recentCapacity: this.settings.get('monitorRecentCapacity'),
      logger: this.log,
    });
    try {
      await monitor.start();
    } catch (e) {
      this.log.warn(`the monitor could not subscribe on "${live.name}": ${describeError(e)}`);
      this.updated.fire();
      return;
    }
    if (this.connection !== live) {
      await monitor.stop().catch(() => undefined);
      return;
    }
    this.monitor = monitor;
    this.eventSub = monitor.onEvent(() => {
      this.dirty = true;
      this.lastEventAt = Date.now();
    });
    this.log.info(`monitoring "${live.name}" (PSUBSCRIBE *)`);
    this.startTimer();
    this.updated.fire();
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = Date.now();
      if (this.dirty || (now - this.lastEventAt < DECAY_FOR_MS && now - this.lastFireAt >= DECAY_UPDATE_MS)) {
        this.dirty = false;
        this.lastFireAt = now;
        this.updated.fire();
      }
    }, UPDATE_MS);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stopTimer();
    this.eventSub?.dispose();
    void this.monitor?.stop().catch(() => undefined);
    this.monitor = undefined;
    for (const s of this.subscriptions) s.dispose();
    this.updated.dispose();
  }
}

// One EventMonitor (core) on the active connection, shared by the Channels view, the status bar and the monitor
// panel. It follows the active connection, samples the store's streams (or `ucore.monitor.streams`), keeps a
// per-second history for the charts, feeds the guide's e-commerce dashboard, and evaluates the alert rules of
// `ucore.monitor.alerts` and of the panel (rates in the core, consumer-group lag here).
//
// History belongs to a connection: each connection shown keeps its own chart history, dashboard and (while its link
// lives) its core monitor with counters and recent events. Switching to another connection parks the current one
// (its core monitor stopped: nothing is counted meanwhile) and switching back shows it again. The last
// KEPT_CONNECTIONS connections are kept; onDidSwitch tells the panel which connection it shows now.
//
// Nothing here runs per event: the core counts, and the MonitorFeed (`feed`) looks at its counters on a timer and
// pushes one snapshot per tick as a frame when something changed. The history, the lag alerts, the panel, the
// Channels tree and the status bar all hear frames; none of them takes a snapshot of its own.
import {
  DEAD_LETTER_STREAM,
  BadInputError,
  describeError,
  type Logger,
  EventMonitor,
  type MonitorAlert,
  type MonitorSnapshot,
  type RecentEvent,
} from '../../core/index';
import * as vscode from 'vscode';
import { clip, MAX_NAME_CHARS, MAX_SERIES } from '../../shared/monitorLimits';
import type { AlertEventRow, AlertRuleRow, DashboardView, NewAlertRule } from '../../shared/monitorProtocol';
import type { ConnectionManager } from '../connections/connectionManager';
import type { Settings } from '../connections/settings';
import { Disposable, toDisposable } from '../lifecycle';
import type { ActiveConnection } from '../services';
import { AlertLog, coreRules, LagAlerts, lagKey, mergeRules, PANEL_RULES_KEY, panelRule } from './alertRules';
import { LiveDashboard } from './dashboard';
import { MonitorHistory } from './history';
import { MonitorFeed, type MonitorFrame } from './monitorFeed';

export interface ChannelActivity {
  channel: string;
  /** Events/s over the last 10 s. */
  ratePerSecond: number;
  total: number;
}

const OTHER = '(other)';
/** Connections whose history is kept: the one shown and the last three before it. */
export const KEPT_CONNECTIONS = 4;

/** The monitor now shows `to` instead of `from`. */
export interface MonitorSwitch {
  from: string;
  to: string;
  /** `to` was shown before and its history came back. */
  restored: boolean;
}

/** What the monitor keeps of one connection. */
class ConnectionRecord {
  readonly history = new MonitorHistory();
  readonly dashboard = new LiveDashboard();
  /** The core monitor on that connection's link (stopped while another connection is shown). */
  core: { live: ActiveConnection; streamsKey: string; monitor: EventMonitor; subs: Array<{ dispose(): void }> } | undefined;

  constructor(readonly name: string) {}

  get hasData(): boolean {
    return this.history.count > 0 || (this.core?.monitor.eventsSeen ?? 0) > 0;
  }

  dropCore(): void {
    for (const s of this.core?.subs ?? []) s.dispose();
    this.core = undefined;
  }
}

/** What the monitor needs to remember between sessions (globalState in the extension, a Map in tests). */
export interface RuleStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export class LiveMonitor extends Disposable {
  /** The core monitor running now (the shown record's, while its connection is connected). */
  private monitor: EventMonitor | undefined;
  private connection: ActiveConnection | undefined;
  /** The connection shown, and those kept before it (least recently shown first). */
  private record: ConnectionRecord;
  private readonly records = new Map<string, ConnectionRecord>();
  private streamsKey = '';
  /** One snapshot per tick of the connection shown, pushed to whoever shows figures. */
  readonly feed: MonitorFeed;
  private readonly alertsChanged = this.register(new vscode.EventEmitter<AlertEventRow>());
  /** An alert fired or resolved. */
  readonly onDidChangeAlerts = this.alertsChanged.event;
  private readonly rulesChanged = this.register(new vscode.EventEmitter<AlertRuleRow[]>());
  readonly onDidChangeRules = this.rulesChanged.event;
  private readonly switched = this.register(new vscode.EventEmitter<MonitorSwitch>());
  /** The monitor shows another connection now (its own history, kept from before, or a new one). */
  readonly onDidSwitch = this.switched.event;
  private readonly runningChanged = this.register(new vscode.EventEmitter<void>());
  /** A core monitor started or stopped counting (another connection, a reconnection, settings): see `running`. */
  readonly onDidChangeRunning = this.runningChanged.event;
  private rebinding: Promise<void> = Promise.resolve();
  readonly alertLog = new AlertLog();
  private readonly lagAlerts = new LagAlerts();
  private readonly active = new Map<string, AlertEventRow>();
  private ruleRows: AlertRuleRow[] = [];

  constructor(
    private readonly connections: ConnectionManager,
    private readonly settings: Settings,
    private readonly log: Logger,
    private readonly store?: RuleStore,
  ) {
    super();
    this.ruleRows = this.loadRules();
    this.record = this.recordFor(connections.activeConnectionName);
    this.streamsKey = this.streams().join('\u0000');
    this.feed = new MonitorFeed(() => ({
      connection: this.record.name,
      live: this.connection !== undefined,
      monitor: this.shown,
      running: this.monitor !== undefined && this.monitor === this.shown,
    }), log);
    this.register(this.feed);
    // Released newest first: the monitor stops (below) before the feed goes.
    this.register(toDisposable(() => this.stopAll()));
    for (const d of [
      this.feed.onFrame((frame) => this.everySecond(frame)),
      connections.onDidChangeActive((live) => this.follow(live)),
      // From one unconnected connection to another, onDidChangeActive stays silent: show the new one's record anyway.
      connections.onDidChange(() => {
        if (!this.connection && connections.activeConnectionName !== this.record.name) this.follow(undefined, true);
      }),
      settings.onDidChange(() => this.settingsChanged()),
    ]) this.register(d);
    const current = connections.live(connections.activeConnectionName);
    if (current) this.follow(current);
  }

  /** The connection monitored now (undefined while the one shown is not connected). */
  get connectionName(): string | undefined {
    return this.connection?.name;
  }

  /** The connection whose history is shown: the active one, connected or not. */
  get shownConnection(): string {
    return this.record.name;
  }

  /** Names of the connections whose history is kept, the one shown last. */
  get keptConnections(): string[] {
    return [...this.records.keys()];
  }

  /** Per-second points for the charts (15 minutes) of the connection shown. */
  get history(): MonitorHistory {
    return this.record.history;
  }

  /**
   * The core monitor of the connection shown: running while it is connected, else stopped with what it counted
   * (kept until that connection connects again with a new link).
   */
  private get shown(): EventMonitor | undefined {
    return this.record.core?.monitor;
  }

  /** The core monitor counting now and the connection it counts on (what the live contract check hooks into). */
  get running(): { monitor: EventMonitor; connection: ActiveConnection } | undefined {
    return this.monitor && this.connection ? { monitor: this.monitor, connection: this.connection } : undefined;
  }

  /** Events counted on the connection shown since its monitor started or was cleared. */
  get eventsSeen(): number {
    return this.shown?.eventsSeen ?? 0;
  }

  /** The newest `limit` recent events, newest first. */
  recent(limit: number): RecentEvent[] {
    return this.shown?.recent(limit) ?? [];
  }

  /** Channels seen since the monitor started, busiest first (without the `(other)` bucket), as of the last frame. */
  channels(): ChannelActivity[] {
    const snap = this.feed.latest.snapshot;
    if (!snap) return [];
    return snap.channels.filter((c) => c.name !== OTHER).map((c) => ({ channel: c.name, ratePerSecond: c.rate10s, total: c.total }));
  }

  /** Events/s over all channels (10 s average), as of the last frame. */
  totalRate(): number {
    return this.feed.latest.snapshot?.total.rate10s ?? 0;
  }

  /** PUBSUB NUMSUB of `channels` on the monitored connection (pattern subscribers, like this monitor, not counted). */
  async subscriberCounts(channels: string[]): Promise<Map<string, number>> {
    const conn = this.connection;
    if (!conn || channels.length === 0 || conn.transport.status !== 'ready') return new Map();
    const rows = await conn.transport.pubsubNumsub(channels);
    return new Map(rows.map((r) => [r.channel, r.subscribers]));
  }

  dashboardView(): DashboardView | null {
    return this.record.dashboard.view();
  }

  /** Alert rules in force: settings first, then the panel's. */
  get rules(): AlertRuleRow[] {
    return this.ruleRows.slice();
  }

  /** Alerts firing now, oldest first. */
  activeAlerts(): AlertEventRow[] {
    return [...this.active.values()];
  }

  /** Adds a rule typed in the panel (kept across sessions); throws BadInputError when it is not valid. */
  async addPanelRule(input: NewAlertRule): Promise<AlertRuleRow> {
    const row = panelRule(input, this.ruleRows);
    const panelRules = [...this.panelRules(), row];
    await this.store?.update(PANEL_RULES_KEY, panelRules);
    this.applyRules(this.loadRules(panelRules));
    return row;
  }

  async removePanelRule(id: string): Promise<boolean> {
    const before = this.panelRules();
    const after = before.filter((r) => r.id !== id);
    if (after.length === before.length) {
      if (this.ruleRows.some((r) => r.id === id && r.source === 'settings')) throw new BadInputError(`"${id}" comes from the setting ucore.monitor.alerts: change it there.`);
      return false;
    }
    await this.store?.update(PANEL_RULES_KEY, after);
    this.applyRules(this.loadRules(after));
    return true;
  }

  clear(): void {
    this.shown?.clear();
    this.record.history.clear();
    this.record.dashboard.clear();
    for (const a of this.lagAlerts.resolveAll(Date.now())) this.alertEvent(a);
    this.feed.push();
  }

  /** The streams the monitor samples (settings, else the event store and dead letters). */
  get sampledStreams(): string[] {
    return this.streams();
  }

  /** An alert raised elsewhere (a stuck consumer): listed, logged and counted like the monitor's own. */
  reportAlert(a: AlertEventRow): void {
    this.alertEvent(a);
  }

  /** `stream › group` → seconds the oldest pending entry has been idle, for the history's age chart (the lag watch). */
  pendingAges: ((streams: string[], max: number) => Array<[string, string, number]>) | undefined;

  /** Waits until the monitor follows the current connection (tests). */
  settled(): Promise<void> {
    return this.rebinding;
  }

  private follow(live: ActiveConnection | undefined, force = false): void {
    if (live === this.connection && !force) return;
    this.rebinding = this.rebinding.then(() => this.rebind(live, force), () => this.rebind(live, force));
  }

  private streams(): string[] {
    const configured = this.settings.get('monitorStreams');
    return configured.length ? configured : [this.settings.get('storeStreamKey'), DEAD_LETTER_STREAM];
  }

  private settingsChanged(): void {
    this.applyRules(this.loadRules());
    const key = this.streams().join('\u0000');
    if (key !== this.streamsKey) {
      this.streamsKey = key;
      this.follow(this.connection, true);
    }
  }

  private panelRules(): AlertRuleRow[] {
    const raw = this.store?.get<unknown>(PANEL_RULES_KEY);
    return Array.isArray(raw) ? (raw as AlertRuleRow[]).filter((r) => r && typeof r.id === 'string' && typeof r.scope === 'string' && typeof r.threshold === 'number' && typeof r.match === 'string') : [];
  }

  private loadRules(panel = this.panelRules()): AlertRuleRow[] {
    return mergeRules(this.settings.monitorAlertRules(), panel);
  }

  private applyRules(rules: AlertRuleRow[]): void {
    this.ruleRows = rules;
    const now = Date.now();
    if (this.monitor) {
      try {
        this.monitor.setAlertRules(coreRules(rules));
      } catch (e) {
        this.log.warn(`alert rules not applied: ${describeError(e)}`);
      }
    }
    for (const a of this.lagAlerts.setRules(rules, now)) this.alertEvent(a);
    this.rulesChanged.fire(this.rules);
  }

  private async rebind(live: ActiveConnection | undefined, fresh = false): Promise<void> {
    const old = this.monitor;
    this.monitor = undefined;
    this.connection = live;
    if (old) {
      this.runningChanged.fire();
      await old.stop().catch((e) => this.log.debug(`stopping the monitor: ${describeError(e)}`));
    }
    for (const a of [...this.active.values()]) this.alertEvent({ ...a, at: Date.now(), state: 'resolved' });
    this.lagAlerts.resolveAll(Date.now());
    this.show(live?.name ?? this.connections.activeConnectionName);
    const record = this.record;
    if (!live) {
      this.feed.stop();
      this.feed.push();
      return;
    }
    // The record's own core monitor comes back when it counted on this very link (same connection object, same
    // streams); after a reconnection or a settings change a new one starts, and the chart history stays.
    const core = record.core;
    const reuse = !fresh && core !== undefined && core.live === live && core.streamsKey === this.streamsKey;
    let monitor: EventMonitor;
    if (reuse) {
      monitor = core.monitor;
    } else {
      record.dropCore();
      monitor = new EventMonitor(live.transport, {
        patterns: ['*'],
        recentCapacity: this.settings.get('monitorRecentCapacity'),
        streams: this.streams(),
        // Tails on this connection subscribe to shard channels through the same adapter: both are counted there.
        shardSubscriber: live.adapter,
        logger: this.log,
      });
      record.core = {
        live, streamsKey: this.streamsKey, monitor,
        subs: [monitor.onAlert((a) => { if (this.monitor === monitor) this.alertEvent(fromCore(a)); }), record.dashboard.attach(monitor)],
      };
    }
    try {
      monitor.setAlertRules(coreRules(this.ruleRows));
    } catch (e) {
      this.log.warn(`alert rules not applied: ${describeError(e)}`);
    }
    try {
      await monitor.start();
    } catch (e) {
      this.log.warn(`the monitor could not subscribe on "${live.name}": ${describeError(e)}`);
      this.feed.push();
      return;
    }
    if (this.connection !== live) {
      await monitor.stop().catch(() => undefined);
      return;
    }
    this.monitor = monitor;
    this.runningChanged.fire();
    this.log.info(`monitoring "${live.name}" (PSUBSCRIBE *; streams ${this.streams().join(', ')})${reuse ? ', history kept from before' : ''}`);
    this.feed.start();
    this.feed.push();
  }

  /** Shows `name`'s record (kept or new), keeps the last KEPT_CONNECTIONS, and says so when it changes. */
  private show(name: string): void {
    const from = this.record;
    const restored = from.name !== name && this.records.has(name) && this.records.get(name)!.hasData;
    const record = this.recordFor(name);
    this.record = record;
    if (from !== record) {
      this.log.info(`showing "${name}"${restored ? ' (its history from before)' : ''}; kept: ${this.keptConnections.join(', ')}`);
      this.feed.push(); // before anyone hears of the switch: the latest frame is the new connection's
      this.switched.fire({ from: from.name, to: name, restored });
    }
  }

  /** The record of `name`, now the most recently shown; the least recently shown beyond the limit are dropped. */
  private recordFor(name: string): ConnectionRecord {
    const record = this.records.get(name) ?? new ConnectionRecord(name);
    this.records.delete(name);
    this.records.set(name, record);
    for (const [n, r] of this.records) {
      if (this.records.size <= KEPT_CONNECTIONS) break;
      this.records.delete(n);
      void r.core?.monitor.stop().catch(() => undefined);
      r.dropCore();
    }
    return record;
  }

  private alertEvent(a: AlertEventRow): void {
    const key = `${a.ruleId}\u0000${a.key}`;
    if (a.state === 'firing') this.active.set(key, a);
    else if (!this.active.delete(key)) return; // resolving something that was not firing: nothing to say
    this.alertLog.push(a);
    this.alertsChanged.fire(a);
  }

  /** Once a second, from the frame of the monitor running: a history point, lag alerts, firing alerts' values. */
  private everySecond(frame: MonitorFrame): void {
    const snap = frame.snapshot;
    if (!frame.newSecond || !snap || !this.monitor || frame.connection !== this.record.name) return;
    try {
      const now = Date.now();
      const ages = this.pendingAges?.(snap.streams.map((s) => s.stream), MAX_SERIES).map(([stream, group, seconds]): [string, number] => [clip(lagKey(stream, group), MAX_NAME_CHARS), seconds]);
      this.record.history.record(snap, ages);
      for (const a of this.lagAlerts.evaluate(snap.streams, now)) this.alertEvent(a);
      for (const a of this.active.values()) this.refreshValue(a, snap);
    } catch (e) {
      this.log.error(`monitor tick: ${describeError(e)}`);
    }
  }

  /** Keeps the value shown for a firing rate alert current (the core updates its own copy). */
  private refreshValue(a: AlertEventRow, snap: MonitorSnapshot): void {
    if (a.scope === 'lag') return;
    const found = snap.activeAlerts.find((c) => c.ruleId === a.ruleId && c.key === a.key);
    if (found) a.value = found.rate;
  }

  private stopAll(): void {
    this.feed.stop();
    void this.monitor?.stop().catch(() => undefined);
    this.monitor = undefined;
    for (const r of this.records.values()) r.dropCore();
    this.records.clear();
  }
}

function fromCore(a: MonitorAlert): AlertEventRow {
  return { ruleId: a.ruleId, scope: a.scope, key: clip(a.key, MAX_NAME_CHARS), value: a.rate, threshold: a.threshold, at: a.at, state: a.state };
}

// One EventMonitor (core) on the active connection, shared by the Channels view, the status bar and the monitor
// panel. It follows the active connection, samples the store's streams (or `ucore.monitor.streams`), keeps a
// per-second history for the charts, feeds the guide's e-commerce dashboard, and evaluates the alert rules of
// `ucore.monitor.alerts` and of the panel (rates in the core, consumer-group lag here).
//
// Nothing here runs per event: the core counts, and a 250 ms timer looks at its counters. Listeners of onDidUpdate
// hear at most two updates a second, however busy the traffic; while rates are still decaying after traffic
// stops, an update every two seconds brings them down to zero.
import * as vscode from 'vscode';
import { BadInputError, describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { EventMonitor, type MonitorAlert, type MonitorSnapshot, type RecentEvent, type SnapshotOptions } from '../../core/monitor';
import { clip, MAX_NAME_CHARS, MAX_SERIES, type AlertEventRow, type AlertRuleRow, type DashboardView, type NewAlertRule } from '../../shared/monitorProtocol';
import type { ConnectionManager } from '../connections/connectionManager';
import type { Settings } from '../connections/settings';
import { DEAD_LETTER_STREAM } from '../constants';
import type { ActiveConnection } from '../services';
import { AlertLog, coreRules, LagAlerts, mergeRules, PANEL_RULES_KEY, panelRule } from './alertRules';
import { LiveDashboard } from './dashboard';
import { MonitorHistory } from './history';

export interface ChannelActivity {
  channel: string;
  /** Events/s over the last 10 s. */
  ratePerSecond: number;
  total: number;
}

const TICK_MS = 250;
const UPDATE_MS = 500;
const DECAY_UPDATE_MS = 2000;
/** Rates are computed over up to 60 s: keep updating that long after the last event. */
const DECAY_FOR_MS = 65_000;
const OTHER = '(other)';
const CHANNELS_LISTED = 500;

/** What the monitor needs to remember between sessions (globalState in the extension, a Map in tests). */
export interface RuleStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export class LiveMonitor implements vscode.Disposable {
  private monitor: EventMonitor | undefined;
  private connection: ActiveConnection | undefined;
  private monitorSubs: Array<{ dispose(): void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private lastSeen = 0;
  private pendingUpdate = false;
  private lastEventAt = 0;
  private lastFireAt = 0;
  private lastSecond = 0;
  private streamsKey = '';
  private readonly updated = new vscode.EventEmitter<void>();
  /** Coalesced: at most every 500 ms. */
  readonly onDidUpdate = this.updated.event;
  private readonly alertsChanged = new vscode.EventEmitter<AlertEventRow>();
  /** An alert fired or resolved. */
  readonly onDidChangeAlerts = this.alertsChanged.event;
  private readonly rulesChanged = new vscode.EventEmitter<AlertRuleRow[]>();
  readonly onDidChangeRules = this.rulesChanged.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private rebinding: Promise<void> = Promise.resolve();
  /** Per-second points for the charts (15 minutes). */
  readonly history = new MonitorHistory();
  private readonly dashboard = new LiveDashboard();
  readonly alertLog = new AlertLog();
  private readonly lagAlerts = new LagAlerts();
  private readonly active = new Map<string, AlertEventRow>();
  private ruleRows: AlertRuleRow[] = [];

  constructor(
    connections: ConnectionManager,
    private readonly settings: Settings,
    private readonly log: Logger,
    private readonly store?: RuleStore,
  ) {
    this.ruleRows = this.loadRules();
    this.streamsKey = this.streams().join('\u0000');
    this.subscriptions.push(
      connections.onDidChangeActive((live) => this.follow(live)),
      settings.onDidChange(() => this.settingsChanged()),
    );
    const current = connections.live(connections.activeConnectionName);
    if (current) this.follow(current);
  }

  /** The connection monitored now. */
  get connectionName(): string | undefined {
    return this.connection?.name;
  }

  /** Events counted since the monitor (re)started or was cleared. */
  get eventsSeen(): number {
    return this.monitor?.eventsSeen ?? 0;
  }

  snapshot(options: SnapshotOptions = {}): MonitorSnapshot | undefined {
    return this.monitor?.snapshot(options);
  }

  /** The newest `limit` recent events, newest first. */
  recent(limit: number): RecentEvent[] {
    return this.monitor?.recent(limit) ?? [];
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

  /** PUBSUB NUMSUB of `channels` on the monitored connection (pattern subscribers, like this monitor, not counted). */
  async subscriberCounts(channels: string[]): Promise<Map<string, number>> {
    const conn = this.connection;
    if (!conn || channels.length === 0 || conn.transport.status !== 'ready') return new Map();
    const rows = await conn.transport.pubsubNumsub(channels);
    return new Map(rows.map((r) => [r.channel, r.subscribers]));
  }

  dashboardView(): DashboardView | null {
    return this.dashboard.view();
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
    this.monitor?.clear();
    this.history.clear();
    this.dashboard.clear();
    for (const a of this.lagAlerts.resolveAll(Date.now())) this.alertEvent(a);
    this.lastSeen = 0;
    this.updated.fire();
  }

  /** Waits until the monitor follows the current connection (tests). */
  settled(): Promise<void> {
    return this.rebinding;
  }

  private follow(live: ActiveConnection | undefined, force = false): void {
    if (live === this.connection && !force) return;
    this.rebinding = this.rebinding.then(() => this.rebind(live), () => this.rebind(live));
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
    return mergeRules(this.settings.monitorAlertRules(), panel, (why) => this.log.warn(why));
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

  private async rebind(live: ActiveConnection | undefined): Promise<void> {
    const old = this.monitor;
    for (const s of this.monitorSubs) s.dispose();
    this.monitorSubs = [];
    this.monitor = undefined;
    this.connection = live;
    if (old) await old.stop().catch((e) => this.log.debug(`stopping the monitor: ${describeError(e)}`));
    this.history.clear();
    this.dashboard.clear();
    for (const a of [...this.active.values()]) this.alertEvent({ ...a, at: Date.now(), state: 'resolved' });
    this.lagAlerts.resolveAll(Date.now());
    this.lastSeen = 0;
    if (!live) {
      this.stopTimer();
      this.updated.fire();
      return;
    }
    const monitor = new EventMonitor(live.transport, {
      patterns: ['*'],
      recentCapacity: this.settings.get('monitorRecentCapacity'),
      streams: this.streams(),
      // Tails on this connection subscribe to shard channels through the same adapter: both are counted there.
      shardSubscriber: live.adapter,
      logger: this.log,
    });
    try {
      monitor.setAlertRules(coreRules(this.ruleRows));
    } catch (e) {
      this.log.warn(`alert rules not applied: ${describeError(e)}`);
    }
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
    this.monitorSubs = [
      monitor.onAlert((a) => this.alertEvent(fromCore(a))),
      this.dashboard.attach(monitor),
    ];
    this.log.info(`monitoring "${live.name}" (PSUBSCRIBE *; streams ${this.streams().join(', ')})`);
    this.startTimer();
    this.updated.fire();
  }

  private alertEvent(a: AlertEventRow): void {
    const key = `${a.ruleId}\u0000${a.key}`;
    if (a.state === 'firing') this.active.set(key, a);
    else if (!this.active.delete(key)) return; // resolving something that was not firing: nothing to say
    this.alertLog.push(a);
    this.alertsChanged.fire(a);
  }

  private startTimer(): void {
    if (this.timer) return;
    // Polls the core's counters instead of listening to every event: nothing of ours runs per event.
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  private tick(): void {
    const monitor = this.monitor;
    if (!monitor) return;
    const now = Date.now();
    const seen = monitor.eventsSeen;
    if (seen !== this.lastSeen) {
      this.lastSeen = seen;
      this.lastEventAt = now;
      this.pendingUpdate = true;
    }
    const dirty = this.pendingUpdate;
    const second = Math.floor(now / 1000);
    if (second !== this.lastSecond) {
      this.lastSecond = second;
      try {
        const snap = monitor.snapshot({ top: MAX_SERIES, recent: 0 });
        this.history.record(snap);
        for (const a of this.lagAlerts.evaluate(snap.streams, now)) this.alertEvent(a);
        for (const a of this.active.values()) this.refreshValue(a, snap);
      } catch (e) {
        this.log.error(`monitor tick: ${describeError(e)}`);
      }
    }
    if ((dirty && now - this.lastFireAt >= UPDATE_MS) || (!dirty && now - this.lastEventAt < DECAY_FOR_MS && now - this.lastFireAt >= DECAY_UPDATE_MS)) {
      this.lastFireAt = now;
      this.pendingUpdate = false;
      this.updated.fire();
    }
  }

  /** Keeps the value shown for a firing rate alert current (the core updates its own copy). */
  private refreshValue(a: AlertEventRow, snap: MonitorSnapshot): void {
    if (a.scope === 'lag') return;
    const found = snap.activeAlerts.find((c) => c.ruleId === a.ruleId && c.key === a.key);
    if (found) a.value = found.rate;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stopTimer();
    for (const s of this.monitorSubs) s.dispose();
    void this.monitor?.stop().catch(() => undefined);
    this.monitor = undefined;
    for (const s of this.subscriptions) s.dispose();
    this.updated.dispose();
    this.alertsChanged.dispose();
    this.rulesChanged.dispose();
  }
}

function fromCore(a: MonitorAlert): AlertEventRow {
  return { ruleId: a.ruleId, scope: a.scope, key: clip(a.key, MAX_NAME_CHARS), value: a.rate, threshold: a.threshold, at: a.at, state: a.state };
}

// The status bar item: the active connection, its state and its event rate; a click picks another connection.
// While a monitor alert fires it turns red and says which (a click then opens the live monitor).
import * as vscode from 'vscode';
import type { ConnectionManager } from './connections/connectionManager';
import { Commands } from './constants';
import { stateText } from './explorer/connectionsTree';
import { formatRate, shorten } from './format';
import { Disposable } from './lifecycle';
import type { LiveMonitor } from './monitor/liveMonitor';

export class StatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(
    private readonly connections: ConnectionManager,
    private readonly monitor: LiveMonitor,
    private readonly demoRunning: () => boolean,
    /** Where the demo runs (it keeps running on its connection when another one becomes active). */
    private readonly demoConnection: () => string | undefined = () => undefined,
  ) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem('ucore.status', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'UCore Events';
    this.item.command = Commands.connectionSelect;
    this.register(connections.onDidChange(() => this.update()));
    this.register(monitor.feed.onViewFrame(() => this.update()));
    this.register(monitor.onDidChangeAlerts(() => this.update()));
    this.update();
    this.item.show();
  }

  /** The text shown now (tests). */
  get text(): string {
    return this.item.text;
  }

  update(): void {
    this.item.command = Commands.connectionSelect;
    const entry = this.connections.active;
    if (!entry) {
      this.item.text = '$(debug-disconnect) UCore: no connection';
      this.item.tooltip = 'Click to pick a connection';
      this.item.backgroundColor = undefined;
      return;
    }
    const { state, config } = entry;
    const alerts = this.monitor.activeAlerts();
    if (alerts.length > 0 && state.kind === 'ready') {
      const a = alerts[alerts.length - 1]!;
      const more = alerts.length > 1 ? ` (+${alerts.length - 1})` : '';
      this.item.text = `$(alert) ${shorten(alertText(a), 60)}${more}`;
      this.item.tooltip = `UCore Events — ${alerts.length === 1 ? 'an alert is' : `${alerts.length} alerts are`} firing on ${shorten(config.name, 100)}:\n`
        + alerts.slice(-10).map((x) => `• ${shorten(x.ruleId, 80)}: ${shorten(alertText(x), 120)}`).join('\n') + '\nClick to open the live monitor';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.command = Commands.monitorOpen;
      return;
    }
    const icon = state.kind === 'ready' ? '$(radio-tower)'
      : state.kind === 'connecting' || state.kind === 'reconnecting' ? '$(sync~spin)'
        : state.kind === 'error' ? '$(error)' : '$(debug-disconnect)';
    const rate = state.kind === 'ready' ? ` ${formatRate(this.monitor.totalRate())}` : '';
    const demoOn = this.demoRunning() ? this.demoConnection() : undefined;
    const demo = !this.demoRunning() ? '' : demoOn && demoOn !== config.name ? ` $(play) demo on ${shorten(demoOn, 30)}` : ' $(play)';
    this.item.text = `${icon} ${shorten(config.name, 40)}${rate}${demo}`;
    this.item.tooltip = `UCore Events — ${shorten(config.name, 100)} (${entry.target}): ${stateText(state)}${config.production ? '\nPRODUCTION' : ''}`
      + `${this.demoRunning() ? `\nDemo traffic runs on ${shorten(demoOn ?? config.name, 100)}` : ''}\nClick to switch connection`;
    this.item.backgroundColor = state.kind === 'error'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : config.production ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  /** The alert shown now, if any (tests). */
  get alerting(): boolean {
    return this.item.command === Commands.monitorOpen;
  }
}

function alertText(a: { scope: string; key: string; value: number; threshold: number }): string {
  if (a.scope === 'stuck') return `${a.key} stuck, oldest pending idle ${formatNumber(a.value)} s`;
  const unit = a.scope === 'lag' ? '' : '/s';
  return `${a.key} ${formatNumber(a.value)}${unit} > ${formatNumber(a.threshold)}${unit}`;
}

function formatNumber(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : Number.isInteger(n) ? String(n) : n.toFixed(1);
}

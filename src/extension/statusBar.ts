// The status bar item: the active connection, its state and its event rate; a click picks another connection.
import * as vscode from 'vscode';
import type { ConnectionManager } from './connections/connectionManager';
import { Commands } from './constants';
import { stateText } from './explorer/connectionsTree';
import { formatRate, shorten } from './format';
import type { LiveMonitor } from './monitor/liveMonitor';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly connections: ConnectionManager, private readonly monitor: LiveMonitor, private readonly demoRunning: () => boolean) {
    this.item = vscode.window.createStatusBarItem('ucore.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'UCore Events';
    this.item.command = Commands.connectionSelect;
    this.subscriptions.push(connections.onDidChange(() => this.update()), monitor.onDidUpdate(() => this.update()));
    this.update();
    this.item.show();
  }

  /** The text shown now (tests). */
  get text(): string {
    return this.item.text;
  }

  update(): void {
    const entry = this.connections.active;
    if (!entry) {
      this.item.text = '$(debug-disconnect) UCore: no connection';
      this.item.tooltip = 'Click to pick a connection';
      this.item.backgroundColor = undefined;
      return;
    }
    const { state, config } = entry;
    const icon = state.kind === 'connected' ? '$(radio-tower)'
      : state.kind === 'connecting' || state.kind === 'reconnecting' ? '$(sync~spin)'
        : state.kind === 'error' ? '$(error)' : '$(debug-disconnect)';
    const rate = state.kind === 'connected' ? ` ${formatRate(this.monitor.totalRate())}` : '';
    const demo = this.demoRunning() ? ' $(play)' : '';
    this.item.text = `${icon} ${shorten(config.name, 40)}${rate}${demo}`;
    this.item.tooltip = `UCore Events — ${shorten(config.name, 100)} (${entry.target}): ${stateText(state)}${config.production ? '\nPRODUCTION' : ''}\nClick to switch connection`;
    this.item.backgroundColor = state.kind === 'error'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : config.production ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

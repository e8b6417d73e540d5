// The Connections view: every connection with its live status; the active one is marked.
import * as vscode from 'vscode';
import { Commands, ItemContext } from '../constants';
import type { ConnectionEntry, ConnectionManager, ConnectionState } from '../connections/connectionManager';
import { shorten } from '../format';

export class ConnectionNode {
  readonly kind = 'connection' as const;
  constructor(readonly entry: ConnectionEntry, readonly active: boolean) {}
  get name(): string {
    return this.entry.config.name;
  }
}

export function stateText(state: ConnectionState): string {
  switch (state.kind) {
    case 'connected': return 'connected';
    case 'connecting': return 'connecting…';
    case 'reconnecting': return 'reconnecting…';
    case 'disconnected': return 'disconnected';
    case 'untrusted': return 'needs a trusted workspace';
    case 'error': return `error: ${state.message}`;
  }
}

function stateIcon(state: ConnectionState): vscode.ThemeIcon {
  switch (state.kind) {
    case 'connected': return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'connecting':
    case 'reconnecting': return new vscode.ThemeIcon('sync~spin');
    case 'error': return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    case 'untrusted': return new vscode.ThemeIcon('shield');
    case 'disconnected': return new vscode.ThemeIcon('debug-disconnect');
  }
}

export class ConnectionsTreeProvider implements vscode.TreeDataProvider<ConnectionNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ConnectionNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly connections: ConnectionManager) {
    this.subscription = connections.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(element?: ConnectionNode): ConnectionNode[] {
    if (element) return [];
    const active = this.connections.activeConnectionName;
    return this.connections.list().map((e) => new ConnectionNode(e, e.config.name === active));
  }

  getTreeItem(node: ConnectionNode): vscode.TreeItem {
    const { config, state, target } = node.entry;
    const item = new vscode.TreeItem(shorten(config.name), vscode.TreeItemCollapsibleState.None);
    item.id = `connection/${config.name}`;
    const parts = [stateText(state)];
    if (node.active) parts.unshift('active');
    if (config.production) parts.push('production');
    item.description = shorten(parts.join(' · '));
    item.iconPath = stateIcon(state);
    const live = state.kind === 'connected' || state.kind === 'reconnecting';
    item.contextValue = `${live ? ItemContext.connectionConnected : ItemContext.connection}${config.source === 'added' ? '.added' : ''}${config.source === 'builtin' ? '.builtin' : ''}`;
    const where = config.source === 'builtin' ? 'built in' : config.source === 'added' ? 'UCore: Add Connection' : `${config.source} settings`;
    item.tooltip = [shorten(config.name), target, `Status: ${stateText(state)}`, `Defined in: ${where}`,
      ...(config.production ? ['Production: changes need a confirmation'] : [])].join('\n');
    if (!node.active || !live) {
      item.command = { command: Commands.connectionConnect, title: 'Connect', arguments: [node] };
    }
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

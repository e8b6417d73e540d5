// The Connections view: every connection with its live status; the active one is marked. A connected cluster or
// Sentinel connection expands to its topology (topologyItems.ts), asked of the servers each time it is shown.
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { Topology } from '../../core/transport/types';
import { Commands, ItemContext } from '../constants';
import type { ConnectionEntry, ConnectionManager } from '../connections/connectionManager';
import { isOpen, type ConnectionState } from '../connections/connectionState';
import { shorten } from '../format';
import { hasTopology, topologyNodeChildren, topologyRoot, topologyTreeItem, type TopologyTreeNode } from './topologyItems';

/** A cluster that does not answer must not leave the row spinning forever. */
const TOPOLOGY_TIMEOUT_MS = 5000;

export class ConnectionNode {
  readonly kind = 'connection' as const;
  constructor(readonly entry: ConnectionEntry, readonly active: boolean) {}
  get name(): string {
    return this.entry.config.name;
  }
}

export type ConnectionsTreeNode = ConnectionNode | TopologyTreeNode;

export function stateText(state: ConnectionState): string {
  switch (state.kind) {
    case 'ready': return 'connected';
    case 'connecting': return 'connecting…';
    case 'reconnecting': return 'reconnecting…';
    case 'disconnected': return 'disconnected';
    case 'untrusted': return 'needs a trusted workspace';
    case 'error': return `error: ${state.message}`;
  }
}

function stateIcon(state: ConnectionState): vscode.ThemeIcon {
  switch (state.kind) {
    case 'ready': return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'connecting':
    case 'reconnecting': return new vscode.ThemeIcon('sync~spin');
    case 'error': return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    case 'untrusted': return new vscode.ThemeIcon('shield');
    case 'disconnected': return new vscode.ThemeIcon('debug-disconnect');
  }
}

export class ConnectionsTreeProvider implements vscode.TreeDataProvider<ConnectionsTreeNode>, vscode.Disposable {
  // Only whole-view refreshes are fired, so the event's element type can stay the top-level one.
  private readonly changed = new vscode.EventEmitter<ConnectionNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly connections: ConnectionManager) {
    this.subscription = connections.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The connections (synchronous, for callers that list them); beneath one, its topology. */
  getChildren(): ConnectionNode[];
  getChildren(element: ConnectionsTreeNode | undefined): ConnectionsTreeNode[] | Promise<ConnectionsTreeNode[]>;
  getChildren(element?: ConnectionsTreeNode): ConnectionsTreeNode[] | Promise<ConnectionsTreeNode[]> {
    if (!element) {
      const active = this.connections.activeConnectionName;
      return this.connections.list().map((e) => new ConnectionNode(e, e.config.name === active));
    }
    if (element instanceof ConnectionNode) return this.topologyOf(element.name);
    return topologyNodeChildren(element);
  }

  /** The "Topology" row of a connected cluster/Sentinel connection, or a row saying why there is none. */
  private async topologyOf(name: string): Promise<ConnectionsTreeNode[]> {
    const live = this.connections.live(name);
    if (!live || !hasTopology(modeOf(live.transport))) return [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const topology = await Promise.race([
        live.transport.topology(),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${TOPOLOGY_TIMEOUT_MS} ms`)), TOPOLOGY_TIMEOUT_MS); }),
      ]);
      return [topologyRoot(name, topology)];
    } catch (e) {
      return [{ kind: 'topologyMessage', id: `topology-error/${JSON.stringify(name)}`, text: `Topology unavailable: ${describeError(e)}`, error: true }];
    } finally {
      clearTimeout(timer);
    }
  }

  getTreeItem(node: ConnectionsTreeNode): vscode.TreeItem {
    if (!(node instanceof ConnectionNode)) return topologyTreeItem(node);
    const { config, state, target } = node.entry;
    const mode = node.entry.live ? modeOf(node.entry.live.transport) : undefined;
    const expandable = hasTopology(mode) && isOpen(state);
    const item = new vscode.TreeItem(shorten(config.name), expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `connection/${config.name}`;
    const parts = [stateText(state)];
    if (node.active) parts.unshift('active');
    if (hasTopology(mode)) parts.push(String(mode));
    if (config.production) parts.push('production');
    item.description = shorten(parts.join(' · '));
    item.iconPath = stateIcon(state);
    const live = isOpen(state);
    item.contextValue = `${live ? ItemContext.connectionConnected : ItemContext.connection}${config.source === 'added' ? '.added' : ''}${config.source === 'builtin' ? '.builtin' : ''}`;
    const where = config.source === 'builtin' ? 'built in' : config.source === 'added' ? 'UCore: Add Connection' : `${config.source} settings`;
    item.tooltip = [shorten(config.name), target, `Status: ${stateText(state)}`, ...(mode ? [`Mode: ${mode}`] : []), `Defined in: ${where}`,
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

/** The transport's mode once connected; a transport from before cluster support has none: standalone. */
function modeOf(transport: { mode?: Topology['mode'] }): Topology['mode'] {
  return transport.mode ?? 'standalone';
}

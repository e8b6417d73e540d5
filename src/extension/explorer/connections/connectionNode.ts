// A connection in the Connections view, with its live status; the active one is marked. A connected cluster or
// Sentinel connection expands to its topology (topology/), asked of the servers each time it is shown.
import * as vscode from 'vscode';
import { describeError, type Topology } from '../../../core/index';
import { Commands, ItemContext } from '../../constants';
import type { ConnectionEntry, ConnectionManager } from '../../connections/connectionManager';
import { isOpen, type ConnectionState } from '../../connections/connectionState';
import { shorten } from '../../format';
import { ExplorerNode } from '../node';
import { TopologyMessageNode, TopologyRootNode, type TopologyTreeNode } from '../topology/index';
import { hasTopology } from '../topologyItems';

/** A cluster that does not answer must not leave the row spinning forever. */
const TOPOLOGY_TIMEOUT_MS = 5000;

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

/** The transport's mode once connected; a transport from before cluster support has none: standalone. */
function modeOf(transport: { mode?: Topology['mode'] }): Topology['mode'] {
  return transport.mode ?? 'standalone';
}

export class ConnectionNode extends ExplorerNode<ConnectionManager, TopologyTreeNode> {
  readonly kind = 'connection' as const;
  readonly id: string;

  constructor(readonly entry: ConnectionEntry, readonly active: boolean) {
    super();
    this.id = `connection/${entry.config.name}`;
  }

  get name(): string {
    return this.entry.config.name;
  }

  /** `connection` or `connection.connected`, then `.added` / `.builtin` by where it is defined. */
  get contextValue(): string {
    const { config, state } = this.entry;
    return `${isOpen(state) ? ItemContext.connectionConnected : ItemContext.connection}${config.source === 'added' ? '.added' : ''}${config.source === 'builtin' ? '.builtin' : ''}`;
  }

  /** The "Topology" row of a connected cluster/Sentinel connection, or a row saying why there is none. */
  override async getChildren(connections: ConnectionManager): Promise<TopologyTreeNode[]> {
    const live = connections.live(this.name);
    if (!live || !hasTopology(modeOf(live.transport))) return [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const topology = await Promise.race([
        live.transport.topology(),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${TOPOLOGY_TIMEOUT_MS} ms`)), TOPOLOGY_TIMEOUT_MS); }),
      ]);
      return [new TopologyRootNode(this.name, topology)];
    } catch (e) {
      return [new TopologyMessageNode(`topology-error/${JSON.stringify(this.name)}`, `Topology unavailable: ${describeError(e)}`, true)];
    } finally {
      clearTimeout(timer);
    }
  }

  protected createItem(): vscode.TreeItem {
    const { config, state, target } = this.entry;
    const mode = this.entry.live ? modeOf(this.entry.live.transport) : undefined;
    const live = isOpen(state);
    const expandable = hasTopology(mode) && live;
    const item = new vscode.TreeItem(shorten(config.name), expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const parts = [stateText(state)];
    if (this.active) parts.unshift('active');
    if (hasTopology(mode)) parts.push(String(mode));
    if (config.production) parts.push('production');
    item.description = shorten(parts.join(' · '));
    item.iconPath = stateIcon(state);
    const where = config.source === 'builtin' ? 'built in' : config.source === 'added' ? 'UCore: Add Connection' : `${config.source} settings`;
    item.tooltip = [shorten(config.name), target, `Status: ${stateText(state)}`, ...(mode ? [`Mode: ${mode}`] : []), `Defined in: ${where}`,
      ...(config.production ? ['Production: changes need a confirmation'] : [])].join('\n');
    if (!this.active || !live) {
      item.command = { command: Commands.connectionConnect, title: 'Connect', arguments: [this] };
    }
    return item;
  }
}

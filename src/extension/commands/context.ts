// What command handlers are given.
import type * as vscode from 'vscode';
import type { ChannelsTreeProvider } from '../explorer/channelsTree';
import type { ConnectionsTreeProvider } from '../explorer/connectionsTree';
import type { StreamsTreeProvider } from '../explorer/streamsTree';
import type { BuiltServices } from '../extensionServices';
import type { LiveMonitor } from '../monitor/liveMonitor';
import type { MonitorPanelHost } from '../monitor/monitorPanelManager';
import type { Publisher } from '../publishing/publisher';
import type { DemoController } from './demo';
import type { TailProvider } from '../documents/tailProvider';
import type { EventDocumentProvider } from '../documents/eventDocumentProvider';
import type { LiveContracts } from '../contracts/liveContracts';
import type { FlowsPanel } from '../flows/flowsPanel';
import type { MaskingRules } from '../fixtures/maskingRules';
import type { SearchResultsProvider } from '../search/searchResultsTree';
import type { LagWatch } from '../lag/lagWatch';

export interface Explorer {
  connections: ConnectionsTreeProvider;
  channels: ChannelsTreeProvider;
  streams: StreamsTreeProvider;
}

export interface CommandContext {
  extension: vscode.ExtensionContext;
  services: BuiltServices;
  /** Every command that sends an event sends it through this. */
  publisher: Publisher;
  explorer: Explorer;
  monitor: LiveMonitor;
  monitorPanel: MonitorPanelHost;
  demo: DemoController;
  tail: TailProvider;
  eventDocuments: EventDocumentProvider;
  /** The contracts checked on the monitor's live traffic. */
  liveContracts: LiveContracts;
  /** The flow map panel, once the flow commands are registered. */
  flows?: FlowsPanel;
  /** The masking rules of each connection (recording, tail, copy). */
  masking: MaskingRules;
  /** The Search Results view (stream search, dead letters). */
  searchResults: SearchResultsProvider;
  /** Lag over time and stuck consumers of the active connection. */
  lag: LagWatch;
}

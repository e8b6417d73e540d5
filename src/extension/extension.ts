// activate(): builds the services once, then the views, documents, status bar and commands on top of them.
// Everything runs in the extension host (no local backend), so it works the same over Remote-SSH, WSL and in
// code-server. Every listener and registration lands in context.subscriptions.
import { appendFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { describeError } from '../core/index';
import { registerCommands } from './commands';
import type { CodeLoad } from './codeLoad';
import type { FlowsPanel } from './flows/flowsPanel';
import type { CommandContext } from './commands/context';
import { DemoController } from './commands/demo';
import { ContextKeys, Views } from './constants';
import { EventDocumentProvider } from './documents/eventDocumentProvider';
import { formatPayload } from './documents/eventDocumentProvider';
import { TailProvider } from './documents/tailProvider';
import { SearchResultsProvider, type SearchResultsNode } from './search/searchResultsTree';
import { registerEventsFiles } from './eventsFile';
import type { FixtureFeatures } from './fixtures';
import { MaskingRules } from './fixtures/maskingRules';
import { ChannelsTreeProvider, type ChannelsTreeNode } from './explorer/channelsTree';
import { ConnectionsTreeProvider, type ConnectionNode } from './explorer/connectionsTree';
import { StreamsTreeProvider, type StreamsTreeNode } from './explorer/streamsTree';
import { createServices } from './extensionServices';
import { shorten } from './format';
import { createExtensionLog } from './logging';
import { startBenchStats } from './monitor/benchStats';
import { LiveContracts } from './contracts/liveContracts';
import { LiveMonitor } from './monitor/liveMonitor';
import { LagWatch } from './lag/lagWatch';
import { wireStuckAlerts } from './lag/stuckAlerts';
import { MonitorPanelManager } from './monitor/monitorPanelManager';
import { Publisher } from './publishing/publisher';
import type { ExtensionServices } from './services';
import { StatusBar } from './statusBar';
import { showWarning } from './notify';

/** What activate() returns: tests reach the extension through `getExtension('ucore.ucore-events').exports`. */
export interface UCoreExtensionApi {
  services: ExtensionServices;
  /** Every event that leaves the editor goes through it. */
  publisher: Publisher;
  explorer: {
    connections: ConnectionsTreeProvider;
    channels: ChannelsTreeProvider;
    streams: StreamsTreeProvider;
  };
  monitor: LiveMonitor;
  /** Lag over time per consumer group and stuck consumers (the Streams view's trends, the monitor's alert). */
  lag: LagWatch;
  demo: DemoController;
  statusBar: StatusBar;
  tail: TailProvider;
  monitorPanel: MonitorPanelManager;
  /** The workspace's contracts checked on the monitor's live traffic. */
  liveContracts: LiveContracts;
  /** The flow map panel's host (set when the flow commands are registered). */
  flows: FlowsPanel | undefined;
  /** The Search Results view (UCore: Search Stream, dead letters). */
  searchResults: SearchResultsProvider;
  /** How long activate() took, in ms (also in the log). */
  activationMs: number;
  /** Command ids this extension registered (without the `.events` ones). */
  commands: string[];
  /** Recording, fixtures and scenario tests (their heavy parts load on first use). */
  fixtures: FixtureFeatures;
  masking: MaskingRules;
}

const STREAMS_AUTO_REFRESH_MS = 5000;
const START_WAIT_MS = 2000;

/** Set by the bundle's first and last lines (esbuild.mjs banner and footer): how long evaluating its top level took. */
declare const __ucoreBundleStart: number | undefined;
declare const __ucoreBundleEnd: number | undefined;
/** CPU time of evaluating the bundle (process.cpuUsage at its last line, relative to its first). */
declare const __ucoreBundleCpuEnd: NodeJS.CpuUsage | undefined;
const cpuMs = (u: NodeJS.CpuUsage) => Math.round((u.user + u.system) / 100) / 10;

let codeLoad: CodeLoad | undefined;

/** Called by the loader (loader.ts) before activate(): how the bundle was loaded, for the activation record. */
export function noteCodeLoad(info: CodeLoad): void {
  codeLoad = info;
}

export async function activate(context: vscode.ExtensionContext): Promise<UCoreExtensionApi> {
  const activationStarted = performance.now();
  const cpuStarted = process.cpuUsage();
  const bundleEvalMs = typeof __ucoreBundleStart === 'number' && typeof __ucoreBundleEnd === 'number' ? Math.round(__ucoreBundleEnd - __ucoreBundleStart) : undefined;
  const log = createExtensionLog();
  context.subscriptions.push(log);
  log.info(`UCore Events ${String(context.extension.packageJSON.version ?? '')} activating (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'NOT trusted: read-only'})`);

  const services = createServices(context, log);
  const { connections, settings } = services;
  const monitor = new LiveMonitor(connections, settings, log.scoped('monitor'), context.globalState);
  const publisher = new Publisher({
    settings,
    log: log.scoped('publish'),
    // The live monitor's PSUBSCRIBE * on the connection it watches is counted by PUBLISH; the user hears about the others.
    ownReceivers: (name) => (monitor.connectionName === name ? 1 : 0),
    beforeSend: [services.contracts.publishCheck.beforeSend],
  });
  const eventDocuments = new EventDocumentProvider();
  const liveContracts = new LiveContracts(monitor, services.contracts, settings, eventDocuments, log.scoped('contracts-live'));
  const connectionsTree = new ConnectionsTreeProvider(connections);
  const channelsTree = new ChannelsTreeProvider(connections, monitor, log.scoped('channels'), liveContracts);
  const lag = new LagWatch(connections, settings, log.scoped('lag'), () => monitor.sampledStreams);
  monitor.pendingAges = (streams, max) => lag.pendingAges(streams, max);
  const streamsTree = new StreamsTreeProvider(connections, settings, log.scoped('streams'), liveContracts, lag);
  context.subscriptions.push(wireStuckAlerts(lag, { alert: (a) => monitor.reportAlert(a), refreshTree: () => streamsTree.refresh() }));
  const demo = new DemoController(services, services.errors, publisher);
  const masking = new MaskingRules(settings, connections, (message) => void showWarning(`Masking rule ignored: ${message}`));
  const tail = new TailProvider(settings, log.scoped('tail'), masking);
  const searchResults = new SearchResultsProvider();
  const monitorPanel = new MonitorPanelManager({
    extensionUri: context.extensionUri,
    monitor,
    demoRunning: () => demo.running,
    demoConnection: () => demo.connectionName,
    onDemoChange: demo.onDidChange,
    // The same read-only document as Inspect Event, from the payload the monitor kept.
    inspect: async (item) => {
      const { text, json } = formatPayload(item.payload);
      const note = item.truncated ? '// The monitor kept only the start of this event (it is larger than 64 KiB).\n' : '';
      await eventDocuments.open(`${item.channel} event ${item.seq}`, note && json ? text : note + text, json, { beside: true });
    },
    contracts: liveContracts,
    log: log.scoped('monitor-panel'),
  });
  const benchStats = startBenchStats(monitor, monitorPanel, liveContracts, log.scoped('bench'));
  if (benchStats) context.subscriptions.push(benchStats);
  const statusBar = new StatusBar(connections, monitor, () => demo.running, () => demo.connectionName);
  context.subscriptions.push(demo.onDidChange(() => statusBar.update()));

  const connectionsView = vscode.window.createTreeView<ConnectionNode>(Views.connections, { treeDataProvider: connectionsTree });
  const channelsView = vscode.window.createTreeView<ChannelsTreeNode>(Views.channels, { treeDataProvider: channelsTree });
  const streamsView = vscode.window.createTreeView<StreamsTreeNode>(Views.streams, { treeDataProvider: streamsTree, showCollapseAll: true });
  const searchView = vscode.window.createTreeView<SearchResultsNode>(Views.searchResults, { treeDataProvider: searchResults });
  searchResults.onDidChangeTitle((t) => (searchView.description = t));
  channelsTree.onDidChangeFilter((f) => {
    channelsView.description = f ? `filter: ${shorten(f, 60)}` : undefined;
    channelsView.message = f ? `Showing channels matching ${shorten(f, 100)}` : undefined;
  });

  // Context keys for the welcome views and menus.
  const setConnectedKey = () => void vscode.commands.executeCommand('setContext', ContextKeys.connected, services.activeConnection() !== undefined);
  setConnectedKey();
  context.subscriptions.push(
    connections.onDidChangeActive(setConnectedKey),
    channelsTree.onDidChangeChannelCount((n) => void vscode.commands.executeCommand('setContext', ContextKeys.hasChannels, n > 0)),
    streamsTree.onDidChangeStreamCount((n) => void vscode.commands.executeCommand('setContext', ContextKeys.hasStreams, n > 0)),
  );

  // The Streams view has no push notifications: while it is visible and connected, it looks again every few seconds.
  const streamsTimer = setInterval(() => {
    if (streamsView.visible && services.activeConnection()) streamsTree.refresh();
  }, STREAMS_AUTO_REFRESH_MS);
  context.subscriptions.push({ dispose: () => clearInterval(streamsTimer) });

  const explorer = { connections: connectionsTree, channels: channelsTree, streams: streamsTree };
  const ctx: CommandContext = { extension: context, services, publisher, explorer, monitor, monitorPanel, demo, tail, eventDocuments, liveContracts, masking, searchResults, lag };
  const { ids: commands, fixtures } = registerCommands(ctx);

  try {
    registerEventsFiles(context, services, publisher);
  } catch (e) {
    services.errors.report('Setting up .events files', e);
  }

  // Views and users of the connections are listed after the manager; each tolerates a closed transport.
  context.subscriptions.push(
    ...services.disposables,
    monitor, lag, liveContracts, connectionsTree, channelsTree, streamsTree, demo, tail, eventDocuments, monitorPanel, statusBar,
    connectionsView, channelsView, streamsView, searchResults, searchView,
  );

  // Connect the default connection; activation waits briefly (the embedded one is ready at once) but never for a
  // slow or unreachable server: its state shows in the Connections view when it settles.
  const started = connections.start().then(() => monitor.settled()).catch((e) => log.warn(`start-up connection: ${describeError(e)}`));
  // What VS Code counts as activation ends here, at the first await: the rest is its "activate resolved" time.
  const syncMs = Math.round(performance.now() - activationStarted);
  const syncCpuMs = cpuMs(process.cpuUsage(cpuStarted));
  let waited: NodeJS.Timeout | undefined;
  await Promise.race([started, new Promise<void>((resolve) => { waited = setTimeout(resolve, START_WAIT_MS); })]);
  clearTimeout(waited);
  const activationMs = Math.round(performance.now() - activationStarted);
  log.info(`activated in ${activationMs} ms; active connection: ${connections.activeConnectionName}`);
  const bundleEvalCpuMs = typeof __ucoreBundleCpuEnd === 'object' ? cpuMs(__ucoreBundleCpuEnd) : undefined;
  reportActivationTime({ activationMs, syncMs, bundleEvalMs, syncCpuMs, bundleEvalCpuMs, compileCpuMs: codeLoad?.compileCpuMs, codeCache: codeLoad?.cache, activateCallMs: codeLoad?.activateCallMs, ...hostLoadMarks(context.extension.id) });
  return { services, publisher, explorer, monitor, lag, demo, statusBar, tail, monitorPanel, liveContracts, flows: ctx.flows, commands, activationMs, fixtures, masking, searchResults };
}

/**
 * For the benchmark: VS Code's marks (globalThis.MonacoPerformanceMarks, Date.now() times) of requiring extensions'
 * code. VS Code starts the clock of our "code loading" before an await, and the extensions activated in the same batch
 * (onStartupFinished) require their code in that gap: the benchmark tells that time apart from ours.
 */
function hostLoadMarks(ourId: string): { hostLoadMs?: number; othersLoading?: Array<{ id: string; ms: number; endedBeforeOursMs: number }> } {
  if (!process.env.UCORE_BENCH_ACTIVATION_FILE) return {};
  try {
    const marks = (globalThis as { MonacoPerformanceMarks?: { getMarks(): Array<{ name: string; startTime: number }> } }).MonacoPerformanceMarks?.getMarks() ?? [];
    const at = (name: string) => marks.find((m) => m.name === name)?.startTime;
    const willLoad = at(`code/extHost/willLoadExtensionCode/${ourId}`);
    const didLoad = at(`code/extHost/didLoadExtensionCode/${ourId}`);
    if (willLoad === undefined || didLoad === undefined) return {};
    const othersLoading = [];
    for (const m of marks) {
      const id = /^code\/extHost\/willLoadExtensionCode\/(.+)$/.exec(m.name)?.[1];
      const end = id && id !== ourId ? at(`code/extHost/didLoadExtensionCode/${id}`) : undefined;
      if (id && end !== undefined && end <= willLoad && end >= willLoad - 1000) othersLoading.push({ id, ms: end - m.startTime, endedBeforeOursMs: willLoad - end });
    }
    return { hostLoadMs: didLoad - willLoad, othersLoading };
  } catch {
    return {};
  }
}

/** The benchmark (bench/) reads activation time from a file it names; nothing is written otherwise. */
function reportActivationTime(times: Record<string, unknown>): void {
  const file = process.env.UCORE_BENCH_ACTIVATION_FILE;
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify({ ...times, at: new Date().toISOString() })}\n`);
  } catch {
    /* a benchmark aid only */
  }
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}

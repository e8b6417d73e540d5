// Every id the extension shares with package.json: commands, views, context keys, settings, URI schemes.
// test/extension/commands.test.ts checks that package.json and the registered commands agree.

export const EXTENSION_ID = 'ucore.ucore-events';
export const OUTPUT_CHANNEL_NAME = 'UCore Events';

export const Commands = {
  aboutShow: 'ucore.about.show',

  connectionAdd: 'ucore.connection.add',
  connectionConnect: 'ucore.connection.connect',
  connectionDisconnect: 'ucore.connection.disconnect',
  connectionEdit: 'ucore.connection.edit',
  connectionRemove: 'ucore.connection.remove',
  connectionSelect: 'ucore.connection.select',
  connectionConnectEmbedded: 'ucore.connection.connectEmbedded',

  eventPublish: 'ucore.event.publish',
  eventInspect: 'ucore.event.inspect',
  eventCopy: 'ucore.event.copy',
  eventReplay: 'ucore.event.replay',
  eventCheckDuplicate: 'ucore.event.checkDuplicate',

  channelTail: 'ucore.channel.tail',
  channelPublish: 'ucore.channel.publish',
  channelShowInMonitor: 'ucore.channel.showInMonitor',
  channelSetFilter: 'ucore.channel.setFilter',
  channelClearFilter: 'ucore.channel.clearFilter',

  streamLoadMore: 'ucore.stream.loadMore',
  streamAppend: 'ucore.stream.append',
  streamCreateGroup: 'ucore.stream.createGroup',
  streamTrim: 'ucore.stream.trim',
  pendingAck: 'ucore.pending.ack',
  pendingClaim: 'ucore.pending.claim',
  pendingMoveToDeadLetter: 'ucore.pending.moveToDeadLetter',
  groupAutoclaim: 'ucore.group.autoclaim',
  deadLetterRequeue: 'ucore.deadLetter.requeue',
  streamSearch: 'ucore.stream.search',
  streamGoToTime: 'ucore.stream.goToTime',
  streamSeekPage: 'ucore.stream.seekPage',
  streamOpenEntries: 'ucore.stream.openEntries',
  deadLetterShow: 'ucore.deadLetter.show',
  deadLetterOpen: 'ucore.deadLetter.open',
  deadLetterRedrive: 'ucore.deadLetter.redrive',
  deadLetterRequeueEdited: 'ucore.deadLetter.requeueEdited',
  consumerClaimPending: 'ucore.consumer.claimPending',
  streamExport: 'ucore.stream.export',
  searchResultsExport: 'ucore.search.exportResults',
  importNdjson: 'ucore.transfer.import',

  demoStart: 'ucore.demo.start',
  demoStop: 'ucore.demo.stop',
  monitorOpen: 'ucore.monitor.open',
  monitorClearViolations: 'ucore.monitor.clearViolations',
  flowsShow: 'ucore.flows.show',
  flowsTrace: 'ucore.flows.trace',
  explorerRefresh: 'ucore.explorer.refresh',
  logShow: 'ucore.log.show',
  contractGenerate: 'ucore.contracts.generate',
  contractDrift: 'ucore.contracts.drift',

  // Owned by src/extension/eventsFile (registered there).
  eventsFilePublishBlock: 'ucore.eventsFile.publishBlock',
  eventsFileAppendBlock: 'ucore.eventsFile.appendBlock',
  eventsFilePublishAll: 'ucore.eventsFile.publishAll',
  eventsFileInsertExample: 'ucore.eventsFile.insertExample',

  fixtureRecord: 'ucore.fixture.record',
  fixtureStopRecording: 'ucore.fixture.stopRecording',
  fixtureReplay: 'ucore.fixture.replay',
  fixtureCompare: 'ucore.fixture.compare',
  fixtureMakeScenario: 'ucore.fixture.makeScenario',
  scenarioRun: 'ucore.scenario.run',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  container: 'ucore',
  connections: 'ucore.connections',
  channels: 'ucore.channels',
  streams: 'ucore.streams',
  searchResults: 'ucore.searchResults',
} as const;

/** Context keys set with `setContext`, used in package.json `when` clauses. */
export const ContextKeys = {
  demoRunning: 'ucore.demoRunning',
  connected: 'ucore.connected',
  hasChannels: 'ucore.hasChannels',
  hasStreams: 'ucore.hasStreams',
  channelFilter: 'ucore.channelFilterActive',
  recording: 'ucore.recording',
} as const;

export const SETTINGS_SECTION = 'ucore';

export const Setting = {
  connections: 'ucore.connections',
  defaultConnection: 'ucore.defaultConnection',
  commandTimeoutMs: 'ucore.commandTimeoutMs',
  tailMaxLines: 'ucore.tail.maxLines',
  storeStreamKey: 'ucore.store.streamKey',
  storeKeepIndexed: 'ucore.store.keepIndexed',
  demoRatePerSecond: 'ucore.demo.ratePerSecond',
  monitorRecentCapacity: 'ucore.monitor.recentCapacity',
  monitorAlerts: 'ucore.monitor.alerts',
  monitorStreams: 'ucore.monitor.streams',
  explorerPageSize: 'ucore.explorer.pageSize',
  contractFiles: 'ucore.contracts.files',
  contractSchemas: 'ucore.contracts.schemas',
  contractsLive: 'ucore.contracts.live',
  contractsLiveChecksPerSecond: 'ucore.contracts.liveChecksPerSecond',
  maskingRules: 'ucore.masking.rules',
  recordMaxMegabytes: 'ucore.record.maxMegabytes',
  searchScanBudget: 'ucore.search.scanBudget',
  searchMaxResults: 'ucore.search.maxResults',
  searchSavedFilters: 'ucore.search.savedFilters',
  lagStuckAfterSeconds: 'ucore.lag.stuckAfterSeconds',
  lagSampleSeconds: 'ucore.lag.sampleSeconds',
} as const;

export const Schemes = {
  tail: 'ucore-tail',
  event: 'ucore-event',
} as const;

export const MONITOR_VIEW_TYPE = 'ucore.monitor';
export const FLOWS_VIEW_TYPE = 'ucore.flows';
/** `metadata.source` of the events the extension sends: the flow map names it as their publisher. */
export const EXTENSION_SOURCE = 'ucore-vscode';
export const EMBEDDED_NAME = 'Embedded';
export const EMBEDDED_URL = 'embedded';
/** Longest name or value shown in a tree row; the tooltip carries the rest when it is small. */
export const MAX_LABEL = 200;
export const MAX_TOOLTIP = 2000;

/** Tree item contextValues, matched by `viewItem == …` in package.json menus. */
export const ItemContext = {
  connection: 'connection',
  connectionConnected: 'connection.connected',
  channel: 'channel',
  shardChannel: 'channel.shard',
  stream: 'stream',
  deadLetterStream: 'stream.deadLetter',
  entriesFolder: 'entries',
  entry: 'entry',
  deadLetterEntry: 'entry.deadLetter',
  group: 'group',
  consumer: 'consumer',
  /** A consumer whose pending entries aged past `ucore.lag.stuckAfterSeconds` while others of its group read. */
  stuckConsumer: 'consumer.stuck',
  pending: 'pending',
  loadMore: 'loadMore',
  message: 'message',
  searchResult: 'searchResult',
  deadLetterGroup: 'deadLetterGroup',
} as const;

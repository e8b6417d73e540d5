// Builds the ExtensionServices object activate() hands to every area.
import * as vscode from 'vscode';
import { showWarning } from './notify';
import { ecommerceRegistry } from '../core/domain/ecommerce';
import type { EventLike } from '../core/envelope/envelope';
import { BadInputError, UCoreError } from '../core/errors';
import { EventStore } from '../core/store/event-store';
import { EVENT_FIELD } from '../core/store/stored-event';
import { ConnectionManager } from './connections/connectionManager';
import { Settings } from './connections/settings';
import { ErrorReporter } from './errors';
import { SafetyGuard } from './safety';
import type { ActiveConnection, ExtensionLog, ExtensionServices, PublishResult } from './services';

export interface BuiltServices extends ExtensionServices {
  errors: ErrorReporter;
  safety: SafetyGuard;
  /** Everything to dispose at deactivation, in order. */
  disposables: vscode.Disposable[];
  /**
   * How many of a channel's subscribers on this connection are the extension's own (the live monitor's
   * PSUBSCRIBE *): PUBLISH counts them, the user wants to hear about the others. Set by activate().
   */
  ownReceivers: (connectionName: string) => number;
}

export function createServices(context: vscode.ExtensionContext, log: ExtensionLog): BuiltServices {
  const settings = new Settings(log.scoped('settings'), (message) => {
    void showWarning(message, 'Open Settings').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'ucore.');
    });
  });
  const connections = new ConnectionManager(settings, context.secrets, context.globalState, log);
  const registry = ecommerceRegistry();
  const errors = new ErrorReporter(log);
  const safety = new SafetyGuard(log.scoped('safety'));
  const publishLog = log.scoped('publish');

  const activeConnection = (): ActiveConnection | undefined => connections.live(connections.activeConnectionName);

  const requireConnection = async (): Promise<ActiveConnection> => {
    const entry = connections.active;
    if (!entry) throw new BadInputError('no connection is active; add or pick one in the Connections view');
    if (!connections.catalog.isAllowed(entry.config)) {
      throw new UCoreError('BAD_INPUT', `"${entry.config.name}" is defined in the workspace settings; trust the workspace to connect to it.`);
    }
    return connections.connect(entry.config.name);
  };

  const publishEvent = async (conn: ActiveConnection, channel: string, event: EventLike): Promise<PublishResult> => {
    if (!channel) throw new BadInputError('a channel name is required');
    const counted = await conn.adapter.publishJson(channel, event, { timeoutMs: settings.get('commandTimeoutMs') });
    const receivers = Math.max(0, counted - built.ownReceivers(conn.name));
    publishLog.info(`published ${String(event.event_type ?? '(no type)')} to channel ${channel} on "${conn.name}" (${receivers} receivers besides UCore)`);
    return { kind: 'channel', target: channel, receivers };
  };

  // One store (one producer id) per connection and store key: each store object leaves a small producer record in
  // Redis for a day, so one per append would leave one per event.
  const stores = new WeakMap<ActiveConnection, EventStore>();
  const storeFor = (conn: ActiveConnection, storeKey: string): EventStore => {
    let store = stores.get(conn);
    if (!store || store.streamKey !== storeKey) stores.set(conn, (store = new EventStore(conn.transport, { streamKey: storeKey, logger: publishLog })));
    return store;
  };

  const appendEvent = async (conn: ActiveConnection, stream: string, event: EventLike): Promise<PublishResult> => {
    if (!stream) throw new BadInputError('a stream key is required');
    const storeKey = settings.get('storeStreamKey');
    let id: string;
    if (stream === storeKey) {
      id = (await storeFor(conn, storeKey).append(event)).id;
    } else {
      const fields: Record<string, string> = Object.create(null);
      fields[EVENT_FIELD] = JSON.stringify(event);
      const added = await conn.transport.xadd(stream, fields);
      if (added === null) throw new UCoreError('REDIS', `could not append to ${stream}`);
      id = added;
    }
    publishLog.info(`appended ${String(event.event_type ?? '(no type)')} to stream ${stream} on "${conn.name}" as ${id}`);
    return { kind: 'stream', target: stream, id };
  };

  const built: BuiltServices = {
    log,
    settings,
    connections,
    registry,
    errors,
    safety,
    guard: (action, connection) => safety.confirm(action, connection ?? activeConnection()),
    activeConnection,
    requireConnection,
    publishEvent,
    appendEvent,
    handleErrors: (what, task) => errors.run(what, task),
    disposables: [connections, settings],
    ownReceivers: () => 0,
  };
  return built;
}

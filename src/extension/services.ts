// What every part of the extension is given: built once in activate(), passed into constructors (no singletons).
// The `.events` files area (src/extension/eventsFile) codes against this interface only.
import type { EventLike } from '../core/envelope/envelope';
import type { SchemaRegistry } from '../core/envelope/registry';
import type { ActiveConnection } from './connections/activeConnection';
import type { ConnectionManager } from './connections/connectionManager';
import type { Settings } from './connections/settings';
import type { ExtensionLog } from './logging';

// Named here too, for the areas that take everything from the services: the types live beside their owners, so the
// connection manager need not import this module (no type cycle).
export type { ActiveConnection, ExtensionLog };

/** Where a published event went, for the message shown to the user. */
export interface PublishResult {
  /** "channel" → receivers = PUBLISH's count; "stream" → id = the new entry id. */
  kind: 'channel' | 'stream';
  target: string;
  receivers?: number;
  id?: string;
}

export interface ExtensionServices {
  log: ExtensionLog;
  connections: ConnectionManager;
  registry: SchemaRegistry;
  settings: Settings;
  /**
   * Call before any mutating action (publish, append, replay, ack, claim, trim, delete, …).
   * Refuses in an untrusted workspace (shows why) and asks a modal confirmation on a production connection.
   * `action` is a short phrase for the dialog, e.g. "publish 3 events to orders". false = do not proceed.
   */
  guard(action: string, connection?: ActiveConnection): Promise<boolean>;
  /** The active connection if it is connected now; undefined otherwise (never connects). */
  activeConnection(): ActiveConnection | undefined;
  /** The active connection, connecting it first if needed; throws a UCoreError with a clear message otherwise. */
  requireConnection(): Promise<ActiveConnection>;
  /** PUBLISH the event as JSON text. Does not call guard(): the caller does. */
  publishEvent(connection: ActiveConnection, channel: string, event: EventLike): Promise<PublishResult>;
  /**
   * Appends the event to a stream: through the EventStore when `stream` is the store's key (`ucore.store.streamKey`,
   * so indexes and the `events` channel stay consistent), else XADD with the one field `event` (the guide's format).
   * Does not call guard(): the caller does.
   */
  appendEvent(connection: ActiveConnection, stream: string, event: EventLike): Promise<PublishResult>;
  /** Runs `task`; on failure shows one message with "Show Log" and logs the detail. Returns undefined on failure. */
  handleErrors<T>(what: string, task: () => Promise<T>): Promise<T | undefined>;
}

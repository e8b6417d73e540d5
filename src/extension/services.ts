// What every part of the extension is given: built once in activate(), passed into constructors (no singletons).
// The `.events` files area (src/extension/eventsFile) codes against this interface and the Publisher only. Sending
// events is not here: that is the Publisher's (publishing/publisher.ts), built beside these services.
import type { SchemaRegistry } from '../core/index';
import type { ActiveConnection } from './connections/activeConnection';
import type { ConnectionManager } from './connections/connectionManager';
import type { Settings } from './connections/settings';
import type { ContractService } from './contracts/contractService';
import type { ExtensionLog } from './logging';

// Named here too, for the areas that take everything from the services: the types live beside their owners, so the
// connection manager need not import this module (no type cycle).
export type { ActiveConnection, ExtensionLog };

export interface ExtensionServices {
  log: ExtensionLog;
  connections: ConnectionManager;
  registry: SchemaRegistry;
  settings: Settings;
  /** The workspace's event contracts (AsyncAPI / JSON Schema), checked on publish, in `.events` files and live. */
  contracts: ContractService;
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
  /** Runs `task`; on failure shows one message with "Show Log" and logs the detail. Returns undefined on failure. */
  handleErrors<T>(what: string, task: () => Promise<T>): Promise<T | undefined>;
}

// A connection that is open, as every part of the extension uses it. Its own module so the connection manager and
// the services container can both name it without importing each other.
import type { EventAdapter, Transport } from '../../core/index';

/** A connected connection, ready for calls. */
export interface ActiveConnection {
  name: string;
  transport: Transport;
  adapter: EventAdapter;
  /** Marked `production`: mutating actions need a modal confirmation (services.guard does it). */
  production: boolean;
}

// The one vocabulary for a connection's state. It is the core's transport status (`ConnectionStatus`) while the
// connection is open, plus what only the extension knows: closed on purpose, closed by a failure (with the reason),
// or held back until the workspace is trusted. The monitor page's status is derived from it here, so the two cannot
// drift apart.
import type { ConnectionStatus } from '../../core/index';
import type { MonitorUpdate } from '../../shared/monitorProtocol';

/** The core's statuses of an open connection. */
export type OpenStatus = Exclude<ConnectionStatus, 'closed'>;

export type ConnectionState =
  | { kind: OpenStatus; message?: string }
  /** Not connected, or disconnected on purpose. */
  | { kind: 'disconnected' }
  /** The connection failed or closed by itself; `message` says why and is safe to show (no password). */
  | { kind: 'error'; message: string }
  /** From workspace settings in an untrusted workspace: not connected to until the workspace is trusted. */
  | { kind: 'untrusted' };

/** The status field of the monitor page's protocol (its wire format). */
export type MonitorStatus = MonitorUpdate['status'];

/** The state a core status stands for: `closed` not asked for is an error. */
export function stateOfStatus(status: ConnectionStatus, detail?: string): ConnectionState {
  if (status === 'closed') return { kind: 'error', message: detail ?? 'the connection closed' };
  return detail === undefined ? { kind: status } : { kind: status, message: detail };
}

/** Open now or coming back: calls may be made (reconnecting ones wait or fail fast). */
export function isOpen(state: ConnectionState): boolean {
  return state.kind === 'ready' || state.kind === 'reconnecting';
}

/** The monitor page's status for a connection's state; `'none'` when no connection is shown or it is not connected. */
export function monitorStatus(state: ConnectionState | undefined): MonitorStatus {
  switch (state?.kind) {
    case 'connecting':
    case 'ready':
    case 'reconnecting': return state.kind;
    case 'error': return 'closed';
    default: return 'none';
  }
}

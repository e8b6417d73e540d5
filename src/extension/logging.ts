// The extension logs to one LogOutputChannel, "UCore Events", adapted to the core's Logger. Components log through
// `scoped('name')`, which prefixes `[name]`. Callers redact: URLs go through redactUrl, never a password.
import * as vscode from 'vscode';
import type { Logger } from '../core/index';
import { OUTPUT_CHANNEL_NAME } from './constants';

/** The extension's log: the core's Logger plus the LogOutputChannel it writes to. */
export interface ExtensionLog extends Logger {
  readonly channel: vscode.LogOutputChannel;
  /** Reveals the "UCore Events" output. */
  show(preserveFocus?: boolean): void;
  /** A Logger whose lines start with `[component]`. */
  scoped(component: string): Logger;
}

export function createExtensionLog(): ExtensionLog & vscode.Disposable {
  const channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  const base: Logger = {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
  const scoped = (component: string): Logger => {
    const p = `[${component}] `;
    return {
      trace: (m) => base.trace(p + m),
      debug: (m) => base.debug(p + m),
      info: (m) => base.info(p + m),
      warn: (m) => base.warn(p + m),
      error: (m) => base.error(p + m),
    };
  };
  return {
    ...base,
    channel,
    show: (preserveFocus = true) => channel.show(preserveFocus),
    scoped,
    dispose: () => channel.dispose(),
  };
}

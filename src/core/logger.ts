// The core logs through this interface; the extension passes its LogOutputChannel, the CLI stderr, tests nothing.
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  trace() {}, debug() {}, info() {}, warn() {}, error() {},
};

/** Prefixes every line with `[component]`, as the extension's log does. */
export function scopedLogger(base: Logger, component: string): Logger {
  const p = `[${component}] `;
  return {
    trace: (m) => base.trace(p + m),
    debug: (m) => base.debug(p + m),
    info: (m) => base.info(p + m),
    warn: (m) => base.warn(p + m),
    error: (m) => base.error(p + m),
  };
}

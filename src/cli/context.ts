// What every CLI command gets: the parsed flags, output helpers, and a lazily opened connection that is always closed.
import { createTransport, type Transport, type Logger } from '../core/index';
import { Output } from './output';

export const DEFAULT_URL = 'redis://127.0.0.1:6379';

export interface GlobalFlags {
  url: string;
  json: boolean;
  timeoutMs: number;
  verbose: boolean;
}

export class CliContext {
  private transports: Transport[] = [];
  readonly out: Output;
  readonly logger: Logger;

  constructor(readonly flags: GlobalFlags, readonly signal: AbortSignal) {
    this.out = new Output(flags.json);
    const verbose = flags.verbose;
    const err = (m: string) => { if (verbose) process.stderr.write(`${m}\n`); };
    this.logger = { trace: err, debug: err, info: err, warn: err, error: err };
  }

  /** Opens a connection to `url` (default: --url); closed by `dispose()`. */
  async connect(url = this.flags.url): Promise<Transport> {
    const t = createTransport({
      url,
      password: process.env.UCORE_REDIS_PASSWORD || undefined,
      connectTimeoutMs: this.flags.timeoutMs,
      commandTimeoutMs: Math.max(this.flags.timeoutMs, 5000),
      logger: this.logger,
    });
    this.transports.push(t);
    await t.connect();
    return t;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.transports.map((t) => t.close().catch(() => undefined)));
    this.transports = [];
  }
}

// Keeps a store's indexes caught up with what other apps append, in the background of a long-lived process (the
// extension keeps one per open connection): a bounded slice of indexing every few seconds, so a read through an index
// rarely has a backlog to index first, and a large backlog is worked off without blocking Redis or the reader.
import { describeError } from '../errors';
import { type Logger, silentLogger } from '../logger';
import type { EventStore } from './event-store';

export interface IndexKeeperOptions {
  /** @default 2000 */
  intervalMs?: number;
  /** Script calls per tick (each indexes up to 1000 entries). @default 10 */
  batchesPerTick?: number;
  logger?: Logger;
}

export class IndexKeeper {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly log: Logger;

  constructor(private readonly store: EventStore, private readonly ready: () => boolean, private readonly options: IndexKeeperOptions = {}) {
    this.log = options.logger ?? silentLogger;
  }

  start(): this {
    if (this.timer) return this;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 2000);
    this.timer.unref();
    return this;
  }

  /** One slice of indexing; skipped while the connection is down or the previous slice still runs. */
  async tick(): Promise<void> {
    if (this.running || !this.ready()) return;
    this.running = true;
    try {
      const r = await this.store.catchUpIndexes({ maxBatches: this.options.batchesPerTick ?? 10 });
      if (r.indexed + r.malformed + r.without > 0) {
        this.log.info(`indexed ${r.indexed} event(s) other apps appended to ${this.store.streamKey}${r.malformed ? `, ${r.malformed} malformed entries skipped` : ''}${r.without ? `, ${r.without} without type or entity` : ''}${r.done ? '' : ' (more to do)'}`);
      }
    } catch (e) {
      this.log.debug(`index catch-up of ${this.store.streamKey}: ${describeError(e)}`);
    } finally {
      this.running = false;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

// A consumer-group worker for any stream, at-least-once: an entry is acknowledged only after its handler resolved.
// On start (and after every connection problem) it first re-reads its own pending entries, which a crash left
// unacknowledged; then it reads new entries with BLOCK, and every so often XAUTOCLAIMs entries that other (dead)
// consumers have left idle for `claimIdleMs`. A failing handler leaves its entry pending and is reported through
// onError; the entry comes back once it has been idle `claimIdleMs` (the sweep claims idle entries of any consumer,
// this one's too). Retry policies and dead-lettering are the job of a wrapper around the handler.
import { BadInputError, ClosedError } from '../errors';
import { type Logger, silentLogger } from '../logger';
import type { Disposable, StreamEntry, Transport } from '../transport/types';
import { createGroup } from './consumer-groups';
import { sleep } from './sleep';

export interface GroupConsumerOptions {
  stream: string;
  group: string;
  consumer: string;
  handler: (entry: StreamEntry) => Promise<void>;
  /** Entries per read. @default 100 */
  count?: number;
  /** Longest wait for new entries per read. @default 2000 */
  blockMs?: number;
  /** Entries of other consumers idle this long are claimed and processed here. @default 30000 */
  claimIdleMs?: number;
  /** Create the group (and stream) when missing, also after a server restart lost it. @default true */
  createGroup?: boolean;
  /** Where a newly created group starts: '0' for the whole stream, '$' for new entries only. @default '0' */
  startId?: string;
  /** Stops the consumer when aborted. */
  signal?: AbortSignal;
  logger?: Logger;
}

export interface GroupConsumerStats {
  /** Handlers that resolved. */
  processed: number;
  /** Handlers that threw (their entries stay pending). */
  failed: number;
  /** Entries taken over from idle consumers. */
  claimed: number;
  acked: number;
}

/** A failed handler is reported with its entry; a connection or Redis problem without. */
export type GroupConsumerErrorListener = (error: Error, entry?: StreamEntry) => void;

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** Acks of a long batch are sent at least this often, so entries done early do not look idle to other consumers. */
const ACK_FLUSH_MS = 200;

export class GroupConsumer {
  readonly stats: GroupConsumerStats = { processed: 0, failed: 0, claimed: 0, acked: 0 };
  private readonly opts: Required<Omit<GroupConsumerOptions, 'signal' | 'logger'>>;
  private readonly log: Logger;
  private readonly stopper = new AbortController();
  private readonly errorListeners = new Set<GroupConsumerErrorListener>();
  private running: Promise<void> | null = null;

  constructor(private readonly transport: Transport, options: GroupConsumerOptions) {
    this.opts = {
      count: 100,
      blockMs: 2000,
      claimIdleMs: 30_000,
      createGroup: true,
      startId: '0',
      ...stripUndefined(options),
    } as GroupConsumer['opts'];
    for (const k of ['stream', 'group', 'consumer'] as const) {
      if (typeof this.opts[k] !== 'string' || this.opts[k] === '') throw new BadInputError(`${k} must be a non-empty string`);
    }
    if (typeof this.opts.handler !== 'function') throw new BadInputError('handler must be a function');
    if (!Number.isInteger(this.opts.count) || this.opts.count < 1 || this.opts.count > 10_000) throw new BadInputError('count must be a whole number from 1 to 10000');
    if (!(this.opts.blockMs >= 1) || !(this.opts.claimIdleMs >= 0)) throw new BadInputError('blockMs must be ≥ 1 and claimIdleMs ≥ 0');
    this.log = options.logger ?? silentLogger;
    const outer = options.signal;
    if (outer?.aborted) this.stopper.abort();
    else outer?.addEventListener('abort', () => this.stopper.abort(), { once: true });
  }

  /** Runs until stopped; resolves then (also when the transport was closed under it, after reporting that). */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** Finishes the entry in hand, acknowledges what is done and resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running;
  }

  onError(listener: GroupConsumerErrorListener): Disposable {
    this.errorListeners.add(listener);
    return { dispose: () => this.errorListeners.delete(listener) };
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  /** Claim sweeps run this often; the blocking read is cut to fit so a quiet stream does not delay them. */
  private get claimEveryMs(): number {
    return Math.max(50, Math.min(this.opts.claimIdleMs / 2, 10_000));
  }

  private async run(): Promise<void> {
    const { stream, group, consumer } = this.opts;
    let setUp = false;
    let failures = 0;
    let claimCursor = '0-0';
    let nextClaimAt = 0;
    this.log.debug(`${consumer} consuming ${stream} in group ${group}`);
    while (!this.stopped) {
      try {
        if (!setUp) {
          if (this.opts.createGroup) await createGroup(this.transport, stream, group, this.opts.startId);
          await this.drainOwnPending();
          setUp = true;
        }
        if (Date.now() >= nextClaimAt) {
          claimCursor = await this.claimStep(claimCursor);
          // A sweep that has more to go continues at once; a finished one waits for the next period.
          if (claimCursor === '0-0') nextClaimAt = Date.now() + this.claimEveryMs;
        } else {
          const blockMs = Math.max(1, Math.min(this.opts.blockMs, nextClaimAt - Date.now()));
          const entries = await this.read('>', blockMs);
          if (entries.length) await this.process(entries);
        }
        failures = 0;
      } catch (e) {
        if (this.stopped) break;
        const error = e instanceof Error ? e : new Error(String(e));
        this.report(error);
        if (this.transport.status === 'closed' && error instanceof ClosedError) {
          this.log.warn(`${consumer} stops: the transport to ${this.transport.description} was closed`);
          break;
        }
        // After a restart the group may be gone (NOGROUP) and our pending entries with it, or back from disk:
        // set up again either way.
        setUp = false;
        failures++;
        await this.backoff(failures);
      }
    }
    this.log.debug(`${consumer} stopped (${this.stats.processed} processed, ${this.stats.failed} failed)`);
  }

  /** Re-reads this consumer's own unacknowledged entries (left by a crash or a failed handler) and processes them. */
  private async drainOwnPending(): Promise<void> {
    let cursor = '0';
    while (!this.stopped) {
      const entries = await this.read(cursor, 0);
      if (entries.length === 0) return;
      await this.process(entries);
      cursor = entries[entries.length - 1].id;
    }
  }

  private async claimStep(cursor: string): Promise<string> {
    const { stream, group, consumer, claimIdleMs, count } = this.opts;
    const r = await this.transport.xautoclaim(stream, group, consumer, claimIdleMs, cursor, count);
    if (r.entries.length) {
      this.stats.claimed += r.entries.length;
      this.log.info(`${consumer} claimed ${r.entries.length} idle entr${r.entries.length === 1 ? 'y' : 'ies'} of ${stream}/${group}`);
      await this.process(r.entries);
    }
    return r.nextStart;
  }

  /** XREADGROUP; a blocking read is abandoned (not cancelled) on stop, its entries stay pending for recovery. */
  private async read(id: string, blockMs: number): Promise<StreamEntry[]> {
    const { stream, group, consumer, count } = this.opts;
    const reading = this.transport.xreadgroup({ group, consumer, streams: [{ key: stream, id }], count, blockMs: blockMs || undefined });
    const batches = blockMs ? await untilAborted(reading, this.stopper.signal) : await reading;
    return batches?.[0]?.entries ?? [];
  }

  private async process(entries: StreamEntry[]): Promise<void> {
    const { stream, group } = this.opts;
    let done: string[] = [];
    let firstDoneAt = 0;
    const flush = async () => {
      if (done.length === 0) return;
      const ids = done;
      done = [];
      this.stats.acked += await this.transport.xack(stream, group, ids);
    };
    for (const entry of entries) {
      if (this.stopped) break;
      try {
        await this.opts.handler(entry);
        this.stats.processed++;
        if (done.length === 0) firstDoneAt = Date.now();
        done.push(entry.id);
      } catch (e) {
        this.stats.failed++;
        this.report(e instanceof Error ? e : new Error(String(e)), entry);
      }
      if (done.length && Date.now() - firstDoneAt >= ACK_FLUSH_MS) await flush();
    }
    await flush();
  }

  /** Capped exponential backoff with jitter; cut short when the transport is ready again or on stop. */
  private async backoff(failures: number): Promise<void> {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(failures - 1, 16));
    const ms = Math.round(base / 2 + Math.random() * (base / 2));
    const wake = new AbortController();
    const onStop = () => wake.abort();
    this.stopper.signal.addEventListener('abort', onStop, { once: true });
    const wasReady = this.transport.status === 'ready';
    const sub = this.transport.onStatus((s) => { if (s === 'ready' && !wasReady) wake.abort(); });
    try {
      await sleep(ms, wake.signal);
    } finally {
      sub.dispose();
      this.stopper.signal.removeEventListener('abort', onStop);
    }
  }

  private report(error: Error, entry?: StreamEntry): void {
    if (entry) this.log.warn(`handler failed on ${this.opts.stream} ${entry.id}: ${error.message}`);
    else this.log.warn(`${this.opts.consumer} on ${this.opts.stream}: ${error.message}`);
    for (const l of this.errorListeners) {
      try {
        l(error, entry);
      } catch {
        /* a listener's failure must not stop the consumer */
      }
    }
  }
}

/** The promise's value, or null once the signal aborts; a later failure of the abandoned promise is ignored. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | null> {
  p.catch(() => undefined);
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

// Contracts on a running monitor: every pub/sub and shard message the EventMonitor counts is offered to the
// LiveContractChecker with the payload the monitor already parsed (no second JSON.parse on the hot path), and the
// contract's streams (literal stream addresses) are read with non-blocking XREADs from where they stood when the
// watch started. A stream that grows faster than a page per poll is read past (the newest entries are checked next)
// and the entries read past are counted as not checked, so the sampled share stays honest.
import { describeError } from '../errors';
import { type Logger, scopedLogger, silentLogger } from '../logger';
import { MALFORMED_TYPE } from '../monitor/payload-sniffer';
import type { EventMonitor } from '../monitor/monitor';
import type { EventTarget } from '../target';
import type { Disposable, StreamEntry, Transport } from '../transport/types';
import type { LiveContractChecker } from './live-checker';

export interface LiveWatchOptions {
  /** How often the contract's streams are read. @default 1000 */
  readonly pollMs?: number;
  /** Entries read per stream and poll at most; beyond them the stream is read past. @default 1000 */
  readonly maxEntriesPerPoll?: number;
  readonly logger?: Logger;
}

/** A Redis glob (PSUBSCRIBE-style) rather than one name. */
const hasGlob = (s: string) => /[*?[\\]/.test(s);

/** The guide's stream entries hold the event as JSON text in `event`; other writers' fields are read as one object. */
export function streamEntryText(e: StreamEntry): string {
  return e.fields.event ?? JSON.stringify(e.fields);
}

/** The ms time of a stream id ("1700000000000-3"), NaN when it is not one. */
function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-') >>> 0));
}

export class LiveContractWatch {
  private readonly pollMs: number;
  private readonly maxEntries: number;
  private readonly log: Logger;
  private inspector: Disposable | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** Stream key → the id of the last entry read. */
  private readonly positions = new Map<string, string>();
  /** Stream keys the contracts name (glob stream addresses cannot be read and are left out). */
  readonly streams: readonly string[];

  constructor(private readonly monitor: EventMonitor, private readonly transport: Transport, readonly checker: LiveContractChecker, options: LiveWatchOptions = {}) {
    this.pollMs = options.pollMs ?? 1000;
    this.maxEntries = options.maxEntriesPerPoll ?? 1000;
    this.log = scopedLogger(options.logger ?? silentLogger, 'contracts');
    const keys = new Set<string>();
    for (const c of checker.contracts.contracts) {
      for (const ch of c.channels) if (ch.kind === 'stream' && !hasGlob(ch.address)) keys.add(ch.address);
    }
    this.streams = [...keys];
  }

  get running(): boolean {
    return this.inspector !== undefined;
  }

  /** Starts hearing the monitor's messages and reading the streams from their newest entry now. */
  async start(): Promise<void> {
    if (this.inspector) return;
    const checker = this.checker;
    // Schemas compiled now (each once; the extension has compiled them already for the Problems panel), so the
    // first events do not spend the check's time budget on compiling.
    for (const c of checker.contracts.contracts) for (const ch of c.channels) for (const m of ch.messages) checker.contracts.compileProblem(m);
    this.inspector = this.monitor.inspect((channel, pattern, value, payload, type) => {
      // The monitor hears shard channels without a pattern (it follows them by name).
      const target: EventTarget = { kind: pattern === undefined ? 'shard' : 'channel', name: channel };
      if (!checker.covers(target)) return;
      if (value !== undefined) checker.offer(target, { parsed: value }, undefined, { text: payload });
      else if (type === MALFORMED_TYPE) checker.offer(target, payload);
      else checker.pass(target); // too big for the monitor to parse: not checked, and counted as such
    });
    await Promise.all(this.streams.map(async (key) => {
      try {
        this.positions.set(key, (await this.transport.xrevrange(key, '+', '-', 1))[0]?.id ?? '0');
      } catch (e) {
        this.positions.set(key, '0');
        this.log.debug(`stream ${key}: ${describeError(e)}`);
      }
    }));
    if (this.streams.length && this.inspector) {
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.timer.unref();
    }
  }

  stop(): void {
    this.inspector?.dispose();
    this.inspector = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads what the streams got since the last poll (also run on the timer; never two at once). */
  poll(): Promise<void> {
    return (this.polling ??= this.readStreams().finally(() => { this.polling = undefined; }));
  }

  private async readStreams(): Promise<void> {
    if (!this.running || this.transport.status !== 'ready' || this.positions.size === 0) return;
    let batches;
    try {
      batches = await this.transport.xread({ streams: [...this.positions].map(([key, id]) => ({ key, id })), count: this.maxEntries });
    } catch (e) {
      this.log.debug(`reading the contract's streams: ${describeError(e)}`);
      return;
    }
    for (const b of batches ?? []) {
      const target: EventTarget = { kind: 'stream', name: b.key };
      for (const e of b.entries) this.checker.offer(target, streamEntryText(e), undefined, { entryId: e.id });
      const last = b.entries.at(-1);
      if (!last) continue;
      this.positions.set(b.key, last.id);
      if (b.entries.length >= this.maxEntries) await this.readPast(b.key, b.entries);
    }
  }

  /**
   * A full page: the stream grows faster than it is read. Jump to its newest entry and count the entries jumped
   * over as not checked (estimated from the page's rate over the time between its last id and the newest).
   */
  private async readPast(key: string, page: readonly StreamEntry[]): Promise<void> {
    const newest = (await this.transport.xrevrange(key, '+', '-', 1).catch(() => []))[0];
    if (!newest || newest.id === page.at(-1)!.id) return;
    const first = idTime(page[0]!.id);
    const last = idTime(page.at(-1)!.id);
    const perMs = page.length / Math.max(1, last - first);
    const skipped = Math.max(1, Math.round(perMs * Math.max(0, idTime(newest.id) - last)));
    this.checker.pass({ kind: 'stream', name: key }, Number.isFinite(skipped) ? skipped : 1);
    this.positions.set(key, newest.id);
  }
}

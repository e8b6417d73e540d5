// The guide's `get_published_events` test helper: records what is published on some channels or patterns so a
// test can assert on it, and waits for an expected event instead of sleeping. Bounded: the oldest events go
// first when the count or the total payload size passes its limit. stop() unsubscribes the channels and patterns
// it subscribed: on a shared transport, give the capture names nobody else subscribes to.
import { AbortedError, BadInputError, TimeoutError } from '../errors';
import { parseJson } from '../envelope/envelope';
import type { Disposable, PubSubMessage, Transport } from '../transport/types';

export interface CapturedEvent {
  channel: string;
  /** The pattern that matched, for messages received through a pattern. */
  pattern?: string;
  /** ms since the epoch. */
  receivedAt: number;
  /** The parsed JSON, or null when the message was not JSON. */
  event: unknown;
  /** The message text as it arrived. */
  raw: string;
}

export interface EventCaptureOptions {
  channels?: string[];
  patterns?: string[];
  /** Events kept; older ones are dropped. @default 10000 */
  capacity?: number;
  /** Total chars of raw payload kept; older events are dropped past it. @default 256 Mi */
  maxTotalChars?: number;
}

type Waiter = { predicate: (e: CapturedEvent) => boolean; resolve: (e: CapturedEvent) => void; reject: (e: Error) => void };

export class EventCapture {
  readonly channels: readonly string[];
  readonly patterns: readonly string[];
  readonly capacity: number;
  private readonly maxTotalChars: number;
  private readonly channelSet: Set<string>;
  private readonly patternSet: Set<string>;
  private buffer: CapturedEvent[] = [];
  /** Index of the oldest kept event in `buffer` (dropping from the front without shifting on every event). */
  private head = 0;
  private totalChars = 0;
  private droppedCount = 0;
  private readonly waiters = new Set<Waiter>();
  private subscription: Disposable | null = null;

  constructor(private readonly transport: Transport, options: EventCaptureOptions = {}) {
    this.channels = names('channels', options.channels);
    this.patterns = names('patterns', options.patterns);
    if (this.channels.length + this.patterns.length === 0) throw new BadInputError('capture needs at least one channel or pattern');
    this.channelSet = new Set(this.channels);
    this.patternSet = new Set(this.patterns);
    this.capacity = positiveInt('capacity', options.capacity, 10_000);
    this.maxTotalChars = positiveInt('maxTotalChars', options.maxTotalChars, 256 * 1024 * 1024);
  }

  get running(): boolean {
    return this.subscription !== null;
  }

  /** Events dropped because the buffer was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  async start(): Promise<void> {
    if (this.subscription) return;
    this.subscription = this.transport.onMessage((m) => this.onMessage(m));
    try {
      await this.transport.subscribe([...this.channels]);
      await this.transport.psubscribe([...this.patterns]);
    } catch (e) {
      this.subscription.dispose();
      this.subscription = null;
      throw e;
    }
  }

  async stop(): Promise<void> {
    if (!this.subscription) return;
    this.subscription.dispose();
    this.subscription = null;
    if (this.transport.status !== 'closed') {
      await Promise.all([this.transport.unsubscribe([...this.channels]), this.transport.punsubscribe([...this.patterns])]).catch(() => undefined);
    }
    for (const w of this.waiters) w.reject(new AbortedError('the capture was stopped'));
    this.waiters.clear();
  }

  /** Captured events, oldest first; only those of `channel` when given. */
  events(channel?: string): CapturedEvent[] {
    const kept = this.buffer.slice(this.head);
    return channel === undefined ? kept : kept.filter((e) => e.channel === channel);
  }

  /**
   * The first captured event (already there, or arriving within `timeoutMs`) that satisfies `predicate`.
   * Rejects with TimeoutError, or AbortedError when the signal aborts or the capture stops.
   */
  waitFor(predicate: (e: CapturedEvent) => boolean, timeoutMs: number, options: { signal?: AbortSignal } = {}): Promise<CapturedEvent> {
    for (let i = this.head; i < this.buffer.length; i++) {
      const e = this.buffer[i]!;
      if (predicate(e)) return Promise.resolve(e);
    }
    return new Promise<CapturedEvent>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) return reject(new AbortedError());
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        predicate,
        resolve: (e) => { finish(); resolve(e); },
        reject: (err) => { finish(); reject(err); },
      };
      const onAbort = () => waiter.reject(new AbortedError());
      const timer = setTimeout(() => waiter.reject(new TimeoutError(`no matching event within ${timeoutMs} ms`)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  clear(): void {
    this.buffer = [];
    this.head = 0;
    this.totalChars = 0;
    this.droppedCount = 0;
  }

  private onMessage(m: PubSubMessage): void {
    const ours = m.pattern === undefined ? this.channelSet.has(m.channel) : this.patternSet.has(m.pattern);
    if (!ours) return;
    const parsed = parseJson(m.payload);
    const e: CapturedEvent = { channel: m.channel, receivedAt: Date.now(), event: parsed.ok ? parsed.value : null, raw: m.payload };
    if (m.pattern !== undefined) e.pattern = m.pattern;
    this.keep(e);
    for (const w of this.waiters) {
      let hit = false;
      try {
        hit = w.predicate(e);
      } catch (err) {
        w.reject(err as Error);
        continue;
      }
      if (hit) w.resolve(e);
    }
  }

  private keep(e: CapturedEvent): void {
    this.buffer.push(e);
    this.totalChars += e.raw.length;
    while (this.buffer.length - this.head > this.capacity || (this.totalChars > this.maxTotalChars && this.buffer.length - this.head > 1)) {
      this.totalChars -= this.buffer[this.head]!.raw.length;
      this.buffer[this.head] = undefined as unknown as CapturedEvent; // let the payload go now, not at compaction
      this.head++;
      this.droppedCount++;
    }
    // Compact once the dropped prefix is as long as what is kept: amortised O(1) per event.
    if (this.head > 0 && this.head >= this.buffer.length - this.head) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }
}

function names(what: string, list: string[] | undefined): string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.some((n) => typeof n !== 'string' || !n)) throw new BadInputError(`${what} must be non-empty names`);
  return [...new Set(list)];
}

function positiveInt(what: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new BadInputError(`${what} must be a positive integer, not ${v}`);
  return v;
}

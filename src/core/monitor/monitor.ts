// The live event monitor: a pattern subscription that counts every message per channel and per event type in
// per-second rings (rates over 1 s / 10 s / 60 s), keeps a bounded buffer of recent events, evaluates rate alerts
// once a second, optionally keeps the guide's `event_counts:*` counters in Redis, and samples streams.
//
// Memory is bounded whatever arrives: at most maxChannels/maxTypes named keys (the rest count as `(other)`),
// a fixed ring of recent events with truncated payloads, and names capped in length. A lost subscriber
// connection (Redis drops one that falls 32 MB behind) is reported as `connection: 'reconnecting'` and a gap,
// because the messages published meanwhile are gone and the rates would otherwise just look lower.
//
// The monitor subscribes on the transport it is given and unsubscribes its patterns on stop(): give it its own
// transport, or patterns nobody else subscribes on that transport.
import { BadInputError, describeError } from '../errors';
import { type Logger, scopedLogger, silentLogger } from '../logger';
import type { ConnectionStatus, Disposable, PubSubMessage, Transport } from '../transport/types';
import { AlertEvaluator } from './alerts';
import { BoundedCounters, OTHER_KEY } from './bounded-counters';
import { CounterFlusher } from './counter-flusher';
import { sniffPayload, type SniffResult } from './payload-sniffer';
import { RecentRing } from './recent-ring';
import { SecondBuckets } from './second-buckets';
import { ShardFollower } from './shard-follower';
import { StreamSampler } from './stream-sampler';
import type {
  AlertRule, MonitorAlert, MonitorOptions, MonitorSnapshot, RateSummary, RecentEvent, RecentFilter, SnapshotOptions,
} from './types';

const DEFAULTS = {
  patterns: ['*'],
  sampleIntervalMs: 1000,
  windowSeconds: 60,
  recentCapacity: 500,
  recentPayloadChars: 64 * 1024,
  maxChannels: 500,
  maxTypes: 500,
  maxCounterKeys: 10_000,
  maxPayloadBytes: 1024 * 1024,
};

const TICK_MS = 1000;

/**
 * The first `top` of `rows` (busiest first), the rest added into `other`, which is listed last when it counted
 * anything: a snapshot's channels and types, or a shorter list cut from them.
 */
export function foldTop(rows: readonly RateSummary[], top: number, other: RateSummary): RateSummary[] {
  const shown = rows.slice(0, top);
  for (const r of rows.slice(top)) {
    other.total += r.total;
    other.rate1s += r.rate1s;
    other.rate10s += r.rate10s;
    other.rate60s += r.rate60s;
  }
  if (other.total > 0) shown.push(other);
  return shown;
}

export class EventMonitor {
  readonly patterns: readonly string[];
  readonly windowSeconds: number;
  private readonly patternSet: Set<string>;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly maxParseChars: number;
  private readonly sampleIntervalMs: number;
  private readonly total: SecondBuckets;
  private readonly channels: BoundedCounters;
  private readonly types: BoundedCounters;
  private readonly ring: RecentRing;
  private readonly alerts: AlertEvaluator;
  private readonly flusher: CounterFlusher | null;
  private readonly sampler: StreamSampler | null;
  private readonly shardOption: boolean | undefined;
  private readonly shardSubscriber: MonitorOptions['shardSubscriber'];
  private readonly shardDiscoveryMs: number;
  private shards: ShardFollower | null = null;
  private readonly sniffed: SniffResult = { type: '', entity: null, value: undefined };
  private taps: Array<{ types: ReadonlySet<string>; listener: EventTap }> = [];
  private inspectors: EventInspector[] = [];
  private readonly alertListeners = new Set<(a: MonitorAlert) => void>();
  private readonly eventListeners = new Set<(e: RecentEvent) => void>();
  private subscriptions: Disposable[] = [];
  private timers: NodeJS.Timeout[] = [];
  private starting: Promise<void> | null = null;
  private isRunning = false;
  private connection: ConnectionStatus;
  private gaps = 0;
  private lastGapAt: number | null = null;

  constructor(private readonly transport: Transport, options: MonitorOptions = {}) {
    this.patterns = validPatterns(options.patterns ?? DEFAULTS.patterns);
    this.patternSet = new Set(this.patterns);
    this.windowSeconds = intOption('windowSeconds', options.windowSeconds, DEFAULTS.windowSeconds, 10, 3600);
    this.sampleIntervalMs = intOption('sampleIntervalMs', options.sampleIntervalMs, DEFAULTS.sampleIntervalMs, 100, 3_600_000);
    this.maxParseChars = intOption('maxPayloadBytes', options.maxPayloadBytes, DEFAULTS.maxPayloadBytes, 0, 512 * 1024 * 1024);
    const ringSize = this.windowSeconds + 1; // the window's completed seconds plus the current one
    this.total = new SecondBuckets(ringSize);
    this.channels = new BoundedCounters(intOption('maxChannels', options.maxChannels, DEFAULTS.maxChannels, 1, 100_000), ringSize);
    this.types = new BoundedCounters(intOption('maxTypes', options.maxTypes, DEFAULTS.maxTypes, 1, 100_000), ringSize);
    this.ring = new RecentRing(
      intOption('recentCapacity', options.recentCapacity, DEFAULTS.recentCapacity, 1, 1_000_000),
      intOption('recentPayloadChars', options.recentPayloadChars, DEFAULTS.recentPayloadChars, 16, 64 * 1024 * 1024),
    );
    this.now = options.now ?? Date.now;
    this.log = scopedLogger(options.logger ?? silentLogger, 'monitor');
    this.alerts = new AlertEvaluator(this.windowSeconds);
    this.alerts.setRules(options.alerts ?? [], this.now());
    const maxCounterKeys = intOption('maxCounterKeys', options.maxCounterKeys, DEFAULTS.maxCounterKeys, 1, 1_000_000);
    this.flusher = options.counters ? new CounterFlusher(transport, maxCounterKeys, this.log) : null;
    const streams = options.streams ?? [];
    if (!Array.isArray(streams) || streams.some((s) => typeof s !== 'string' || !s)) throw new BadInputError('streams must be stream key names');
    this.sampler = streams.length ? new StreamSampler(transport, [...new Set(streams)]) : null;
    this.connection = transport.status;
    this.shardOption = options.shardChannels;
    this.shardSubscriber = options.shardSubscriber;
    this.shardDiscoveryMs = intOption('shardDiscoveryMs', options.shardDiscoveryMs, 5000, 100, 3_600_000);
  }

  /** Shard channels followed now (see shardChannels). */
  get shardChannelsFollowed(): number {
    return this.shards?.count ?? 0;
  }

  get running(): boolean {
    return this.isRunning;
  }

  /** Subscribes and starts the once-a-second work (alerts, counter flush) and stream sampling. Idempotent. */
  start(): Promise<void> {
    if (this.isRunning) return Promise.resolve();
    return (this.starting ??= this.doStart().finally(() => { this.starting = null; }));
  }

  async stop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    if (!this.isRunning) return;
    this.isRunning = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    await this.shards?.stop();
    this.shards = null;
    if (this.transport.status !== 'closed') {
      await this.transport.punsubscribe([...this.patterns]).catch((e) => this.log.debug(`punsubscribe: ${describeError(e)}`));
    }
    if (this.flusher && this.transport.status !== 'closed') await this.flusher.flush();
  }

  /** Counts one message. The hot path: no timers, no per-event allocation beyond JSON.parse. */
  ingest(channel: string, payload: string, pattern?: string): void {
    if (typeof payload !== 'string') payload = String(payload);
    const now = this.now();
    const second = now > 0 ? Math.floor(now / 1000) : 0;
    const s = this.sniffed;
    sniffPayload(payload, this.maxParseChars, s);
    this.total.add(second);
    this.channels.counterFor(channel).add(second);
    this.types.counterFor(s.type).add(second);
    if (this.flusher) this.flusher.add(channel, s.type);
    this.ring.push(channel, pattern, now, s.type, s.entity, payload);
    if (this.taps.length > 0) this.runTaps(channel, s);
    if (this.inspectors.length > 0) this.runInspectors(channel, pattern, payload, s);
    s.value = undefined; // not kept alive until the next message
    if (this.eventListeners.size > 0) this.emitEvent();
  }

  /**
   * The once-a-second work: alert evaluation, eviction of long-idle keys when at the cap, counter flush (not
   * awaited). Runs on a timer while started; tests with an injected clock call it themselves.
   */
  tick(): void {
    const nowMs = this.now();
    const second = Math.floor(nowMs / 1000);
    try {
      this.channels.evictIdle(second, this.windowSeconds);
      this.types.evictIdle(second, this.windowSeconds);
      const changes = this.alerts.evaluate(second, nowMs, {
        total: this.total,
        channels: withOther(this.channels),
        types: withOther(this.types),
      });
      for (const a of changes) this.emitAlert(a);
    } catch (e) {
      this.log.error(`tick failed: ${describeError(e)}`);
    }
    if (this.flusher && !this.flusher.busy && this.transport.status === 'ready') void this.flusher.flush();
  }

  /** Sends the buffered `event_counts` increments now. */
  flushCounters(): Promise<void> {
    return this.flusher ? this.flusher.flush() : Promise.resolve();
  }

  /** Samples the configured streams now (also done every sampleIntervalMs while started). */
  sampleStreams(): Promise<void> {
    return this.sampler ? this.sampler.sample(this.now()) : Promise.resolve();
  }

  snapshot(options: SnapshotOptions = {}): MonitorSnapshot {
    const at = this.now();
    const second = Math.floor(at / 1000);
    const top = Math.max(0, Math.floor(options.top ?? 10));
    return {
      at,
      running: this.isRunning,
      connection: this.connection,
      gaps: this.gaps,
      lastGapAt: this.lastGapAt,
      total: this.summarize('total', this.total, second),
      channels: this.topWithOther(this.channels, second, top),
      types: this.topWithOther(this.types, second, top),
      trackedChannels: this.channels.size,
      trackedTypes: this.types.size,
      streams: this.sampler?.samples() ?? [],
      recent: this.ring.list(Math.max(0, Math.floor(options.recent ?? 20))),
      activeAlerts: this.alerts.active(),
      counters: this.flusher?.snapshot() ?? null,
    };
  }

  /** Recent events, newest first. */
  recent(limit = this.ring.capacity, filter?: RecentFilter): RecentEvent[] {
    return this.ring.list(Math.max(0, Math.floor(limit)), filter);
  }

  /**
   * Events counted since the monitor was created or cleared. Cheap to poll: a view that only needs to know
   * whether anything arrived should compare this on its own timer rather than listen with onEvent, which builds
   * an object per event.
   */
  get eventsSeen(): number {
    return this.ring.lastSeq;
  }

  /** Number of recent events held (never more than recentCapacity). */
  get recentCount(): number {
    return this.ring.size;
  }

  onAlert(listener: (alert: MonitorAlert) => void): Disposable {
    this.alertListeners.add(listener);
    return { dispose: () => this.alertListeners.delete(listener) };
  }

  /** Every counted event, as it is counted (with its payload truncated like in the recent buffer). */
  onEvent(listener: (event: RecentEvent) => void): Disposable {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  /**
   * Hears the already parsed payload of every event whose type is in `types`, as it is counted: no second parse and
   * no object per event (unlike onEvent). `value` is undefined when the payload was too big to parse. Listeners must
   * be quick and must not keep `value` beyond what they need.
   */
  tap(types: Iterable<string>, listener: EventTap): Disposable {
    const entry = { types: new Set(types), listener };
    this.taps = [...this.taps, entry];
    return { dispose: () => { this.taps = this.taps.filter((t) => t !== entry); } };
  }

  /**
   * Hears every counted event with its already parsed payload (undefined when it was too big to parse or is not
   * JSON) and its text: the contract check reads events here without a second parse. `pattern` is undefined for a
   * shard channel's message. Listeners must be quick (they run on the hot path) and keep nothing they do not need.
   */
  inspect(listener: EventInspector): Disposable {
    this.inspectors = [...this.inspectors, listener];
    return { dispose: () => { this.inspectors = this.inspectors.filter((l) => l !== listener); } };
  }

  /** Replaces the alert rules; firing alerts of removed rules are reported resolved. */
  setAlertRules(rules: AlertRule[]): void {
    for (const a of this.alerts.setRules(rules, this.now())) this.emitAlert(a);
  }

  /** Forgets counts, rates, recent events, gaps and stream samples; firing alerts are reported resolved. */
  clear(): void {
    this.total.reset();
    this.channels.clear();
    this.types.clear();
    this.ring.clear();
    this.sampler?.clear();
    this.gaps = 0;
    this.lastGapAt = null;
    for (const a of this.alerts.resolveAll(this.now())) this.emitAlert(a);
  }

  private async doStart(): Promise<void> {
    const onMessage = (m: PubSubMessage) => {
      // Messages of other subscriptions on a shared transport are not ours to count.
      if (m.pattern !== undefined && this.patternSet.has(m.pattern)) {
        // Sentinels announce themselves on every master they watch, every 2 s: not events.
        if (!isSentinelHello(m.channel)) this.ingest(m.channel, m.payload, m.pattern);
      }
      else if (m.sharded && this.shards?.has(m.channel)) this.ingest(m.channel, m.payload);
    };
    this.subscriptions = [this.transport.onMessage(onMessage), this.transport.onStatus((s, d) => this.statusChanged(s, d))];
    this.connection = this.transport.status;
    try {
      await this.transport.psubscribe([...this.patterns]);
    } catch (e) {
      for (const s of this.subscriptions) s.dispose();
      this.subscriptions = [];
      throw e;
    }
    this.timers.push(setInterval(() => this.tick(), TICK_MS));
    if (this.shardOption ?? this.transport.mode === 'cluster') {
      const shards = new ShardFollower(this.transport, this.patterns, this.channels.maxKeys, this.log, this.shardSubscriber);
      this.shards = shards;
      await shards.discover();
      this.timers.push(setInterval(() => void shards.discover(), this.shardDiscoveryMs));
    }
    if (this.sampler) {
      void this.sampleStreams();
      this.timers.push(setInterval(() => void this.sampleStreams(), this.sampleIntervalMs));
    }
    for (const t of this.timers) t.unref();
    this.isRunning = true;
  }

  private statusChanged(status: ConnectionStatus, detail?: string): void {
    if (status === 'reconnecting' && this.connection !== 'reconnecting') {
      this.gaps++;
      this.lastGapAt = this.now();
      this.log.warn(`subscription lost${detail ? ` (${detail})` : ''}: events published meanwhile are not counted`);
    }
    this.connection = status;
  }

  private summarize(name: string, c: SecondBuckets, second: number): RateSummary {
    return {
      name,
      total: c.total,
      rate1s: c.rate(second, 1),
      rate10s: c.rate(second, 10),
      rate60s: c.rate(second, Math.min(60, this.windowSeconds)),
    };
  }

  private topWithOther(counters: BoundedCounters, second: number, top: number): RateSummary[] {
    const all: RateSummary[] = [];
    for (const [name, c] of counters.entries()) all.push(this.summarize(name, c, second));
    all.sort(byActivity);
    return foldTop(all, top, this.summarize(OTHER_KEY, counters.other, second));
  }

  private runTaps(channel: string, s: SniffResult): void {
    for (const t of this.taps) {
      if (!t.types.has(s.type)) continue;
      try {
        t.listener(channel, s.type, s.value);
      } catch (err) {
        this.log.error(`event tap failed: ${describeError(err)}`);
      }
    }
  }

  private runInspectors(channel: string, pattern: string | undefined, payload: string, s: SniffResult): void {
    for (const l of this.inspectors) {
      try {
        l(channel, pattern, s.value, payload, s.type);
      } catch (err) {
        this.log.error(`event inspector failed: ${describeError(err)}`);
      }
    }
  }

  private emitEvent(): void {
    const e = this.ring.newest();
    if (!e) return;
    for (const l of this.eventListeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error(`event listener failed: ${describeError(err)}`);
      }
    }
  }

  private emitAlert(a: MonitorAlert): void {
    if (a.state === 'firing') this.log.warn(`alert ${a.ruleId}: ${a.key} at ${a.rate.toFixed(1)}/s > ${a.threshold}/s`);
    for (const l of this.alertListeners) {
      try {
        l({ ...a });
      } catch (err) {
        this.log.error(`alert listener failed: ${describeError(err)}`);
      }
    }
  }
}

/** Hears every counted event (see EventMonitor.inspect); `value` is undefined when the payload was not parsed. */
export type EventInspector = (channel: string, pattern: string | undefined, value: unknown, payload: string, type: string) => void;

/** Hears one counted event (see EventMonitor.tap). */
export type EventTap = (channel: string, type: string, value: unknown) => void;

/** The tracked keys and, when it has counted anything, `(other)`: alerts may watch the overflow too. */
function withOther(counters: BoundedCounters): Array<[string, SecondBuckets]> {
  const all = [...counters.entries()];
  if (counters.other.total > 0) all.push([OTHER_KEY, counters.other]);
  return all;
}

function byActivity(a: RateSummary, b: RateSummary): number {
  return b.rate10s - a.rate10s || b.rate60s - a.rate60s || b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function intOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw new BadInputError(`${name} must be an integer from ${min} to ${max}, not ${value}`);
  return value;
}

function validPatterns(patterns: string[]): string[] {
  if (!Array.isArray(patterns) || patterns.length === 0 || patterns.some((p) => typeof p !== 'string' || !p)) {
    throw new BadInputError('patterns must be one or more non-empty glob patterns');
  }
  return [...new Set(patterns)];
}

/** `__sentinel__:hello`, where Redis Sentinels talk to each other through the masters they monitor. */
export function isSentinelHello(channel: string): boolean {
  return channel.charCodeAt(0) === 95 /* _ */ && channel.startsWith('__sentinel__:');
}

// What apps and the extension use to talk events: JSON publish, subscriptions with several handlers per channel or
// pattern, status events, typed errors. Reconnection and resubscription happen in the transport; the adapter keeps
// the handler registry so nothing the caller registered is lost across a reconnect.
import { BadInputError, NotJsonError, TimeoutError, type UCoreError } from './errors';
import { checkSource, parseJson, withSource } from './envelope/envelope';
import { type Logger, silentLogger } from './logger';
import { createTransport, type TransportOptions } from './transport/factory';
import type { ConnectionStatus, Disposable, PubSubMessage, Transport } from './transport/types';

export interface MessageContext {
  channel: string;
  /** The pattern, for handlers registered with psubscribe. */
  pattern?: string;
  /** The message text as it arrived. */
  raw: string;
  /** Arrived on a shard channel (ssubscribe). */
  sharded?: boolean;
}

export type EventHandler = (event: any, context: MessageContext) => void | Promise<void>;

export interface Subscription extends Disposable {
  /** Removes this handler; the channel is unsubscribed when its last handler goes. */
  unsubscribe(): Promise<void>;
}

export interface ProblemReport {
  /** NotJsonError for a malformed message; whatever the handler threw for a handler failure. */
  error: UCoreError | Error;
  context: MessageContext;
  kind: 'malformed' | 'handler';
}

export interface CallOptions {
  /** Fail with TimeoutError if the call takes longer. */
  timeoutMs?: number;
}

export interface AdapterOptions {
  /**
   * Written as `metadata.source` of the events publishJson / spublishJson send (objects with an event_type whose
   * metadata names no source): the service publishing, shown per event type on the flow map. Text sent with
   * publishText goes as it is. null writes none. @default 'ucore'
   */
  source?: string | null;
}

export class EventAdapter {
  private readonly channelHandlers = new Map<string, Set<EventHandler>>();
  private readonly patternHandlers = new Map<string, Set<EventHandler>>();
  private readonly shardHandlers = new Map<string, Set<EventHandler>>();
  private readonly problemListeners = new Set<(p: ProblemReport) => void>();
  private readonly messageSub: Disposable;
  private readonly log: Logger;

  /** See AdapterOptions.source. */
  readonly source: string | null;

  constructor(readonly transport: Transport, logger: Logger = silentLogger, options: AdapterOptions = {}) {
    this.log = logger;
    this.source = checkSource(options.source, 'ucore');
    this.messageSub = transport.onMessage((m) => this.dispatch(m));
  }

  /** Connects to `redis://…`, `rediss://…` or `embedded[:name]` and resolves when ready. */
  static async connect(url: string, options: Omit<TransportOptions, 'url'> & AdapterOptions = {}): Promise<EventAdapter> {
    const { source, ...transportOptions } = options;
    const transport = createTransport({ ...transportOptions, url });
    await transport.connect();
    return new EventAdapter(transport, options.logger, { source });
  }

  get status(): ConnectionStatus {
    return this.transport.status;
  }

  onStatus(listener: (status: ConnectionStatus, detail?: string) => void): Disposable {
    return this.transport.onStatus(listener);
  }

  /** Malformed messages and failing handlers are reported here; they never throw into the transport. */
  onProblem(listener: (p: ProblemReport) => void): Disposable {
    this.problemListeners.add(listener);
    return { dispose: () => this.problemListeners.delete(listener) };
  }

  /** JSON.stringify + PUBLISH; resolves with the number of receivers. */
  async publishJson(channel: string, value: unknown, options: CallOptions = {}): Promise<number> {
    return this.publishText(channel, toJson(withSource(value, this.source)), options);
  }

  /** PUBLISH of JSON text as it is (a stored or dead-lettered event sent again); resolves with the number of receivers. */
  async publishText(channel: string, text: string, options: CallOptions = {}): Promise<number> {
    return withDeadline(this.transport.publish(channel, text), options.timeoutMs);
  }

  /** Pipelined publishJson of many; one round trip. */
  async publishJsonBatch(items: ReadonlyArray<readonly [channel: string, value: unknown]>, options: CallOptions = {}): Promise<number[]> {
    return withDeadline(this.transport.publishBatch(items.map(([c, v]) => [c, toJson(withSource(v, this.source))] as const)), options.timeoutMs);
  }

  /**
   * JSON.stringify + SPUBLISH on a shard channel (Redis 7): on a cluster only the channel's shard carries it, so
   * shard channels scale with the masters where ordinary ones are copied to every node.
   */
  async spublishJson(channel: string, value: unknown, options: CallOptions = {}): Promise<number> {
    return this.spublishText(channel, toJson(withSource(value, this.source)), options);
  }

  /** SPUBLISH of JSON text as it is. */
  async spublishText(channel: string, text: string, options: CallOptions = {}): Promise<number> {
    return withDeadline(this.transport.spublish(channel, text), options.timeoutMs);
  }

  /** Handlers of a shard channel (SSUBSCRIBE); resubscribed after a reconnect or failover by the transport. */
  ssubscribe(channel: string, handler: EventHandler): Promise<Subscription> {
    return this.add(this.shardHandlers, channel, handler, (c) => this.transport.ssubscribe([c]), (c) => this.transport.sunsubscribe([c]));
  }

  async sunsubscribe(channel: string, handler?: EventHandler): Promise<void> {
    await this.remove(this.shardHandlers, channel, handler, (c) => this.transport.sunsubscribe([c]));
  }

  subscribe(channel: string, handler: EventHandler): Promise<Subscription> {
    return this.add(this.channelHandlers, channel, handler, (c) => this.transport.subscribe([c]), (c) => this.transport.unsubscribe([c]));
  }

  psubscribe(pattern: string, handler: EventHandler): Promise<Subscription> {
    return this.add(this.patternHandlers, pattern, handler, (p) => this.transport.psubscribe([p]), (p) => this.transport.punsubscribe([p]));
  }

  /** Removes one handler, or every handler of the channel when none is given. */
  async unsubscribe(channel: string, handler?: EventHandler): Promise<void> {
    await this.remove(this.channelHandlers, channel, handler, (c) => this.transport.unsubscribe([c]));
  }

  async punsubscribe(pattern: string, handler?: EventHandler): Promise<void> {
    await this.remove(this.patternHandlers, pattern, handler, (p) => this.transport.punsubscribe([p]));
  }

  async close(): Promise<void> {
    this.messageSub.dispose();
    this.channelHandlers.clear();
    this.patternHandlers.clear();
    this.shardHandlers.clear();
    await this.transport.close();
  }

  private async add(
    map: Map<string, Set<EventHandler>>, name: string, handler: EventHandler,
    first: (n: string) => Promise<void>, last: (n: string) => Promise<void>,
  ): Promise<Subscription> {
    if (typeof name !== 'string' || name.length === 0) throw new BadInputError('a channel or pattern name is required');
    let set = map.get(name);
    const isFirst = !set;
    if (!set) {
      set = new Set();
      map.set(name, set);
    }
    set.add(handler);
    if (isFirst) {
      try {
        await first(name);
      } catch (e) {
        set.delete(handler);
        if (set.size === 0) map.delete(name);
        throw e;
      }
    }
    let active = true;
    const unsubscribe = async () => {
      if (!active) return;
      active = false;
      await this.remove(map, name, handler, last);
    };
    return { unsubscribe, dispose: () => void unsubscribe().catch(() => undefined) };
  }

  private async remove(map: Map<string, Set<EventHandler>>, name: string, handler: EventHandler | undefined, last: (n: string) => Promise<void>) {
    const set = map.get(name);
    if (!set) return;
    if (handler) set.delete(handler);
    else set.clear();
    if (set.size === 0) {
      map.delete(name);
      if (this.transport.status !== 'closed') await last(name);
    }
  }

  private dispatch(m: PubSubMessage): void {
    const handlers = m.sharded
      ? this.shardHandlers.get(m.channel)
      : m.pattern === undefined ? this.channelHandlers.get(m.channel) : this.patternHandlers.get(m.pattern);
    if (!handlers || handlers.size === 0) return;
    const context: MessageContext = { channel: m.channel, raw: m.payload };
    if (m.pattern !== undefined) context.pattern = m.pattern;
    if (m.sharded) context.sharded = true;
    const parsed = parseJson(m.payload);
    if (!parsed.ok) {
      this.report({ error: parsed.error, context, kind: 'malformed' });
      return;
    }
    for (const h of handlers) {
      try {
        const r = h(parsed.value, context);
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).catch((error) => this.report({ error, context, kind: 'handler' }));
        }
      } catch (error) {
        this.report({ error: error as Error, context, kind: 'handler' });
      }
    }
  }

  private report(p: ProblemReport): void {
    if (this.problemListeners.size === 0) {
      this.log.warn(`${p.kind === 'malformed' ? 'malformed message' : 'handler failed'} on ${p.context.channel}: ${p.error.message}`);
      return;
    }
    for (const l of this.problemListeners) {
      try {
        l(p);
      } catch {
        /* a listener's own failure must not stop delivery */
      }
    }
  }
}

export function toJson(value: unknown): string {
  if (value === undefined) throw new BadInputError('cannot publish undefined');
  try {
    return JSON.stringify(value);
  } catch (e) {
    throw new BadInputError(`the value cannot be turned into JSON: ${(e as Error).message}`);
  }
}

function withDeadline<T>(p: Promise<T>, ms: number | undefined): Promise<T> {
  if (!ms) return p;
  let t: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => { t = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(t));
}

export { NotJsonError };

// The one way out for every event that leaves the editor: the palette's Publish Event, the trees' publish and append
// actions, `.events` CodeLens and Publish All, dead-letter requeue, replay and the demo's checks all go through here.
// A change to how events are sent (a new check, a new target kind, the wording of the result) is a change to this file.
import {
  type EventLike,
  type EventEnvelope,
  EventText,
  BadInputError,
  UCoreError,
  type Logger,
  replay,
  type ReplayOptions,
  type ReplayResult,
  type ReplaySelection,
  EventStore,
  EVENT_FIELD,
  checkEventTarget,
  describeEventTarget,
  type EventTarget,
  TARGET_NOUN,
} from '../../core/index';
import type { UCoreSettings } from '../connections/settings';
import { EXTENSION_SOURCE } from '../constants';
import { plural, shorten } from '../format';
import type { ActiveConnection } from '../services';

/** Where a sent event went, for the message shown to the user (describe()) and for scripts and tests. */
export interface PublishResult {
  target: EventTarget;
  /** The event's `event_type`, or "event" when it has none. */
  eventType: string;
  /**
   * Channels: PUBLISH's count minus the extension's own subscribers (the live monitor's PSUBSCRIBE *).
   * Shard channels: SPUBLISH's count, which includes UCore's own shard subscription when it holds one (a tail, or the
   * monitor following shard channels on a cluster): that one cannot be told apart.
   */
  receivers?: number;
  /** Streams: the new entry's id. */
  id?: string;
}

/** An event about to be sent. `event` is undefined when `text` holds no JSON object (a malformed dead letter). */
export interface OutgoingEvent {
  connection: ActiveConnection;
  target: EventTarget;
  event: EventLike | undefined;
  /** The JSON text sent as it is, when the caller gave text (requeue) rather than an event. */
  text?: string;
}

/** A check run before an event is sent; it throws (a UCoreError with a clear message) to stop the send. */
export type BeforeSend = (outgoing: OutgoingEvent) => void | Promise<void>;

export interface PublisherOptions {
  settings: { get<K extends 'commandTimeoutMs' | 'storeStreamKey'>(name: K): UCoreSettings[K] };
  log: Logger;
  /**
   * How many of a channel's subscribers on this connection are the extension's own (the live monitor): PUBLISH
   * counts them, the user wants to hear about the others.
   */
  ownReceivers: (connectionName: string) => number;
  beforeSend?: readonly BeforeSend[];
}

/** A replay's target: where, and on which connection (the source's when not given). */
export interface ReplayTo extends EventTarget {
  connection?: ActiveConnection;
}

export class Publisher {
  /**
   * Checks every event passes before it is sent, in order; the first that throws stops the send. Empty today: this is
   * where contract checks plug in (issue 14). send() runs them for each event, the demo for each of its events
   * (checkFor); replay forwards stored text in bulk through the core and runs them on nothing yet.
   */
  readonly beforeSend: BeforeSend[];
  // One store (one producer id) per connection: each store object leaves a small producer record in Redis for a day,
  // so one per append would leave one per event.
  private readonly stores = new WeakMap<ActiveConnection, EventStore>();

  constructor(private readonly options: PublisherOptions) {
    this.beforeSend = [...(options.beforeSend ?? [])];
  }

  /**
   * Sends an event (an object, or JSON text forwarded as it is) to a channel (PUBLISH), a shard channel (SPUBLISH) or
   * a stream: through the EventStore when the stream is the store's key (`ucore.store.streamKey`, so its indexes and
   * the `events` channel stay consistent), else XADD with the one field `event` (the guide's format).
   * Does not ask for confirmation: callers call services.guard() first.
   */
  async send(connection: ActiveConnection, target: EventTarget, input: EventLike | string): Promise<PublishResult> {
    checkEventTarget(target);
    const text = typeof input === 'string' ? input : undefined;
    const event = text === undefined ? input as EventLike : objectIn(text);
    await this.runChecks({ connection, target, event, text });
    const eventType = typeOf(event);
    const timeoutMs = this.options.settings.get('commandTimeoutMs');
    const adapter = connection.adapter;
    let result: PublishResult;
    switch (target.kind) {
      case 'channel': {
        const counted = text === undefined ? await adapter.publishJson(target.name, event, { timeoutMs }) : await adapter.publishText(target.name, text, { timeoutMs });
        result = { target, eventType, receivers: Math.max(0, counted - this.options.ownReceivers(connection.name)) };
        break;
      }
      case 'shard': {
        const receivers = text === undefined ? await adapter.spublishJson(target.name, event, { timeoutMs }) : await adapter.spublishText(target.name, text, { timeoutMs });
        result = { target, eventType, receivers };
        break;
      }
      case 'stream':
        result = { target, eventType, id: await this.append(connection, target.name, event, text) };
        break;
    }
    this.options.log.info(`${this.describe(result)} [on "${connection.name}"]`);
    return result;
  }

  /** The one wording of a result: "Published order_paid to channel orders (2 receivers besides UCore)." */
  describe(result: PublishResult): string {
    const type = shorten(result.eventType, 80);
    const where = `${TARGET_NOUN[result.target.kind]} ${shorten(result.target.name, 80)}`;
    if (result.target.kind === 'stream') return `Appended ${type} to ${where} as ${result.id ?? '?'}.`;
    const n = result.receivers ?? 0;
    const receivers = n === 0 ? 'no receivers' : plural(n, 'receiver');
    // SPUBLISH's count may include UCore's own shard subscription (see PublishResult.receivers): no "besides UCore".
    return `Published ${type} to ${where} (${receivers}${result.target.kind === 'channel' ? ' besides UCore' : ''}).`;
  }

  /** The checks for events sent on `connection` by someone else (the core's demo runner): beforeSend, one target at a time. */
  checkFor(connection: ActiveConnection): (target: EventTarget, event: EventEnvelope) => Promise<void> {
    return (target, event) => this.runChecks({ connection, target, event });
  }

  /**
   * Replays stored events from `source` to `to` (core replay: in order, rate-limited, cancellable, the stored text
   * forwarded untouched). Does not ask for confirmation: callers call services.guard() first.
   */
  replay(source: ActiveConnection, selection: ReplaySelection, to: ReplayTo, options: ReplayOptions = {}): Promise<ReplayResult> {
    const { connection, kind, name } = to;
    const transport = connection && connection !== source ? connection.transport : undefined;
    return replay(source.transport, selection, { kind, name, transport }, { logger: this.options.log, ...options });
  }

  /** "channel orders", or "stream x on "staging"" when the replay goes to another connection. */
  describeTarget(target: ReplayTo, source?: ActiveConnection): string {
    const other = target.connection && target.connection !== source ? ` on "${target.connection.name}"` : '';
    return `${TARGET_NOUN[target.kind]} ${shorten(target.name, 80)}${other}`;
  }

  private async runChecks(outgoing: OutgoingEvent): Promise<void> {
    for (const check of this.beforeSend) await check(outgoing);
  }

  private async append(connection: ActiveConnection, stream: string, event: EventLike | undefined, text: string | undefined): Promise<string> {
    const storeKey = this.options.settings.get('storeStreamKey');
    if (stream === storeKey) {
      if (!event) throw new BadInputError(`the event store ${stream} takes events (JSON objects); this text is not one`);
      return (await this.storeFor(connection, storeKey).append(text === undefined ? event : new EventText(text, event))).id;
    }
    const fields: Record<string, string> = Object.create(null);
    fields[EVENT_FIELD] = text ?? JSON.stringify(event);
    const id = await connection.transport.xadd(stream, fields);
    if (id === null) throw new UCoreError('REDIS', `could not append to ${describeEventTarget({ kind: 'stream', name: stream })}`);
    return id;
  }

  private storeFor(connection: ActiveConnection, storeKey: string): EventStore {
    let store = this.stores.get(connection);
    if (!store || store.streamKey !== storeKey) this.stores.set(connection, (store = new EventStore(connection.transport, { streamKey: storeKey, source: EXTENSION_SOURCE, logger: this.options.log })));
    return store;
  }
}

/** The JSON object `text` holds, or undefined (not JSON, or not an object). */
function objectIn(text: string): EventLike | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as EventLike : undefined;
  } catch {
    return undefined;
  }
}

function typeOf(event: EventLike | undefined): string {
  const t = event?.event_type;
  return typeof t === 'string' && t ? t : 'event';
}

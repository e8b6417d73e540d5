// Where an event goes: one type for every sender (the extension's Publisher, replay, dead-letter requeue, the CLI).
// A channel (PUBLISH), a shard channel (SPUBLISH, Redis 7 sharded pub/sub: only SSUBSCRIBE subscribers get it) or a
// stream (XADD in the guide's format: one field `event` holding the JSON text).
import { BadInputError } from './errors';
import { EVENT_FIELD } from './store/stored-event';
import type { StreamFields, Transport } from './transport/types';

export type TargetKind = 'channel' | 'shard' | 'stream';

export const TARGET_KINDS: readonly TargetKind[] = ['channel', 'shard', 'stream'];

export interface EventTarget {
  kind: TargetKind;
  /** The channel name or the stream key. */
  name: string;
}

/** How a target kind is named in messages: "shard channel orders". */
export const TARGET_NOUN: Readonly<Record<TargetKind, string>> = { channel: 'channel', shard: 'shard channel', stream: 'stream' };

export function isTargetKind(x: unknown): x is TargetKind {
  return x === 'channel' || x === 'shard' || x === 'stream';
}

/** "channel orders", "shard channel orders" or "stream event_store". */
export function describeEventTarget(target: EventTarget): string {
  return `${TARGET_NOUN[target.kind]} ${target.name}`;
}

/** Throws a BadInputError saying what is wrong with `target`; `what` names it in the message ("replay target"). */
export function checkEventTarget(target: unknown, what = 'target'): asserts target is EventTarget {
  if (!target || typeof target !== 'object') throw new BadInputError(`a ${what} is needed: a channel, a shard channel or a stream`);
  const { kind, name } = target as { kind?: unknown; name?: unknown };
  if (!isTargetKind(kind)) throw new BadInputError(`unknown ${what} kind "${String(kind).slice(0, 40)}"; use "channel", "shard" or "stream"`);
  if (typeof name !== 'string' || name === '') throw new BadInputError(`the ${what} ${kind === 'stream' ? 'stream' : 'channel'} must be a non-empty string`);
}

/** Sends JSON texts, in order, in one round trip. */
export type TextSender = (texts: readonly string[]) => Promise<void>;

export interface TextSenderOptions {
  /** Streams: trim to about this many entries. */
  maxLen?: number;
  /** Streams: the field holding the text. @default 'event' (the guide's format) */
  field?: string;
}

/**
 * Forwards texts untouched to a target (replay and requeue send what was stored): pipelined PUBLISH, SPUBLISH in one
 * tick on one connection (one channel lives on one shard, so in order), or pipelined XADD.
 */
export function textSender(transport: Transport, target: EventTarget, options: TextSenderOptions = {}): TextSender {
  const { name } = target;
  if (target.kind === 'channel') {
    return async (texts) => {
      await transport.publishBatch(texts.map((text) => [name, text] as const));
    };
  }
  if (target.kind === 'shard') {
    return async (texts) => {
      await Promise.all(texts.map((text) => transport.spublish(name, text)));
    };
  }
  const xaddOptions = options.maxLen === undefined ? undefined : { maxLen: options.maxLen };
  const field = options.field ?? EVENT_FIELD;
  if (!field) throw new BadInputError('the stream field name must not be empty');
  if (field === EVENT_FIELD) {
    // A literal `event` key builds faster than a computed one, and this runs once per event.
    return async (texts) => {
      await transport.xaddBatch(texts.map((text) => ({ key: name, fields: { event: text } satisfies Record<typeof EVENT_FIELD, string>, options: xaddOptions })));
    };
  }
  return async (texts) => {
    await transport.xaddBatch(texts.map((text) => ({ key: name, fields: oneField(field, text), options: xaddOptions })));
  };
}

function oneField(name: string, value: string): StreamFields {
  const f: Record<string, string> = Object.create(null);
  f[name] = value;
  return f;
}

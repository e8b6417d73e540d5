// Where replayed events go: a channel (pipelined PUBLISH), a shard channel (SPUBLISH, Redis 7 sharded pub/sub: only
// SSUBSCRIBE subscribers get them) or a stream (pipelined XADD in the guide's format, one field `event`), on the
// source connection or another one. The stored JSON text is forwarded untouched.
import { BadInputError } from '../errors';
import { EVENT_FIELD } from '../store/stored-event';
import type { Transport } from '../transport/types';

export type ReplayTarget =
  | { kind: 'channel'; channel: string; transport?: Transport }
  /** A shard channel: SPUBLISH, received by SSUBSCRIBE only (a plain SUBSCRIBE on the same name gets nothing). */
  | { kind: 'shard'; channel: string; transport?: Transport }
  | { kind: 'stream'; stream: string; transport?: Transport; maxLen?: number };

/** Sends one batch of event texts, in order, in one round trip. */
export type BatchSender = (raws: string[]) => Promise<void>;

export function checkTarget(target: ReplayTarget): void {
  if (!target || typeof target !== 'object') throw new BadInputError('a replay needs a target: a channel, a shard channel or a stream');
  if (target.kind === 'channel' || target.kind === 'shard') {
    if (typeof target.channel !== 'string' || target.channel === '') throw new BadInputError('the target channel must be a non-empty string');
  } else if (target.kind === 'stream') {
    if (typeof target.stream !== 'string' || target.stream === '') throw new BadInputError('the target stream must be a non-empty string');
    if (target.maxLen !== undefined && !(Number.isInteger(target.maxLen) && target.maxLen > 0)) throw new BadInputError('the target maxLen must be a whole number > 0');
  } else {
    throw new BadInputError(`unknown replay target kind "${String((target as { kind?: unknown }).kind).slice(0, 40)}"; use "channel", "shard" or "stream"`);
  }
}

export function describeTarget(target: ReplayTarget): string {
  if (target.kind === 'channel') return `channel ${target.channel}`;
  return target.kind === 'shard' ? `shard channel ${target.channel}` : `stream ${target.stream}`;
}

export function batchSender(source: Transport, target: ReplayTarget): BatchSender {
  const to = target.transport ?? source;
  if (target.kind === 'channel') {
    const channel = target.channel;
    return async (raws) => {
      await to.publishBatch(raws.map((raw) => [channel, raw] as const));
    };
  }
  if (target.kind === 'shard') {
    const channel = target.channel;
    // One channel lives on one shard: the SPUBLISHes of a batch go out on one connection in one tick (pipelined), in order.
    return async (raws) => {
      await Promise.all(raws.map((raw) => to.spublish(channel, raw)));
    };
  }
  const { stream } = target;
  const options = target.maxLen === undefined ? undefined : { maxLen: target.maxLen };
  return async (raws) => {
    // A literal `event` key (EVENT_FIELD) builds faster than a computed one, and this runs once per event.
    await to.xaddBatch(raws.map((raw) => ({ key: stream, fields: { event: raw } satisfies Record<typeof EVENT_FIELD, string>, options })));
  };
}

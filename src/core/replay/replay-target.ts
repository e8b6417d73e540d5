// Where replayed events go: an EventTarget (a channel: pipelined PUBLISH; a shard channel: SPUBLISH, only SSUBSCRIBE
// subscribers get it; a stream: pipelined XADD in the guide's format, one field `event`), on the source connection or
// another one. The stored JSON text is forwarded untouched.
import { BadInputError } from '../errors';
import { checkEventTarget, describeEventTarget, type EventTarget, textSender } from '../target';
import type { Transport } from '../transport/types';

/** Where a replay sends, and on which connection (the source's when `transport` is not given). */
export interface ReplayTargetOptions {
  transport?: Transport;
  /** Streams: trim the target to about this many entries. */
  maxLen?: number;
}

export type ReplayTarget =
  | (EventTarget & ReplayTargetOptions)
  /** Older forms, still accepted: `{ kind: 'channel' | 'shard', channel }` and `{ kind: 'stream', stream }`. */
  | ({ kind: 'channel' | 'shard'; channel: string } & ReplayTargetOptions)
  | ({ kind: 'stream'; stream: string } & ReplayTargetOptions);

/** Sends one batch of event texts, in order, in one round trip. */
export type BatchSender = (raws: string[]) => Promise<void>;

/** The EventTarget of any accepted form; throws a BadInputError when there is none. */
export function replayEventTarget(target: ReplayTarget): EventTarget {
  if (!target || typeof target !== 'object') throw new BadInputError('a replay needs a target: a channel, a shard channel or a stream');
  const t = target as { kind?: unknown; name?: unknown; channel?: unknown; stream?: unknown };
  const name = t.name !== undefined ? t.name : t.kind === 'stream' ? t.stream : t.channel;
  const normalized = { kind: t.kind, name };
  checkEventTarget(normalized, 'replay target');
  return normalized;
}

export function checkTarget(target: ReplayTarget): void {
  replayEventTarget(target);
  const { maxLen } = target;
  if (maxLen !== undefined && !(target.kind === 'stream' && Number.isInteger(maxLen) && maxLen > 0)) throw new BadInputError('the target maxLen must be a whole number > 0 (streams only)');
}

export function describeReplayTarget(target: ReplayTarget): string {
  return describeEventTarget(replayEventTarget(target));
}

export function batchSender(source: Transport, target: ReplayTarget): BatchSender {
  return textSender(target.transport ?? source, replayEventTarget(target), { maxLen: target.maxLen });
}

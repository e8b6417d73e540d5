// The dead-letter queue: a Redis stream (`dead_letter`) holding each event that could not be processed, as the JSON
// text it arrived as, with why it failed, how often it was tried and where it came from, so a person can look at it
// and send it back once the cause is fixed.
import { BadInputError, describeError } from '../errors';
import { readEvent, type EventLike } from '../envelope/envelope';
import { checkEventTarget, type EventTarget, textSender } from '../target';
import type { StreamEntry, Transport } from '../transport/types';

export const DEAD_LETTER_STREAM = 'dead_letter';

export interface DeadLetterQueueOptions {
  /** @default 'dead_letter' */
  stream?: string;
  /** The stream is trimmed to about this many entries, so a flood of failures cannot fill Redis. @default 10000 */
  maxLen?: number;
}

export interface DeadLetterFailure {
  error: string;
  attempts: number;
  /** The channel or stream the event came from. */
  source?: string;
  errorName?: string;
}

export interface DeadLetter {
  id: string;
  /** The event read leniently; null when the stored text is not a JSON object. */
  event: EventLike | null;
  /** The event's JSON text exactly as stored (what requeue sends). */
  raw: string;
  error: string;
  errorName: string;
  attempts: number;
  source: string | null;
  failedAt: string;
}

/**
 * A channel (PUBLISH), a shard channel (SPUBLISH: only SSUBSCRIBE subscribers get it) or a stream (XADD, in one field
 * `event` unless `field` says otherwise). The older forms `{ channel }`, `{ shardChannel }` and `{ stream }` are still
 * accepted.
 */
export type RequeueTarget = (EventTarget & { field?: string }) | { channel: string } | { shardChannel: string } | { stream: string; field?: string };

/** An error message can be anything (a whole response body); the entry keeps the start of it. */
const MAX_ERROR_CHARS = 4000;
const DEFAULT_LIST_COUNT = 100;
const MAX_LIST_COUNT = 10_000;
const REQUEUE_PAGE = 500;
const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;

export class DeadLetterQueue {
  readonly stream: string;
  private readonly maxLen: number;

  constructor(private readonly transport: Transport, options: DeadLetterQueueOptions = {}) {
    this.stream = options.stream ?? DEAD_LETTER_STREAM;
    if (!this.stream) throw new BadInputError('the dead-letter stream needs a name');
    this.maxLen = options.maxLen ?? 10_000;
    if (!Number.isInteger(this.maxLen) || this.maxLen < 1) throw new BadInputError(`maxLen must be a whole number ≥ 1, not ${this.maxLen}`);
  }

  /** Stores the event with the failure; resolves with the new entry's id. */
  async add(event: unknown, failure: DeadLetterFailure): Promise<string> {
    const fields: Record<string, string> = Object.create(null);
    fields.event = eventText(event);
    fields.error = clip(String(failure.error ?? ''), MAX_ERROR_CHARS);
    fields.error_name = clip(String(failure.errorName ?? 'Error'), 200);
    fields.attempts = String(Number.isFinite(failure.attempts) ? Math.max(0, Math.floor(failure.attempts)) : 0);
    fields.source = failure.source ?? '';
    fields.failed_at = new Date().toISOString();
    const id = await this.transport.xadd(this.stream, fields, { maxLen: this.maxLen });
    if (id === null) throw new BadInputError(`could not add to ${this.stream}`);
    return id;
  }

  /** Oldest first (newest first with `reverse`), `count` at most (default 100). `start` is inclusive; pass `(id` for the page after `id`. */
  async list(options: { count?: number; start?: string; reverse?: boolean } = {}): Promise<DeadLetter[]> {
    const count = clampCount(options.count);
    const entries = options.reverse
      ? await this.transport.xrevrange(this.stream, options.start ?? '+', '-', count)
      : await this.transport.xrange(this.stream, options.start ?? '-', '+', count);
    return entries.map(toDeadLetter);
  }

  async get(id: string): Promise<DeadLetter | null> {
    const entry = await this.entry(id);
    return entry ? toDeadLetter(entry) : null;
  }

  length(): Promise<number> {
    return this.transport.xlen(this.stream);
  }

  /**
   * Sends the original JSON text back (PUBLISH to a channel, SPUBLISH to a shard channel or XADD to a stream, in one
   * field `event` by default),
   * then deletes the dead letter. False when the id is not in the queue. Sending comes first: a crash in between
   * leaves a duplicate, never a lost event.
   */
  async requeue(id: string, target: RequeueTarget): Promise<boolean> {
    const send = this.sender(target);
    const entry = await this.entry(id);
    if (!entry) return false;
    await send([entry]);
    await this.transport.xdel(this.stream, [entry.id]);
    return true;
  }

  /**
   * Requeues the dead letters present when it starts, oldest first, a page per round trip; at most `max`.
   * Stops between pages when the signal fires and resolves with how many were sent back until then.
   */
  async requeueAll(target: RequeueTarget, options: { max?: number; signal?: AbortSignal } = {}): Promise<number> {
    const send = this.sender(target);
    const max = options.max === undefined ? Number.POSITIVE_INFINITY : Math.floor(options.max);
    if (!(max >= 0)) throw new BadInputError(`max must be ≥ 0, not ${options.max}`);
    // Only what is there now: requeueing into this same stream must not chase its own tail forever.
    const [last] = await this.transport.xrevrange(this.stream, '+', '-', 1);
    if (!last) return 0;
    let done = 0;
    let start = '-';
    while (done < max && !options.signal?.aborted) {
      const page = await this.transport.xrange(this.stream, start, last.id, Math.min(REQUEUE_PAGE, max - done));
      if (page.length === 0) break;
      await send(page);
      await this.transport.xdel(this.stream, page.map((e) => e.id));
      done += page.length;
      start = `(${page[page.length - 1].id}`;
      if (page[page.length - 1].id === last.id) break;
    }
    return done;
  }

  /** Deletes dead letters by id; resolves with how many were there. */
  async remove(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    for (const id of ids) checkId(id);
    return this.transport.xdel(this.stream, ids);
  }

  private async entry(id: string): Promise<StreamEntry | null> {
    checkId(id);
    const [entry] = await this.transport.xrange(this.stream, id, id, 1);
    return entry ?? null;
  }

  /** Validates the target once, before anything is read or deleted. */
  private sender(target: RequeueTarget): (entries: StreamEntry[]) => Promise<unknown> {
    const send = textSender(this.transport, requeueEventTarget(target), { field: target && 'field' in target ? target.field : undefined });
    return (entries) => send(entries.map(rawOf));
  }
}

/** The EventTarget of any accepted requeue form; throws a BadInputError when there is none. */
export function requeueEventTarget(target: RequeueTarget): EventTarget {
  const t = (target && typeof target === 'object' ? target : {}) as { kind?: unknown; name?: unknown; channel?: unknown; shardChannel?: unknown; stream?: unknown };
  const normalized = t.kind !== undefined ? { kind: t.kind, name: t.name }
    : typeof t.channel === 'string' ? { kind: 'channel', name: t.channel }
      : typeof t.shardChannel === 'string' ? { kind: 'shard', name: t.shardChannel }
        : typeof t.stream === 'string' ? { kind: 'stream', name: t.stream }
          : undefined;
  if (!normalized) throw new BadInputError('requeue needs a target: { kind, name }, { channel }, { shardChannel } or { stream }');
  checkEventTarget(normalized, 'requeue target');
  return normalized;
}

function toDeadLetter(entry: StreamEntry): DeadLetter {
  const f = entry.fields;
  const raw = rawOf(entry);
  const read = readEvent(raw);
  const attempts = Number.parseInt(f.attempts ?? '', 10);
  return {
    id: entry.id,
    event: read.ok ? read.event : null,
    raw,
    error: f.error ?? '',
    errorName: f.error_name ?? '',
    attempts: Number.isFinite(attempts) ? attempts : 0,
    source: f.source ? f.source : null,
    failedAt: f.failed_at ?? '',
  };
}

function rawOf(entry: StreamEntry): string {
  return entry.fields.event ?? '';
}

/** The event as JSON text: text is kept as it came (it may be the malformed message itself), values are stringified. */
function eventText(event: unknown): string {
  if (typeof event === 'string') return event;
  if (Buffer.isBuffer(event)) return event.toString('utf8');
  try {
    return JSON.stringify(event) ?? 'null';
  } catch (e) {
    // Cyclic or BigInt values: keep what can be shown rather than lose the dead letter.
    return JSON.stringify({ unserializable: describeError(e), preview: clip(String(event), 1000) });
  }
}

function checkId(id: string): void {
  if (typeof id !== 'string' || !ENTRY_ID.test(id)) throw new BadInputError(`not a stream entry id: ${clip(String(id), 60)}`);
}

function clampCount(count: number | undefined): number {
  if (count === undefined) return DEFAULT_LIST_COUNT;
  if (!Number.isFinite(count) || count < 1) return 1;
  return Math.min(Math.floor(count), MAX_LIST_COUNT);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

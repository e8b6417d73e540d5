// What a store read gives back for one stream entry. Entries are read leniently: apps written from the guide XADD
// whatever they like, so a malformed entry comes back with `error` set instead of failing the whole read.
import { type EventLike, readEvent } from '../envelope/envelope';
import type { StreamEntry } from '../transport/types';

/** The stream field that holds the event as JSON text (the guide's format). */
export const EVENT_FIELD = 'event';

export interface StoredEvent {
  /** The stream entry id; its ms part is the append time. */
  id: string;
  /** The event as read leniently; `{}` when the entry is not a JSON object. */
  event: EventLike;
  /** The `event` field as stored ('' when the entry has none). */
  raw: string;
  /** Set when the entry has no `event` field or it is not a JSON object. */
  error?: string;
  /** The partition stream the entry is in; set only by a partitioned store (several streams, ids may repeat). */
  stream?: string;
}

export function toStoredEvent(entry: StreamEntry): StoredEvent {
  const raw = entry.fields[EVENT_FIELD];
  if (typeof raw !== 'string') {
    const names = Object.keys(entry.fields).slice(0, 5).map((n) => JSON.stringify(n.slice(0, 40)));
    return { id: entry.id, event: {}, raw: '', error: `entry has no "${EVENT_FIELD}" field (fields: ${names.join(', ') || 'none'})` };
  }
  const r = readEvent(raw);
  if (r.ok) return { id: entry.id, event: r.event, raw };
  return { id: entry.id, event: {}, raw, error: r.error.message };
}

/**
 * A cheap check that text is a JSON object without parsing it: the first and last non-blank characters are braces.
 * Replay uses it to skip obvious garbage while forwarding the stored text untouched; it does not prove validity.
 */
export function looksLikeJsonObject(text: string): boolean {
  let i = 0;
  let j = text.length - 1;
  while (i <= j && isBlank(text.charCodeAt(i))) i++;
  while (j >= i && isBlank(text.charCodeAt(j))) j--;
  return j > i && text.charCodeAt(i) === 0x7b /* { */ && text.charCodeAt(j) === 0x7d /* } */;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

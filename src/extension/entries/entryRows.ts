// A page of stream entries as the entries panel's rows: the id, the time the id carries, event_type, entity_id and a
// one-line preview of the payload, every text clipped to what the page's schema accepts. Nothing here escapes: the
// page puts each value in with textContent.
import type { StreamEntry } from '../../core/index';
import { MAX_ENTRY_NAME, MAX_ENTRY_PREVIEW, type EntryRow } from '../../shared/entriesProtocol';
import { entryText, entryTypeAndEntity } from '../explorer/streams/entryFormat';
import { idTimeMs, shorten } from '../format';

/** Ids before 2000 are explicit ids (1-1), not append times. */
const FIRST_TIME_MS = 946_684_800_000;

export function entryTime(id: string): string {
  const ms = idTimeMs(id);
  return ms === null || ms < FIRST_TIME_MS ? '' : new Date(ms).toISOString();
}

export function toEntryRow(entry: StreamEntry): EntryRow {
  const { type, entity } = entryTypeAndEntity(entry);
  // Only the start of a large payload is looked at: the row shows one line of it.
  const text = entryText(entry);
  return {
    id: entry.id.slice(0, 60),
    time: entryTime(entry.id),
    eventType: shorten(type, MAX_ENTRY_NAME),
    entity: shorten(entity, MAX_ENTRY_NAME),
    preview: shorten(text.length > MAX_ENTRY_PREVIEW * 4 ? text.slice(0, MAX_ENTRY_PREVIEW * 4) : text, MAX_ENTRY_PREVIEW).replace(/\s+/g, ' '),
  };
}

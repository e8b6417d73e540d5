// What a filter sees of a stream entry. An entry written the guide's way (`XADD key * event <json>`) is its event;
// any other entry (a stream of plain fields) is its field map, values as text.
import type { StreamEntry } from '../transport/types';

export interface EntryEvent {
  /** The JSON text of the event, or null when the entry has no `event` field. */
  raw: string | null;
  /** The parsed event, the field map, or undefined when `raw` is not JSON. */
  value: unknown;
}

export function entryText(entry: StreamEntry): string | null {
  const raw = entry.fields.event;
  return typeof raw === 'string' ? raw : null;
}

export function parseEntry(entry: StreamEntry, raw = entryText(entry)): EntryEvent {
  if (raw === null) return { raw, value: entry.fields };
  try {
    return { raw, value: JSON.parse(raw) };
  } catch {
    return { raw, value: undefined };
  }
}

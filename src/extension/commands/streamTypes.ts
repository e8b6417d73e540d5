// The event types actually present in a stream, for pickers that select by type (Replay): the registry lists the
// types we know schemas for, not what a stream holds, and the guide's services write types of their own.
// Bounded both ways: the newest SAMPLE_ENTRIES entries are read (XREVRANGE … COUNT), and the store's type index keys
// (`<stream>:idx:type:<type>`) are found with SCAN MATCH in a few steps — never KEYS.
import { typeIndexKey } from '../../core/index';
import type { ActiveConnection } from '../services';

/** Entries read from the stream's end. */
export const SAMPLE_ENTRIES = 1000;
const MAX_SCAN_STEPS = 50;
const MAX_TYPES = 500;

export interface StreamType {
  type: string;
  /** How many of the sampled entries carry it (0: known only from the store's type index). */
  sampled: number;
  /** The store keeps a type index for it (older entries may carry it too). */
  indexed: boolean;
}

export interface StreamTypes {
  /** Busiest first, then by name. */
  types: StreamType[];
  /** Entries read (at most SAMPLE_ENTRIES). */
  sampled: number;
}

export async function typesInStream(conn: ActiveConnection, stream: string): Promise<StreamTypes> {
  const found = new Map<string, StreamType>();
  const note = (type: string, sampled: number, indexed: boolean) => {
    const t = found.get(type);
    if (t) {
      t.sampled += sampled;
      t.indexed ||= indexed;
    } else if (found.size < MAX_TYPES) {
      found.set(type, { type, sampled, indexed });
    }
  };
  const entries = await conn.transport.xrevrange(stream, '+', '-', SAMPLE_ENTRIES);
  for (const e of entries) {
    const type = eventType(e.fields.event);
    if (type !== undefined) note(type, 1, false);
  }
  const prefix = typeIndexKey(stream, '');
  let cursor = '0';
  let steps = 0;
  do {
    const r = await conn.transport.scan(cursor, { match: `${globEscape(prefix)}*`, type: 'stream', count: 500 });
    cursor = r.cursor;
    for (const k of r.keys) if (k.startsWith(prefix) && k.length > prefix.length) note(k.slice(prefix.length), 0, true);
  } while (cursor !== '0' && ++steps < MAX_SCAN_STEPS && found.size < MAX_TYPES);
  const types = [...found.values()].sort((a, b) => b.sampled - a.sampled || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return { types, sampled: entries.length };
}

/** `event_type` of an entry's `event` field (the guide's layout); undefined when it has none. */
function eventType(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    const t = v && typeof v === 'object' ? (v as { event_type?: unknown }).event_type : undefined;
    return typeof t === 'string' && t ? t : undefined;
  } catch {
    return undefined;
  }
}

/** A literal for a Redis glob: `*`, `?`, `[`, `]` and `\` escaped. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

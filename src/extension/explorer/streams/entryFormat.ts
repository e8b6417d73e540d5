// How stream entries read in the Streams view: their time from the id, their event as text, a one-line summary.
import { DEAD_LETTER_STREAM, type StreamEntry } from '../../../core/index';
import { ago, idTimeMs } from '../../format';

/** The smallest id after `id` (XRANGE's exclusive `(id` spelled so every server and the embedded transport take it). */
export function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${Number(seq ?? 0) + 1}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * An entry's time from its id, local: "14:03:12.345", with the date when it is not today, and "#seq" when several
 * entries share the millisecond. Ids that are not times (explicit ids such as 1-1) stay as they are.
 */
export function entryTimeLabel(id: string, now = new Date()): string {
  const ms = idTimeMs(id);
  if (ms === null || ms < 946_684_800_000) return id; // before 2000: an explicit id, not a time
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  const seq = id.split('-')[1];
  return `${sameDay ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `}${time}${seq && seq !== '0' ? ` #${seq}` : ''}`;
}

export function idTooltip(id: string): string {
  const ms = idTimeMs(id);
  return ms === null ? id : `${id} (${new Date(ms).toISOString()}, ${ago(ms)})`;
}

/** The entry as text: the `event` field when it is the only one (the guide's format), else all fields as JSON. */
export function entryText(entry: StreamEntry): string {
  const keys = Object.keys(entry.fields);
  if (keys.length === 1 && keys[0] === 'event') return entry.fields.event;
  return JSON.stringify(entry.fields);
}

/** The event's type and entity (entity_id) when its `event` field is JSON; the field names for other entries. */
export function entryTypeAndEntity(entry: StreamEntry): { type: string; entity: string } {
  const raw = entry.fields.event;
  let type = '';
  let entity = '';
  if (raw !== undefined) {
    try {
      const v = JSON.parse(raw) as Record<string, unknown>;
      if (v && typeof v === 'object') {
        if (typeof v.event_type === 'string') type = v.event_type;
        if (typeof v.entity_id === 'string' || typeof v.entity_id === 'number') entity = String(v.entity_id);
      }
    } catch {
      type = '(not JSON)';
    }
  } else {
    type = Object.keys(entry.fields).slice(0, 4).join(', ');
  }
  return { type, entity };
}

/** "order_created · order 789" or, for a dead letter, its error. */
export function entrySummary(stream: string, entry: StreamEntry): string {
  const { type, entity } = entryTypeAndEntity(entry);
  const parts = [type || '(no type)'];
  if (entity) parts.push(entity);
  if (stream === DEAD_LETTER_STREAM && entry.fields.error) parts.push(`error: ${entry.fields.error}`);
  return parts.join(' · ');
}

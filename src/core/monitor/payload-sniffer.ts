// Finds a message's event type and entity for counting, at a bounded cost: payloads up to a size limit are parsed
// (JSON.parse is the fast path for normal events); bigger ones are only searched for `"event_type"` in their first
// 4 KiB, since parsing 10 MB to count one message would stall the monitor for every message behind it.
import { entityOf, eventTypeOf } from '../envelope/envelope';

export const MALFORMED_TYPE = '(malformed)';
export const UNKNOWN_TYPE = '(unknown)';

/** How much of an oversized payload is searched for its type. */
export const SNIFF_PREFIX_CHARS = 4096;

const TYPE_IN_PREFIX = /"event_type"\s*:\s*"((?:[^"\\]|\\.){0,1024})"/;
const ENTITY_IN_PREFIX = /"entity_id"\s*:\s*(?:"((?:[^"\\]|\\.){0,1024})"|(-?\d{1,20}))/;

/** Reused between calls so the hot path allocates nothing of its own. */
export interface SniffResult {
  type: string;
  entity: string | null;
  /** The parsed payload when it was parsed (and JSON); undefined for oversized or malformed ones. */
  value?: unknown;
}

export function sniffPayload(payload: string, maxParseChars: number, out: SniffResult): void {
  if (payload.length <= maxParseChars) {
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch {
      out.type = MALFORMED_TYPE;
      out.entity = null;
      out.value = undefined;
      return;
    }
    out.value = value;
    out.type = eventTypeOf(value);
    out.entity = entityOf(value);
    return;
  }
  out.value = undefined;
  const head = payload.slice(0, SNIFF_PREFIX_CHARS);
  const t = TYPE_IN_PREFIX.exec(head);
  out.type = (t && decodeJsonString(t[1]!)) || UNKNOWN_TYPE;
  const e = ENTITY_IN_PREFIX.exec(head);
  out.entity = e ? (e[1] !== undefined ? decodeJsonString(e[1]) : e[2]!) : null;
}

function decodeJsonString(body: string): string | null {
  if (body.indexOf('\\') < 0) return body;
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return null;
  }
}

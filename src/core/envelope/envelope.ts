// The event envelope: one zod schema, strict parsing for events we write, lenient reading for events other
// services write (the guide's events often carry only event_type and a few top-level fields).
import * as z from 'zod/mini';
import { BadInputError, InvalidEventError, NotJsonError } from '../errors';
import { isoNow, uuidv7 } from './ids';
import { describeIssues, issuesFromZod } from './issues';
import { useZodMessages } from './zod-messages';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

// Built on first use, not when the module loads: building zod schemas is slow (each is a tree of objects with bound
// methods), and the extension's start-up (issue 13) needs no envelope check.
function buildEnvelopeSchema() {
  useZodMessages();
  const idLike = z.union([z.string(), z.number()]);
  const objectLike = z.record(z.string(), z.unknown());
  const text = (name: string) => z.string().check(z.minLength(1, `${name} must not be empty`), z.maxLength(256));
  return z.looseObject({
    event_id: text('event_id'),
    event_type: text('event_type'),
    timestamp: z.string().check(
      z.regex(ISO_UTC, 'timestamp must be ISO-8601, e.g. 2025-09-12T10:30:00Z'),
      z.refine((s) => !Number.isNaN(Date.parse(s)), 'timestamp is not a real date'),
    ),
    version: z._default(z.string().check(z.minLength(1), z.maxLength(32)), '1.0'),
    entity_id: z.nullish(idLike),
    user_id: z.nullish(idLike),
    correlation_id: z.nullish(z.string().check(z.maxLength(256))),
    causation_id: z.nullish(z.string().check(z.maxLength(256))),
    data: z._default(objectLike, {}),
    metadata: z._default(objectLike, {}),
  });
}

let envelope: ReturnType<typeof buildEnvelopeSchema> | undefined;

/** The envelope's schema (zod/mini), built on first call. `eventEnvelopeSchema` is the same as a zod classic object. */
export function envelopeSchema(): ReturnType<typeof buildEnvelopeSchema> {
  return (envelope ??= buildEnvelopeSchema());
}

export type EventEnvelope = z.output<ReturnType<typeof buildEnvelopeSchema>>;

/** What a reader may assume of any event on the wire: an object, maybe with the envelope's fields. */
export interface EventLike {
  event_id?: unknown;
  event_type?: unknown;
  timestamp?: unknown;
  entity_id?: unknown;
  user_id?: unknown;
  data?: unknown;
  [key: string]: unknown;
}

export type ParseResult<T> = { ok: true; event: T } | { ok: false; error: InvalidEventError | NotJsonError };

const PREVIEW = 200;

/**
 * Deepest nesting of arrays and objects the core accepts in an event. Python's json (the guide's apps) gives up near
 * 1,000 levels; JS's JSON.parse reads 100,000 levels, but the value then overflows the stack of whatever walks or
 * serialises it next (JSON.stringify in the CLI's output, structured clone into a webview), far from the parse.
 */
export const MAX_JSON_NESTING = 1000;

/** JSON text (or Buffer) → value; a NotJsonError with a short preview instead of a throw from JSON.parse. */
export function parseJson(text: string | Buffer): { ok: true; value: unknown } | { ok: false; error: NotJsonError } {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch (e) {
    return { ok: false, error: new NotJsonError(`not JSON: ${(e as Error).message}`, previewText(s)) };
  }
  if (nestedDeeperThan(s, MAX_JSON_NESTING)) {
    return { ok: false, error: new NotJsonError(`not JSON the core accepts: nested deeper than ${MAX_JSON_NESTING} levels`, previewText(s)) };
  }
  return { ok: true, value };
}

/** For valid JSON text: true when arrays/objects nest deeper than `max`. Free for short texts, one pass otherwise. */
function nestedDeeperThan(s: string, max: number): boolean {
  if (s.length <= 2 * max) return false; // each level costs two characters
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Strict: the value must be a complete envelope. Accepts an object or JSON text. Never throws. */
export function parseEvent(input: unknown): ParseResult<EventEnvelope> {
  let value = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    const j = parseJson(input as string | Buffer);
    if (!j.ok) return j;
    value = j.value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const message = `an event must be a JSON object, not ${describeKind(value)}`;
    return { ok: false, error: new InvalidEventError(message, [{ path: [], message, code: 'not_object' }]) };
  }
  const r = z.safeParse(envelopeSchema(), value);
  if (r.success) return { ok: true, event: r.data };
  const issues = issuesFromZod(r.error);
  return { ok: false, error: new InvalidEventError(`invalid event: ${describeIssues(issues)}`, issues) };
}

/** Lenient: any JSON object is an event; the rest is reported. Used for what other services publish. */
export function readEvent(input: string | Buffer | unknown): ParseResult<EventLike> {
  let value = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    const j = parseJson(input as string | Buffer);
    if (!j.ok) return j;
    value = j.value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: new InvalidEventError(`expected a JSON object, got ${describeKind(value)}`) };
  }
  return { ok: true, event: value as EventLike };
}

export interface NewEvent {
  event_type: string;
  data?: Record<string, unknown>;
  entity_id?: string | number | null;
  user_id?: string | number | null;
  correlation_id?: string;
  causation_id?: string;
  version?: string;
  metadata?: Record<string, unknown>;
  event_id?: string;
  timestamp?: string;
}

/** A complete envelope with a time-ordered id and the current time, unless given. */
export function createEvent(e: NewEvent): EventEnvelope {
  const out: EventEnvelope = {
    event_id: e.event_id ?? uuidv7(),
    event_type: e.event_type,
    timestamp: e.timestamp ?? isoNow(),
    version: e.version ?? '1.0',
    data: e.data ?? {},
    metadata: e.metadata ?? {},
  };
  if (e.entity_id !== undefined) out.entity_id = e.entity_id;
  if (e.user_id !== undefined) out.user_id = e.user_id;
  if (e.correlation_id !== undefined) out.correlation_id = e.correlation_id;
  if (e.causation_id !== undefined) out.causation_id = e.causation_id;
  return out;
}

/** Fills the envelope fields a lenient event lacks (id, timestamp, version, data) without dropping any of its own. */
export function completeEvent(e: EventLike): EventEnvelope {
  const out: Record<string, unknown> = { ...e };
  if (typeof out.event_id !== 'string' || !out.event_id) out.event_id = uuidv7();
  if (typeof out.timestamp !== 'string' || Number.isNaN(Date.parse(out.timestamp))) out.timestamp = isoNow();
  if (typeof out.version !== 'string') out.version = '1.0';
  if (typeof out.data !== 'object' || out.data === null || Array.isArray(out.data)) out.data = {};
  if (typeof out.metadata !== 'object' || out.metadata === null || Array.isArray(out.metadata)) out.metadata = {};
  if (typeof out.event_type !== 'string') out.event_type = textOf(out.event_type ?? 'unknown');
  return out as EventEnvelope;
}

/**
 * An event given as the JSON text another program wrote, to be stored as that text: `12.0`, `1e+21` and integers
 * beyond 2^53 keep their form (JSON.parse + JSON.stringify would write `12`, `1e21`, a rounded number), so Python
 * apps that read the store see what they wrote. `event` is the parsed form, used for checks and indexes.
 */
export class EventText {
  readonly event: EventLike;
  constructor(readonly text: string, parsed?: unknown) {
    const value = parsed === undefined ? JSON.parse(text) as unknown : parsed;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadInputError('an event must be a JSON object');
    this.event = value as EventLike;
  }
}

/**
 * completeEvent on an event's text: the fields it lacks are written in front of the others, and the rest of the text
 * stays as it was. When a field is there but unusable (a timestamp that is no date, data that is no object), the
 * completed event is written with JSON.stringify instead, as for an object.
 */
export function completeEventText(input: EventText, source: string | null = null): { event: EventEnvelope; raw: string } {
  const given = input.event as Record<string, unknown>;
  const event = completeEvent(given);
  // The source is only added where the text has no metadata: rewriting metadata it has would rewrite its numbers.
  if (source !== null && !Object.prototype.hasOwnProperty.call(given, 'metadata')) event.metadata = { source };
  const added: string[] = [];
  for (const key of COMPLETED_FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(given, key)) {
      added.push(`${JSON.stringify(key)}: ${JSON.stringify(event[key])}`);
    } else if (given[key] !== event[key]) {
      return { event, raw: JSON.stringify(event) };
    }
  }
  const text = input.text.trim();
  if (added.length === 0) return { event, raw: text };
  const rest = text.slice(1).trimStart();
  return { event, raw: `{${added.join(', ')}${rest.startsWith('}') ? '' : ', '}${rest}` };
}

/**
 * Longest `metadata.source` we write. The source names the service that published an event (DESIGN.md: metadata is
 * an open object, so readers that do not know the field ignore it).
 */
export const MAX_SOURCE_CHARS = 120;

/** Checks a publisher's `source` option: a non-empty text of at most MAX_SOURCE_CHARS, or null (write none). */
export function checkSource(source: string | null | undefined, fallback: string | null): string | null {
  if (source === undefined) return fallback;
  if (source === null) return null;
  if (typeof source !== 'string' || source.trim() === '' || source.length > MAX_SOURCE_CHARS) {
    throw new BadInputError(`source must be a non-empty text of at most ${MAX_SOURCE_CHARS} characters, or null`);
  }
  return source;
}

/**
 * The event with `metadata.source` set to `source` when its metadata has none (a source the event already names,
 * e.g. a replayed or forwarded event, is kept). A copy: the caller's object and its metadata are not changed.
 * Anything that is not an event-shaped object (no string event_type) is returned as it is.
 */
export function withSource<T>(value: T, source: string | null): T {
  if (source === null || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const e = value as Record<string, unknown>;
  if (typeof e.event_type !== 'string') return value;
  const m = e.metadata;
  if (m === undefined || m === null) return { ...e, metadata: { source } } as T;
  if (typeof m !== 'object' || Array.isArray(m) || Object.prototype.hasOwnProperty.call(m, 'source')) return value;
  return { ...e, metadata: { ...(m as Record<string, unknown>), source } } as T;
}

/** What completeEvent fills in. */
const COMPLETED_FIELDS = ['event_id', 'event_type', 'timestamp', 'version', 'data', 'metadata'] as const;

/** The event's type as text for display/counting; "(none)" when absent. */
export function eventTypeOf(e: unknown): string {
  return eventTypeText((e as EventLike | null)?.event_type);
}

/** eventTypeOf for the value of event_type itself. */
export function eventTypeText(t: unknown): string {
  return typeof t === 'string' && t ? t : t === undefined || t === null ? '(none)' : textOf(t);
}

/**
 * String(value) that cannot throw: `{"toString": 1}` from the wire makes String() throw ("Cannot convert object to
 * primitive value"), and so would a null-prototype object. Objects fall back to "[object Object]".
 */
function textOf(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** The entity of an event: entity_id, else data.order_id / top-level order_id forms the guide uses. */
export function entityOf(e: unknown): string | null {
  const ev = e as EventLike | null;
  if (!ev || typeof ev !== 'object') return null;
  const id = ev.entity_id;
  if (typeof id === 'string' && id) return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return null;
}

export function previewText(s: string, max = PREVIEW): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function describeKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

// Converts raw RESP2 replies of stream commands into the transport's typed shapes, and stream arguments into RESP.
// Field maps use a null prototype so hostile field names (`__proto__`) are plain data.
import type { FieldBytesEntry, ClientInfo, ConsumerInfo, GroupInfo, PendingEntry, PendingSummary, StreamBatch, StreamEntry, StreamFields, StreamInfo, XAddOptions } from './types';

type Raw = unknown;

export function toFields(flat: Raw): StreamFields {
  const out: StreamFields = Object.create(null);
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

export function toEntry(raw: Raw): StreamEntry | null {
  if (!Array.isArray(raw) || raw[1] == null) return null;
  return { id: String(raw[0]), fields: toFields(raw[1]) };
}

export function toEntries(raw: Raw): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const r of raw) {
    const e = toEntry(r);
    if (e) out.push(e);
  }
  return out;
}

/** A Buffer reply of XRANGE → entries with one field's bytes (the last if it repeats, as toFields keeps it). */
export function toFieldBytesEntries(raw: Raw, field: string): FieldBytesEntry[] {
  if (!Array.isArray(raw)) return [];
  const name = Buffer.from(field, 'utf8');
  const out: FieldBytesEntry[] = [];
  for (const r of raw) {
    if (!Array.isArray(r) || !Array.isArray(r[1])) continue;
    const flat = r[1] as unknown[];
    let value: Buffer | null = null;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const k = flat[i];
      const v = flat[i + 1];
      if (Buffer.isBuffer(k) && Buffer.isBuffer(v) && sameBytes(k, name)) value = v;
    }
    // Ids are ASCII: latin1 makes the same text as utf8, for less.
    out.push({ id: Buffer.isBuffer(r[0]) ? r[0].toString('latin1') : String(r[0]), value });
  }
  return out;
}

/** Buffer#equals without the native call: field names are a few bytes. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The flat reply of READ_BY_INDEX: per entry its id, the count n of field and value strings, then the n strings. */
export function toEntriesFlat(raw: Raw): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  let i = 0;
  while (i + 1 < raw.length) {
    const id = String(raw[i]);
    const n = Number(raw[i + 1]);
    i += 2;
    const fields: StreamFields = Object.create(null);
    const end = Math.min(raw.length, i + n);
    for (; i + 1 < end; i += 2) fields[String(raw[i])] = String(raw[i + 1]);
    i = Math.max(i, end);
    out.push({ id, fields });
  }
  return out;
}

export function fieldsToArgs(fields: StreamFields): string[] {
  const args: string[] = [];
  for (const k of Object.keys(fields)) args.push(k, fields[k]);
  return args;
}

export function xaddArgs(key: string, fields: StreamFields, o: XAddOptions): Array<string | number> {
  const args: Array<string | number> = [key];
  if (o.noMkStream) args.push('NOMKSTREAM');
  if (o.maxLen !== undefined) args.push('MAXLEN', ...(o.exactTrim ? [] : ['~']), o.maxLen);
  args.push(o.id ?? '*', ...fieldsToArgs(fields));
  return args;
}

/** The name of the only field, or undefined when there are none or several. */
export function singleField(fields: StreamFields): string | undefined {
  let name: string | undefined;
  for (const k in fields) {
    if (name !== undefined || !Object.prototype.hasOwnProperty.call(fields, k)) return undefined;
    name = k;
  }
  return name;
}

/** An XREAD / XREADGROUP reply; null when the read timed out with nothing new. */
export function toBatches(raw: Raw): StreamBatch[] | null {
  if (raw == null) return null;
  return (raw as unknown[]).map((b) => {
    const [key, entries] = b as [unknown, unknown];
    return { key: String(key), entries: toEntries(entries) };
  });
}

/** Flat `[k1, v1, k2, v2]` → map (used by XINFO replies). */
function flatMap(raw: Raw): Map<string, Raw> {
  const m = new Map<string, Raw>();
  if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) m.set(String(raw[i]), raw[i + 1]);
  return m;
}

function num(v: Raw): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function toStreamInfo(raw: Raw): StreamInfo {
  const m = flatMap(raw);
  return {
    length: num(m.get('length')) ?? 0,
    lastGeneratedId: String(m.get('last-generated-id') ?? '0-0'),
    groups: num(m.get('groups')) ?? 0,
    firstEntry: toEntry(m.get('first-entry')),
    lastEntry: toEntry(m.get('last-entry')),
  };
}

export function toGroupInfos(raw: Raw): GroupInfo[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((g) => {
    const m = flatMap(g);
    return {
      name: String(m.get('name')),
      consumers: num(m.get('consumers')) ?? 0,
      pending: num(m.get('pending')) ?? 0,
      lastDeliveredId: String(m.get('last-delivered-id') ?? '0-0'),
      entriesRead: num(m.get('entries-read')),
      lag: num(m.get('lag')),
    };
  });
}

export function toConsumerInfos(raw: Raw): ConsumerInfo[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((c) => {
    const m = flatMap(c);
    return {
      name: String(m.get('name')),
      pending: num(m.get('pending')) ?? 0,
      idleMs: num(m.get('idle')) ?? 0,
      inactiveMs: m.has('inactive') ? num(m.get('inactive')) : null,
    };
  });
}

export function toPendingSummary(raw: Raw): PendingSummary {
  const r = Array.isArray(raw) ? raw : [];
  const consumers = Array.isArray(r[3]) ? (r[3] as Raw[]).map((c) => {
    const pair = c as [Raw, Raw];
    return { name: String(pair[0]), count: Number(pair[1]) };
  }) : [];
  return { count: Number(r[0] ?? 0), minId: r[1] == null ? null : String(r[1]), maxId: r[2] == null ? null : String(r[2]), consumers };
}

export function toPendingEntries(raw: Raw): PendingEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((p) => {
    const r = p as Raw[];
    return { id: String(r[0]), consumer: String(r[1]), idleMs: Number(r[2]), deliveries: Number(r[3]) };
  });
}

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const line of String(text).split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** `CLIENT LIST` text: one line per connection of `key=value` pairs (a name cannot hold spaces, so splitting is safe). */
export function parseClientList(text: string): ClientInfo[] {
  const out: ClientInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    const f: Record<string, string> = Object.create(null);
    for (const pair of line.split(' ')) {
      const i = pair.indexOf('=');
      if (i > 0) f[pair.slice(0, i)] = pair.slice(i + 1);
    }
    out.push({
      id: f.id ?? '', addr: f.addr ?? '', name: f.name ?? '', cmd: f.cmd ?? '',
      sub: Number(f.sub ?? 0) || 0, psub: Number(f.psub ?? 0) || 0, ssub: Number(f.ssub ?? 0) || 0,
      age: Number(f.age ?? 0) || 0, idle: Number(f.idle ?? 0) || 0,
    });
  }
  return out;
}

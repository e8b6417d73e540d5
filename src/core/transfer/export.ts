// Export: stream entries → fixture lines (the NDJSON of src/core/fixtures: {t, kind: "stream", stream, id, event}),
// `t` being ms after the first exported entry's append time, so a fixture replay at 1× keeps the original pacing.
// What is exported: a time or id range, a search (a CEL filter over that range), or chosen ids. Masking rules are
// applied to each event's text before it is written. Pages of XRANGE, written as they come: memory stays flat.
import { isUtf8 } from 'node:buffer';
import { BadInputError } from '../errors';
import { FlowFieldReader } from '../flows/flow-fields';
import { fixtureLine, type FixtureEvent } from '../fixtures/fixture-line';
import { maskEventText, maskValue, type MaskRule } from '../fixtures/mask';
import { readFieldPages, readPages } from '../store/page-reader';
import { dateBound, formatId, idBound, parseId, type ParsedId } from '../store/stream-ids';
import type { FieldBytesEntry, StreamEntry, Transport } from '../transport/types';
import { searchHistory } from '../search/history-search';
import type { EventFilter } from '../search/expression';
import type { TextSink } from './file-sink';

export interface ExportSelection {
  stream: string;
  /** Id bounds (inclusive); `since`/`until` are the same on the append clock, as dates. */
  start?: string;
  end?: string;
  since?: string | Date;
  until?: string | Date;
  /** Only entries this filter holds for (a search result). */
  filter?: EventFilter;
  /** Only these entries (selected in a view); the range and filter are ignored. */
  ids?: readonly string[];
  /** At most this many lines. */
  limit?: number;
}

export interface ExportOptions {
  mask?: readonly MaskRule[];
  signal?: AbortSignal;
  /** After each page. */
  onProgress?: (p: ExportProgress) => void;
}

export interface ExportProgress {
  written: number;
  scanned: number;
  /** Values replaced by masking rules. */
  masked: number;
}

export interface ExportResult extends ExportProgress {
  aborted: boolean;
}

const ID_BATCH = 200;
/** Entries per XRANGE when reading a range (the next page is read while this one is written). */
const PAGE = 2000;

export async function exportEntries(transport: Transport, selection: ExportSelection, sink: TextSink, options: ExportOptions = {}): Promise<ExportResult> {
  const { stream } = selection;
  if (!stream) throw new BadInputError('export needs a stream');
  const limit = selection.limit ?? Number.POSITIVE_INFINITY;
  const result: ExportResult = { written: 0, scanned: 0, masked: 0, aborted: false };
  const rules = options.mask ?? [];
  let firstMs: number | undefined;
  const writePage = async (entries: StreamEntry[]) => {
    let text = '';
    for (const entry of entries) {
      if (result.written >= limit) break;
      const ms = Number(entry.id.slice(0, entry.id.indexOf('-')));
      firstMs ??= ms;
      text += `${fixtureLine(toLine(stream, entry, ms - firstMs, rules, result))}\n`;
      result.written++;
    }
    if (text) await sink.write(text);
    options.onProgress?.({ written: result.written, scanned: result.scanned, masked: result.masked });
  };

  if (selection.ids) {
    for (let i = 0; i < selection.ids.length && result.written < limit; i += ID_BATCH) {
      if (options.signal?.aborted) return { ...result, aborted: true };
      const ids = selection.ids.slice(i, i + ID_BATCH);
      for (const id of ids) if (!parseId(id)) throw new BadInputError(`not a stream id: ${String(id).slice(0, 60)}`);
      const pages = await Promise.all(ids.map((id) => transport.xrange(stream, id, id, 1)));
      result.scanned += ids.length;
      await writePage(pages.flat());
    }
    return result;
  }

  const start = later(idBound(selection.start, 'start', 'start'), dateBound(selection.since, 'start', 'since'));
  const end = earlier(idBound(selection.end, 'end', 'end'), dateBound(selection.until, 'end', 'until'));
  const range = { start: start ? formatId(start) : '-', end: end ? formatId(end) : '+' };
  if (selection.filter) {
    const it = searchHistory(transport, stream, selection.filter, { ...range, limit: Number.isFinite(limit) ? limit : 1e12, maxScan: 1e12, signal: options.signal });
    for (;;) {
      const next = await it.next();
      if (next.done) return { ...result, aborted: next.value.ended === 'aborted' };
      result.scanned = next.value.progress.scanned;
      await writePage(next.value.matches.map((m) => ({ id: m.id, fields: m.raw === null ? (m.event as Record<string, string>) : { event: m.raw } })));
    }
  }
  const plan = { stream, ...range, reverse: false };
  const pageOptions = { limit: Number.isFinite(limit) ? limit : undefined, pageSize: PAGE };
  // Without masking, the `event` field alone is read as bytes and each line is put together from its text: no entry
  // objects, no field names decoded, no line built by JSON.stringify. A page with an entry that has no `event` field
  // (its fields are exported) is read again as strings and written the general way.
  const bytePages = rules.length === 0 ? readFieldPages(transport, plan, EVENT, pageOptions) : null;
  if (bytePages) {
    const head = Buffer.from(`,"kind":"stream","stream":${JSON.stringify(stream)},"id":"`, 'utf8');
    const reader = FlowFieldReader.create();
    for await (const page of bytePages) {
      result.scanned += page.length;
      if (page.some((e) => e.value === null)) {
        await writePage(await transport.xrange(stream, page[0].id, page[page.length - 1].id, page.length));
      } else {
        firstMs ??= msOf(page[0].id);
        const n = Math.min(page.length, limit - result.written);
        const text = eventLines(page, n, head, firstMs, reader);
        result.written += n;
        if (text.length) await sink.write(text);
        options.onProgress?.({ written: result.written, scanned: result.scanned, masked: result.masked });
      }
      if (options.signal?.aborted) return { ...result, aborted: true };
      if (result.written >= limit) break;
    }
    return result;
  }
  for await (const page of readPages(transport, plan, pageOptions)) {
    result.scanned += page.length;
    await writePage(page);
    if (options.signal?.aborted) return { ...result, aborted: true };
  }
  return result;
}

const EVENT = 'event';

function msOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/**
 * The first `n` entries' lines, each as fixtureLine(toLine(…)) writes it with no masking rules:
 * `{"t":…,"kind":"stream","stream":…,"id":…,"event":<text>}` when the text is a JSON object, else with `"text"`.
 * An event whose bytes are a JSON object with no space or line break to take out, in valid UTF-8, is copied as it
 * is (checked by the flow miner's byte reader, without building it); any other goes through its text.
 */
function eventLines(page: readonly FieldBytesEntry[], n: number, head: Buffer, firstMs: number, reader: FlowFieldReader | null): Buffer {
  let size = 0;
  for (let i = 0; i < n; i++) size += page[i]!.value!.length;
  const out = new ByteWriter(size + n * (head.length + 64));
  for (let i = 0; i < n; i++) {
    const { id, value } = page[i]!;
    const bytes = value!;
    // Stream ids are digits and a dash: their JSON is themselves in quotes.
    out.ascii(`{"t":${Math.max(0, msOf(id) - firstMs)}`);
    out.bytes(head);
    out.ascii(id);
    if (reader?.isObject(bytes) && bytes.indexOf(0x0a) < 0 && bytes.indexOf(0x0d) < 0 && bytes.indexOf(LS) < 0 && bytes.indexOf(PS) < 0 && isUtf8(bytes)) {
      out.ascii('","event":');
      out.bytes(bytes);
      out.ascii('}\n');
      continue;
    }
    const raw = bytes.toString('utf8');
    // As fixtureLine: the text trimmed, line breaks (only between tokens in valid JSON) as spaces.
    if (isJsonObject(raw)) out.text(`","event":${LINE_BREAKS.test(raw) ? raw.trim().replace(LINE_BREAKS_ALL, ' ') : raw.trim()}}\n`);
    else out.text(`","text":${JSON.stringify(raw)}}\n`);
  }
  return out.done();
}

const LS = Buffer.from('\u2028', 'utf8');
const PS = Buffer.from('\u2029', 'utf8');
const LINE_BREAKS = /[\r\n\u2028\u2029]/;
const LINE_BREAKS_ALL = /[\r\n\u2028\u2029]+/g;

/** A page's lines put together as bytes, in one buffer that grows when a line is longer than foreseen. */
class ByteWriter {
  private buf: Buffer;
  private at = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(size, 64));
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  ascii(s: string): void {
    this.room(s.length);
    this.at += this.buf.write(s, this.at, 'latin1');
  }

  text(s: string): void {
    this.room(Buffer.byteLength(s, 'utf8'));
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  bytes(b: Buffer): void {
    this.room(b.length);
    this.at += b.copy(this.buf, this.at);
  }

  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/** The text is a JSON object (what toLine writes as the event; anything else goes as text). */
function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

function toLine(stream: string, entry: StreamEntry, t: number, rules: readonly MaskRule[], counts: { masked: number }): FixtureEvent {
  const base = { t, kind: 'stream' as const, name: stream, id: entry.id };
  const raw = entry.fields.event;
  if (typeof raw !== 'string') {
    const fields = rules.length ? maskValue(entry.fields, rules) : entry.fields;
    return { ...base, fields: { ...fields } };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ...base, text: raw };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ...base, text: raw };
  const masked = maskEventText(raw, value, rules);
  counts.masked += masked.masked;
  return { ...base, eventText: masked.text };
}

function later(a: ParsedId | undefined, b: ParsedId | undefined): ParsedId | undefined {
  if (!a || !b) return a ?? b;
  return a.ms > b.ms || (a.ms === b.ms && a.seq > b.seq) ? a : b;
}

function earlier(a: ParsedId | undefined, b: ParsedId | undefined): ParsedId | undefined {
  if (!a || !b) return a ?? b;
  return a.ms < b.ms || (a.ms === b.ms && a.seq < b.seq) ? a : b;
}

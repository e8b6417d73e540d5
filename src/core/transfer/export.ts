// Export: stream entries → fixture lines (the NDJSON of src/core/fixtures: {t, kind: "stream", stream, id, event}),
// `t` being ms after the first exported entry's append time, so a fixture replay at 1× keeps the original pacing.
// What is exported: a time or id range, a search (a CEL filter over that range), or chosen ids. Masking rules are
// applied to each event's text before it is written. Pages of XRANGE, written as they come: memory stays flat.
import { BadInputError } from '../errors';
import { fixtureLine, type FixtureEvent } from '../fixtures/fixture-line';
import { maskEventText, maskValue, type MaskRule } from '../fixtures/mask';
import { readPages } from '../store/page-reader';
import { dateBound, formatId, idBound, parseId, type ParsedId } from '../store/stream-ids';
import type { StreamEntry, Transport } from '../transport/types';
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
  for await (const page of readPages(transport, { stream, ...range, reverse: false }, { limit: Number.isFinite(limit) ? limit : undefined })) {
    result.scanned += page.length;
    await writePage(page);
    if (options.signal?.aborted) return { ...result, aborted: true };
  }
  return result;
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

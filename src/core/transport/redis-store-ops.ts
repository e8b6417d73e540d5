// Arguments and replies of the store scripts (store-scripts.ts, redis-scripts.ts) on Redis: kept apart from the
// transport, which only sends them.
import { fieldsToArgs, toEntries } from './redis-replies';
import type {
  AppendIndexedOptions, IndexedAppend, IndexTailResult, StoreAppendItem, StoreAppendOptions, StoreAppendResult, StoreLayout, StreamEntry,
} from './types';

/** The keys and arguments of one APPEND_INDEXED call (its items share a slot on a cluster). */
export function appendIndexedCall(items: ReadonlyArray<IndexedAppend>, options: AppendIndexedOptions): { keys: string[]; argv: string[] } {
  const keys: string[] = [];
  const pub = options.publish;
  const argv: string[] = [String(items.length), pub ? '1' : '0', pub?.channel ?? '', pub?.field ?? ''];
  for (const it of items) {
    const copies = it.copyKeys ?? [];
    keys.push(it.stream, ...it.indexKeys, ...copies);
    const f = fieldsToArgs(it.fields);
    argv.push(it.maxLen === undefined ? '' : String(it.maxLen), String(f.length), ...f, String(it.indexKeys.length), String(copies.length));
  }
  return { keys, argv };
}

/**
 * The entries of an index of copies read with XRANGE, when they can be used as they are: every entry read is a copy
 * of an entry that cannot be gone (at or after the stream's first entry, after its latest deletion, from XINFO
 * STREAM). Otherwise (pointers, deleted entries, no stream, Redis before 7) null, and READ_BY_INDEX decides entry by
 * entry.
 */
export function copiesIfCurrent(streamInfo: unknown, range: unknown, reverse: boolean): StreamEntry[] | null {
  let first: string | undefined;
  let maxDeleted: string | undefined;
  if (Array.isArray(streamInfo)) {
    for (let i = 0; i + 1 < streamInfo.length; i += 2) {
      if (streamInfo[i] === 'max-deleted-entry-id') maxDeleted = String(streamInfo[i + 1]);
      else if (streamInfo[i] === 'first-entry' && Array.isArray(streamInfo[i + 1])) first = String((streamInfo[i + 1] as unknown[])[0]);
    }
  }
  if (first === undefined || maxDeleted === undefined) return null;
  const entries = toEntries(range);
  if (entries.length === 0) return entries;
  // In id order either way: the oldest entry read decides for all of them.
  const oldest = entries[reverse ? entries.length - 1 : 0].id;
  if (compareStreamIds(oldest, first) < 0 || compareStreamIds(oldest, maxDeleted) <= 0) return null;
  for (const e of entries) {
    if (e.fields.i === '' && Object.keys(e.fields).length === 1) return null; // a pointer
  }
  return entries;
}

/** Orders two stream ids (`ms-seq`, no leading zeros) exactly, without turning 64-bit parts into numbers. */
function compareStreamIds(a: string, b: string): number {
  const [am = '', as = ''] = a.split('-');
  const [bm = '', bs = ''] = b.split('-');
  if (am.length !== bm.length) return am.length - bm.length;
  if (am !== bm) return am < bm ? -1 : 1;
  if (as.length !== bs.length) return as.length - bs.length;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

export function storeAppendCall(stream: string, layout: StoreLayout, items: ReadonlyArray<StoreAppendItem>, o: StoreAppendOptions): string[] {
  const keys: string[] = [stream];
  const p = o.producer;
  const shapes = compactShapes(layout, items);
  const argv: string[] = [
    layout.base, layout.field, String(o.catchUpBudget), o.publishChannel === undefined ? '0' : '1', o.publishChannel ?? '',
    o.maxLen === undefined ? '' : String(o.maxLen), p?.id ?? '', p ? String(p.sequence) : '0', p ? String(p.ttlMs) : '0',
    p ? String(p.remember) : '0', String(items.length), shapes ?? '',
  ];
  for (const it of items) {
    for (const k of it.indexKeys) keys.push(k);
    for (const k of it.copyKeys) keys.push(k);
    if (shapes !== null) {
      argv.push(it.fields[layout.field]);
      continue;
    }
    const f = fieldsToArgs(it.fields);
    argv.push(String(f.length), ...f, String(it.indexKeys.length), String(it.copyKeys.length));
  }
  return [String(keys.length), ...keys, ...argv];
}

/**
 * STORE_APPEND's compact form (see there): per item two digits, its pointer and copy key counts, when every item is
 * the layout's field alone with at most 9 keys of each kind (the store's events: one type, at most one entity); else
 * null, and each item is sent with its field names and counts.
 */
function compactShapes(layout: StoreLayout, items: ReadonlyArray<StoreAppendItem>): string | null {
  let shapes = '';
  for (const it of items) {
    if (it.indexKeys.length > 9 || it.copyKeys.length > 9 || typeof it.fields[layout.field] !== 'string') return null;
    if (Object.keys(it.fields).length !== 1) return null;
    shapes += `${it.indexKeys.length}${it.copyKeys.length}`;
  }
  return shapes;
}

export function toStoreAppendResult(reply: unknown): StoreAppendResult {
  const r = reply as unknown[];
  return { duplicate: String(r[0]) === 'dup', indexed: String(r[1]) === '1', ids: r.slice(2).map(String) };
}

export function indexTailCall(stream: string, layout: StoreLayout, budget: number): string[] {
  return ['1', stream, layout.base, layout.field, String(budget)];
}

export function toIndexTailResult(reply: unknown): IndexTailResult {
  const r = reply as unknown[];
  const watermark = String(r[3]);
  return { indexed: Number(r[0]), malformed: Number(r[1]), without: Number(r[2]), watermark: watermark === '' ? null : watermark, done: String(r[4]) === '1' };
}

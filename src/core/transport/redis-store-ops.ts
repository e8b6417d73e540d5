// Arguments and replies of the store scripts (store-scripts.ts) on Redis: kept apart from the transport, which only
// sends them.
import { fieldsToArgs } from './redis-replies';
import type { IndexTailResult, StoreAppendItem, StoreAppendOptions, StoreAppendResult, StoreLayout } from './types';

export function storeAppendCall(stream: string, layout: StoreLayout, items: ReadonlyArray<StoreAppendItem>, o: StoreAppendOptions): string[] {
  const keys: string[] = [stream];
  const p = o.producer;
  const argv: string[] = [
    layout.base, layout.field, String(o.catchUpBudget), o.publishChannel === undefined ? '0' : '1', o.publishChannel ?? '',
    o.maxLen === undefined ? '' : String(o.maxLen), p?.id ?? '', p ? String(p.sequence) : '0', p ? String(p.ttlMs) : '0',
    p ? String(p.remember) : '0', String(items.length),
  ];
  for (const it of items) {
    keys.push(...it.indexKeys, ...it.copyKeys);
    const f = fieldsToArgs(it.fields);
    argv.push(String(f.length), ...f, String(it.indexKeys.length), String(it.copyKeys.length));
  }
  return [String(keys.length), ...keys, ...argv];
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

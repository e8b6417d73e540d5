// Reads a stream (or the entries an index stream points at) in pages, oldest or newest first, paging with exclusive
// ids so no entry is read twice. The next page is requested before the current one is handed over, so the read
// overlaps whatever the consumer does with the page (send it, parse it): one round trip less per page of wait.
import type { FieldBytesEntry, StreamEntry, Transport } from '../transport/types';
import type { ReadPlan } from './query-plan';
import { exclusive } from './stream-ids';

/** `readByIndex` answers at most this many per call. */
export const MAX_PAGE = 10_000;

export interface PageOptions {
  /** Entries per read. @default 1000 */
  pageSize?: number;
  /** Stop after this many entries in all: no read (and no read ahead) beyond them. @default no limit */
  limit?: number;
}

export function readPages(transport: Transport, plan: ReadPlan, options: PageOptions = {}): AsyncGenerator<StreamEntry[]> {
  return pagesOf(plan, options, (start, end, count) => {
    if (plan.indexKey) return transport.readByIndex(plan.stream, plan.indexKey, { start, end, count, reverse: plan.reverse, copies: plan.copies });
    return plan.reverse ? transport.xrevrange(plan.stream, end, start, count) : transport.xrange(plan.stream, start, end, count);
  });
}

/**
 * The same pages with only one field of each entry, as bytes (see Transport.xrangeField); null when the transport
 * cannot, or the plan reads through an index or newest first.
 */
export function readFieldPages(transport: Transport, plan: ReadPlan, field: string, options: PageOptions = {}): AsyncGenerator<FieldBytesEntry[]> | null {
  const read = transport.xrangeField;
  if (read === undefined || plan.indexKey !== undefined || plan.reverse) return null;
  return pagesOf(plan, options, (start, end, count) => read.call(transport, plan.stream, start, end, count, field));
}

async function* pagesOf<T extends { id: string }>(plan: ReadPlan, options: PageOptions, read: (start: string, end: string, count: number) => Promise<T[]>): AsyncGenerator<T[]> {
  const pageSize = Math.max(1, Math.min(Math.floor(options.pageSize ?? 1000), MAX_PAGE));
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(left > 0)) return;
  let start = plan.start;
  let end = plan.end;
  let asked = 0;
  const fetchPage = (): Promise<T[]> => {
    asked = Math.min(pageSize, left);
    return read(start, end, asked);
  };
  let next = fetchPage();
  for (;;) {
    const page = await next;
    if (page.length === 0) return;
    left -= page.length;
    // Both XRANGE and readByIndex return fewer than asked only when nothing is left in the range.
    const done = page.length < asked || left <= 0;
    if (!done) {
      const last = page[page.length - 1].id;
      if (plan.reverse) end = exclusive(last);
      else start = exclusive(last);
      next = fetchPage();
      // If the consumer stops early, nobody awaits this read: keep its failure from becoming an unhandled rejection.
      next.catch(() => undefined);
    }
    yield page;
    if (done) return;
  }
}

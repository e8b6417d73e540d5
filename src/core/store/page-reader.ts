// Reads a stream (or the entries an index stream points at) in pages, oldest or newest first, paging with exclusive
// ids so no entry is read twice. The next page is requested before the current one is handed over, so the read
// overlaps whatever the consumer does with the page (send it, parse it): one round trip less per page of wait.
import type { StreamEntry, Transport } from '../transport/types';
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

export async function* readPages(transport: Transport, plan: ReadPlan, options: PageOptions = {}): AsyncGenerator<StreamEntry[]> {
  const pageSize = Math.max(1, Math.min(Math.floor(options.pageSize ?? 1000), MAX_PAGE));
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(left > 0)) return;
  let start = plan.start;
  let end = plan.end;
  let asked = 0;
  const fetchPage = (): Promise<StreamEntry[]> => {
    asked = Math.min(pageSize, left);
    if (plan.indexKey) return transport.readByIndex(plan.stream, plan.indexKey, { start, end, count: asked, reverse: plan.reverse, copies: plan.copies });
    return plan.reverse ? transport.xrevrange(plan.stream, end, start, asked) : transport.xrange(plan.stream, start, end, asked);
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

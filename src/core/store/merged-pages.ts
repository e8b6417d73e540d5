// Reads several streams as one, in stream-id order (newest first when reversed): how a partitioned store is read by
// time, type or id range. Each partition is read page by page (readPages reads ahead); the merge holds one page per
// partition at most. Ids of different partitions can be equal (two appends in the same millisecond): ties go to the
// lower partition, so the order is stable. Within one partition the order is the stream's own, which keeps every
// entity's events in order, since an entity lives in one partition.
import type { StreamEntry } from '../transport/types';

export interface SourcedEntry {
  stream: string;
  entry: StreamEntry;
}

interface Head {
  stream: string;
  pages: AsyncGenerator<StreamEntry[]>;
  page: StreamEntry[];
  at: number;
  done: boolean;
}

export async function* mergePages(
  sources: Array<{ stream: string; pages: AsyncGenerator<StreamEntry[]> }>, reverse: boolean, pageSize: number,
): AsyncGenerator<SourcedEntry[]> {
  const heads: Head[] = sources.map((s) => ({ ...s, page: [], at: 0, done: false }));
  const refill = async (h: Head) => {
    while (!h.done && h.at >= h.page.length) {
      const r = await h.pages.next();
      if (r.done) h.done = true;
      else {
        h.page = r.value;
        h.at = 0;
      }
    }
  };
  try {
    await Promise.all(heads.map(refill));
    let out: SourcedEntry[] = [];
    for (;;) {
      let best: Head | undefined;
      for (const h of heads) {
        if (h.done) continue;
        if (!best) { best = h; continue; }
        const c = compareEntryIds(h.page[h.at].id, best.page[best.at].id);
        if (reverse ? c > 0 : c < 0) best = h;
      }
      if (!best) break;
      out.push({ stream: best.stream, entry: best.page[best.at++] });
      if (best.at >= best.page.length) await refill(best);
      if (out.length >= pageSize) {
        yield out;
        out = [];
      }
    }
    if (out.length) yield out;
  } finally {
    // A consumer that stops early (limit reached) closes every partition's reader.
    await Promise.all(heads.map((h) => h.pages.return(undefined)));
  }
}

/**
 * Orders two entry ids as Redis writes them (`ms-seq`, decimal, no leading zeros) without parsing or allocating:
 * the merge compares heads for every entry it emits, and parsing both ids each time was 40% of a cluster replay's CPU.
 */
export function compareEntryIds(a: string, b: string): number {
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  if (da !== db) return da - db;
  for (let i = 0; i < da; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  const sa = a.length - da;
  const sb = b.length - db;
  if (sa !== sb) return sa - sb;
  for (let i = da + 1; i < a.length; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return 0;
}

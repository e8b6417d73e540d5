// `ucore store get --where EXPR` and `--at TIME`: a filtered scan of the store's stream and a page opened at a
// date-time. Both read the stream itself (XRANGE pages), so they work on what any writer appended, indexed or not.
import {
  EventFilter,
  searchHistory,
  pageAt,
  pageBefore,
  DEFAULT_SCAN_BUDGET,
  type SearchMatch,
  type StreamEntry,
  type Transport,
  BadInputError,
  idAfter,
  idBefore,
} from '../../core/index';
import { int, str, UsageError, type Values } from '../command';
import type { CliContext } from '../context';
import { RawJson, safeText } from '../output';

export const searchOptions = {
  where: { type: 'string' as const, short: 'w' },
  at: { type: 'string' as const },
  'max-scan': { type: 'string' as const },
};

export const SEARCH_USAGE = '[--where EXPR [--max-scan N]] [--at ISO]';

/** True when the options ask for a search or a seek (store get then reads the stream, not the indexes). */
export function wantsSearch(values: Values): boolean {
  return str(values, 'where') !== undefined || str(values, 'at') !== undefined;
}

/** A CEL filter from --where, or a usage error that shows where the expression is wrong. */
export function whereFilter(values: Values): EventFilter | undefined {
  const where = str(values, 'where');
  if (where === undefined) return undefined;
  try {
    return EventFilter.compile(where);
  } catch (e) {
    throw new UsageError(`--where: ${(e as Error).message}`);
  }
}

export async function runStoreSearch(ctx: CliContext, transport: Transport, stream: string, values: Values, print: (m: { id: string; raw: string | null; event: unknown }) => void): Promise<number> {
  for (const flag of ['entity', 'type', 'since', 'until', 'clock']) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} does not combine with --where/--at: put it in the expression (e.g. entity_id == "o1", event_type in ["a", "b"]) or use --from-id/--to-id`);
  }
  const filter = whereFilter(values);
  const limit = int(values, 'limit', { min: 1, max: 100_000 }) ?? 100;
  const reverse = values.newest === true;
  const at = str(values, 'at');
  if (!filter) return seekPage(ctx, transport, stream, at!, limit, reverse, print);
  let start = str(values, 'from-id');
  let end = str(values, 'to-id');
  if (at !== undefined) {
    const position = (await pageAt(transport, stream, at, 1).catch(badAt)).position;
    if (reverse) end = idBefore(position) ?? '0-0';
    else start = position;
  }
  const maxScan = int(values, 'max-scan', { min: 1 }) ?? DEFAULT_SCAN_BUDGET;
  let lastNote = performance.now();
  const it = searchHistory(transport, stream, filter, { start, end, reverse, limit, maxScan, signal: ctx.signal });
  for (;;) {
    const next = await it.next();
    if (next.done) {
      const r = next.value;
      const why = { end: 'searched to the end', limit: `stopped at --limit ${limit}`, budget: `stopped at the scan budget (--max-scan ${maxScan}); go on with --${reverse ? 'to' : 'from'}-id ${r.lastId ? (reverse ? idBefore(r.lastId) : idAfter(r.lastId)) : '-'}`, aborted: 'cancelled' }[r.ended];
      ctx.out.note(`${r.matched} match${r.matched === 1 ? '' : 'es'}, ${r.scanned.toLocaleString('en-US')} of ${r.total.toLocaleString('en-US')} entries scanned; ${why}`);
      if (r.errorSummary) ctx.out.note(safeText(r.errorSummary, 600));
      return 0;
    }
    for (const m of next.value.matches) print(m);
    if (performance.now() - lastNote > 1000 && !ctx.out.json) {
      lastNote = performance.now();
      const p = next.value.progress;
      ctx.out.note(`… ${p.scanned.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} scanned, ${p.matched} found`);
    }
  }
}

async function seekPage(ctx: CliContext, transport: Transport, stream: string, at: string, limit: number, older: boolean, print: (m: SearchMatch) => void): Promise<number> {
  const here = await pageAt(transport, stream, at, limit).catch(badAt);
  const page = older ? await pageBefore(transport, stream, here.position, limit) : here;
  for (const e of page.entries) print(asMatch(e));
  const first = page.entries[0]?.id;
  const last = page.entries[page.entries.length - 1]?.id;
  const hints = [
    page.hasOlder ? `older: --to-id ${idBefore(first ?? here.position)} --newest` : 'nothing older',
    page.hasNewer ? `newer: --from-id ${idAfter(last ?? here.position)}` : 'nothing newer',
  ];
  ctx.out.note(`${page.entries.length} entr${page.entries.length === 1 ? 'y' : 'ies'} ${older ? 'before' : 'from'} ${here.position}; ${hints.join('; ')}`);
  return 0;
}

function asMatch(e: StreamEntry): SearchMatch {
  const raw = e.fields.event ?? null;
  return { id: e.id, raw, event: raw === null ? e.fields : undefined };
}

function badAt(e: unknown): never {
  if (e instanceof BadInputError) throw new UsageError(`--at: ${e.message}`);
  throw e;
}

/** One found entry, as `store get` prints it. */
export function printMatch(ctx: CliContext, m: { id: string; raw: string | null; event: unknown }): void {
  const text = m.raw ?? JSON.stringify(m.event);
  if (ctx.out.json) {
    ctx.out.record({ id: m.id, event: new RawJson(text) }, '');
    return;
  }
  ctx.out.line(`${m.id}  ${safeText(text, 300)}`);
}

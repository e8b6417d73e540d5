// Dead-letter redrive: what failed, grouped by why, and sending a group back once its cause is fixed. Dead letters
// are read leniently, as other apps write them too: the event from `event` (ours), `original_event` or `payload`,
// the reason from `error`, `reason` or `error_message`. Reasons are grouped with numbers and ids blanked out, so
// "timeout after 3001 ms on order 12" and "… 2990 ms on order 7" are one group.
// A redriven dead letter is not deleted but marked, in the hash `<stream>:redriven` (entry id → when and where to),
// so the queue keeps its history and a second redrive skips what the first sent. Each entry is claimed (HSETNX of
// its mark, "sending …") before its batch is sent and the mark completed after: two redrives at the same moment never
// both send an entry. A crash between claim and send leaves a "sending …" mark on an entry that may not have gone
// out: it counts as redriven (a second send is what the guard prevents); clear that field of the hash to send it.
import { BadInputError } from '../errors';
import { readPages } from '../store/page-reader';
import { TokenBucket } from '../replay/token-bucket';
import { textSender } from '../target';
import type { StreamEntry, Transport } from '../transport/types';
import type { EventFilter } from '../search/expression';
import { DEAD_LETTER_STREAM, requeueEventTarget, type RequeueTarget } from './dead-letter';

export interface DeadLetterGroup {
  /** The reason with numbers and ids blanked: the group's key. */
  reason: string;
  /** One reason as written, for showing. */
  example: string;
  count: number;
  /** Of `count`, already redriven. */
  redriven: number;
  /** Up to 5 sources named by the dead letters. */
  sources: string[];
  firstId: string;
  lastId: string;
}

export interface GroupOptions {
  stream?: string;
  /** @default 100,000 */
  maxScan?: number;
  signal?: AbortSignal;
}

export interface RedriveOptions {
  stream?: string;
  /** Only dead letters of this group (`DeadLetterGroup.reason`). */
  reason?: string;
  /** Only dead letters whose event this filter holds for. */
  filter?: EventFilter;
  target: RequeueTarget;
  dryRun?: boolean;
  /** Events per second at most. */
  rate?: number;
  /** At most this many sent. */
  max?: number;
  signal?: AbortSignal;
  onProgress?: (p: RedriveProgress) => void;
}

export interface RedriveProgress {
  scanned: number;
  /** Sent (in a dry run: would be sent). */
  sent: number;
  /** Matched but marked as redriven before: not sent again. */
  alreadyRedriven: number;
  /** Matched but holding no event text to send. */
  noEvent: number;
}

export interface RedriveResult extends RedriveProgress {
  dryRun: boolean;
  aborted: boolean;
  target: string;
  /** The ids sent (the first 1000). */
  ids: string[];
}

const MAX_SOURCES = 5;
const BATCH = 200;

export function redrivenKey(stream: string): string {
  return `${stream}:redriven`;
}

export function deadLetterReason(fields: Record<string, string>): string {
  const name = fields.error_name ?? fields.error_type ?? '';
  const message = fields.error ?? fields.reason ?? fields.error_message ?? '';
  const text = `${name && name !== 'Error' ? `${name}: ` : ''}${message}`.trim();
  return text || '(no reason given)';
}

/** The reason with what varies between occurrences blanked out. */
export function reasonKey(reason: string): string {
  return reason
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?/g, '<time>')
    .replace(/\b[0-9a-f]{16,}\b/gi, '<id>')
    .replace(/\d+(\.\d+)?/g, '#')
    .split('\n')[0]
    .slice(0, 160);
}

export function deadLetterText(fields: Record<string, string>): string | null {
  return fields.event ?? fields.original_event ?? fields.payload ?? null;
}

export async function groupDeadLetters(transport: Transport, options: GroupOptions = {}): Promise<{ groups: DeadLetterGroup[]; scanned: number; total: number }> {
  const stream = options.stream ?? DEAD_LETTER_STREAM;
  const [total, marks] = await Promise.all([transport.xlen(stream), transport.hgetall(redrivenKey(stream))]);
  const groups = new Map<string, DeadLetterGroup>();
  let scanned = 0;
  for await (const page of readPages(transport, { stream, start: '-', end: '+', reverse: false }, { limit: options.maxScan ?? 100_000 })) {
    for (const e of page) {
      const reason = deadLetterReason(e.fields);
      const key = reasonKey(reason);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { reason: key, example: reason.slice(0, 500), count: 0, redriven: 0, sources: [], firstId: e.id, lastId: e.id }));
      g.count++;
      g.lastId = e.id;
      if (marks[e.id] !== undefined) g.redriven++;
      const source = e.fields.source ?? e.fields.channel ?? e.fields.stream;
      if (source && g.sources.length < MAX_SOURCES && !g.sources.includes(source)) g.sources.push(source);
    }
    scanned += page.length;
    if (options.signal?.aborted) break;
  }
  return { groups: [...groups.values()].sort((a, b) => b.count - a.count), scanned, total };
}

export async function redriveDeadLetters(transport: Transport, options: RedriveOptions): Promise<RedriveResult> {
  const stream = options.stream ?? DEAD_LETTER_STREAM;
  const target = requeueEventTarget(options.target);
  if (target.kind === 'stream' && target.name === stream) throw new BadInputError('redriving the dead-letter stream into itself would loop');
  if (options.rate !== undefined && !(options.rate > 0)) throw new BadInputError(`rate must be a positive number, not ${options.rate}`);
  const send = textSender(transport, target);
  const bucket = options.rate ? new TokenBucket(options.rate, Math.max(1, Math.min(BATCH, Math.floor(options.rate / 10)))) : null;
  const batchMax = bucket ? bucket.capacity : BATCH;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const marks = await transport.hgetall(redrivenKey(stream));
  // Only what is there now: redriving must not chase entries added while it runs.
  const [last] = await transport.xrevrange(stream, '+', '-', 1);
  const result: RedriveResult = { scanned: 0, sent: 0, alreadyRedriven: 0, noEvent: 0, dryRun: options.dryRun === true, aborted: false, target: `${target.kind} ${target.name}`, ids: [] };
  if (!last) return result;
  let batch: StreamEntry[] = [];
  const flush = async () => {
    const b = batch;
    batch = [];
    if (b.length === 0) return;
    let mine = b;
    if (!result.dryRun) {
      if (bucket && !(await bucket.take(b.length, options.signal))) return;
      const at = new Date().toISOString();
      const claimed = await Promise.all(b.map((e) => transport.hsetnx(redrivenKey(stream), e.id, `sending ${at} ${result.target}`)));
      mine = b.filter((_, i) => claimed[i]);
      result.alreadyRedriven += b.length - mine.length;
      if (mine.length === 0) return;
      await send(mine.map((e) => deadLetterText(e.fields)!));
      await transport.hset(redrivenKey(stream), Object.fromEntries(mine.map((e) => [e.id, `${at} ${result.target}`])));
    }
    result.sent += mine.length;
    for (const e of mine) if (result.ids.length < 1000) result.ids.push(e.id);
    options.onProgress?.(progressOf(result));
  };
  outer: for await (const page of readPages(transport, { stream, start: '-', end: last.id, reverse: false })) {
    for (const e of page) {
      result.scanned++;
      if (options.reason !== undefined && reasonKey(deadLetterReason(e.fields)) !== options.reason) continue;
      const text = deadLetterText(e.fields);
      if (options.filter && (text === null || options.filter.evaluate(safeParse(text)) !== true)) continue;
      if (marks[e.id] !== undefined) {
        result.alreadyRedriven++;
        continue;
      }
      if (text === null) {
        result.noEvent++;
        continue;
      }
      if (result.sent + batch.length >= max) break outer;
      batch.push(e);
      if (batch.length >= batchMax) await flush();
      if (options.signal?.aborted) break outer;
    }
    options.onProgress?.(progressOf(result));
    if (options.signal?.aborted) break;
  }
  if (options.signal?.aborted) result.aborted = true;
  else await flush();
  return result;
}

function progressOf(r: RedriveResult): RedriveProgress {
  return { scanned: r.scanned, sent: r.sent, alreadyRedriven: r.alreadyRedriven, noEvent: r.noEvent };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

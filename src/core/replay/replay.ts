// Replay: select stored events (entity, types, time or id range, predicate) and send them again to a channel or a
// stream, on the same or another connection, in stored order, with a rate limit, dry run, progress and cancellation.
//
// Built for throughput: pages of 1000 are read while the previous page is being sent, batches are pipelined, and the
// stored JSON text is forwarded as is. Events are parsed only when something must look inside them (several types,
// a predicate, an entity on a stream without index); otherwise a cheap brace check keeps obvious garbage out.
import { readEvent } from '../envelope/envelope';
import { BadInputError } from '../errors';
import { type Logger, silentLogger } from '../logger';
import { catchUpIndexes, type IndexProgress } from '../store/index-catch-up';
import { DEFAULT_STORE_STREAM, indexBase } from '../store/index-keys';
import { mergePages } from '../store/merged-pages';
import { readFieldPages, readPages } from '../store/page-reader';
import { CLUSTER_PARTITIONS, checkPartitionSetting, partitionIndex, partitionKeys, type PartitionSetting } from '../store/partitions';
import { planQuery, type ReadPlan, type StoreQuery } from '../store/query-plan';
import type { TimeClock } from '../store/time-range';
import { EVENT_FIELD, looksLikeJsonObject, type StoredEvent } from '../store/stored-event';
import { compareIds } from '../store/stream-ids';
import type { StreamEntry, Transport } from '../transport/types';
import { FieldMatch } from './field-match';
import { ProgressThrottle, type ReplayProgress } from './progress';
import { batchSender, checkTarget, type ReplayTarget } from './replay-target';
import { TokenBucket } from './token-bucket';

export type { ReplayProgress } from './progress';
export type { ReplayTarget } from './replay-target';

export interface ReplaySelection extends StoreQuery {
  /** The stream to replay from. @default 'event_store' */
  stream?: string;
  /** The stream has the store's entity/type index streams. @default true for the store's stream, else false */
  indexed?: boolean;
  /**
   * The source is a partitioned store (`<stream>:{0}` … on a cluster): read every partition, merged in id order, or
   * only the entity's. 'auto': partitioned when the transport is a cluster and one of its 16 partitions exists.
   * @default 'auto'
   */
  partitions?: PartitionSetting;
}

export interface ReplayOptions {
  /** Events per second at most, over the whole run; batches shrink so no burst exceeds a tenth of a second's worth. */
  ratePerSecond?: number;
  /** Count and preview what would be sent, send nothing. */
  dryRun?: boolean;
  /** Progress of indexing what other apps appended, when a read through an index has to do that first. */
  onIndexProgress?: (p: IndexProgress) => void;
  /** Stops the replay between batches; the result then has `aborted: true` and the counts so far. */
  signal?: AbortSignal;
  /** Called at most ~10 times a second, and once at the end. */
  onProgress?: (p: ReplayProgress) => void;
  /** Events per pipelined send. @default 1000 (a read page: one send per page) */
  batchSize?: number;
  /** In a dry run, the first this many matched events are returned in `preview`. @default 20 */
  preview?: number;
  /** Sees each matched event's stored text before it is sent or counted (the editor checks them against contracts). */
  inspect?: (raw: string, id: string) => void;
  logger?: Logger;
}

export interface ReplayResult {
  /** Entries read from the source. */
  scanned: number;
  /** Entries that matched the selection. */
  matched: number;
  sent: number;
  /** Entries with no `event` field or not a JSON object; never sent. */
  skippedMalformed: number;
  /** The clock the selection's time range compared (see StoreQuery.clock); null without a time range. */
  clock: TimeClock | null;
  /** Events left out of an event-clock time range because their `timestamp` is missing or not ISO-8601. */
  skippedUntimed: number;
  durationMs: number;
  aborted: boolean;
  dryRun: boolean;
  preview: StoredEvent[];
}

const READ_PAGE = 1000;
const MAX_BATCH = 10_000;
const MAX_PREVIEW = 1000;

export async function replay(source: Transport, selection: ReplaySelection, target: ReplayTarget, options: ReplayOptions = {}): Promise<ReplayResult> {
  const startedAt = performance.now();
  const { batchSize, previewMax, rate } = checkOptions(options);
  checkTarget(target);
  const stream = selection.stream ?? DEFAULT_STORE_STREAM;
  if (typeof stream !== 'string' || stream === '') throw new BadInputError('the source stream must be a non-empty string');
  const partitionSetting = checkPartitionSetting(selection.partitions);
  const indexed = selection.indexed ?? (stream === DEFAULT_STORE_STREAM || partitionSetting !== undefined && partitionSetting !== 'auto' && partitionSetting > 1);
  const plan = planQuery(stream, selection, { indexed });
  const dryRun = options.dryRun === true;
  const signal = options.signal;
  const log = options.logger ?? silentLogger;
  const send = batchSender(source, target);
  const progress = new ProgressThrottle(options.onProgress, log);
  const r: ReplayResult = { scanned: 0, matched: 0, sent: 0, skippedMalformed: 0, clock: plan.clock, skippedUntimed: 0, durationMs: 0, aborted: false, dryRun, preview: [] };
  let lastId: string | undefined;
  const counts = () => ({ scanned: r.scanned, matched: r.matched, sent: r.sent, lastId });

  try {
    if (plan.empty) return r;
    if (signal?.aborted) {
      r.aborted = true;
      return r;
    }
    const streams = await sourceStreams(source, stream, partitionSetting, selection.entity);
    const reads: ReadPlan[] = [];
    for (const s of streams) {
      const base = indexBase(s, source.mode === 'cluster');
      const read = s === stream ? planQuery(s, selection, { indexed, indexBase: base }).read : planQuery(s, selection, { indexed: selection.indexed ?? true, indexBase: base }).read;
      // An index covers what other apps appended once it has caught up with them.
      if (read.indexKey) await catchUpIndexes(source, [{ stream: s, layout: { base, field: EVENT_FIELD } }], { signal, onProgress: options.onIndexProgress });
      const bounded = await boundToCurrentEnd(source, read);
      if (bounded) reads.push(bounded);
    }
    if (reads.length === 0) return r;

    // With a rate limit a batch is at most a tenth of a second's worth, so the rate holds over short spans too.
    const sendSize = rate ? Math.max(1, Math.min(batchSize, Math.floor(rate / 10))) : batchSize;
    const bucket = rate ? new TokenBucket(rate, sendSize) : null;
    const filter = plan.filter;
    let remaining = plan.limit ?? Number.POSITIVE_INFINITY;
    // A small limit without a filter needs a small page only (more pages follow if entries were malformed).
    const pageSize = filter ? READ_PAGE : Math.min(READ_PAGE, remaining);

    // A filter on entity, types and time only reads those fields from the event's bytes (see FieldMatch).
    const fieldMatch = plan.fieldFilter && reads.length === 1 ? FieldMatch.create(plan.fieldFilter) : null;
    const pages = (fieldMatch && readFieldPages(source, reads[0], EVENT_FIELD, { pageSize })) || readAll(source, reads, pageSize);

    pages: for await (const page of pages) {
      r.scanned += page.length;
      const raws: string[] = [];
      const ids: string[] = [];
      for (const entry of page) {
        let raw: string | Buffer | null | undefined = 'value' in entry ? entry.value : entry.fields[EVENT_FIELD];
        // Whether the event must be parsed for the filter: not when its bytes already answered.
        let parse = filter !== null;
        if (typeof raw !== 'string') {
          if (!raw) { r.skippedMalformed++; continue; }
          const m = fieldMatch!.test(raw);
          if (m === 'skip') continue;
          raw = raw.toString('utf8');
          parse = m === 'parse';
        }
        let parsed: StoredEvent['event'] | undefined;
        if (parse) {
          const e = readEvent(raw);
          if (!e.ok) { r.skippedMalformed++; continue; }
          if (!filter!(e.event)) continue;
          parsed = e.event;
        } else if (!looksLikeJsonObject(raw)) {
          r.skippedMalformed++;
          continue;
        }
        r.matched++;
        options.inspect?.(raw, entry.id);
        if (dryRun) {
          if (r.preview.length < previewMax) r.preview.push(previewOf(entry.id, raw, parsed));
        } else {
          raws.push(raw);
          ids.push(entry.id);
        }
        if (--remaining === 0) break;
      }

      if (dryRun) {
        lastId = page[page.length - 1].id;
        progress.maybe(counts());
      }
      for (let i = 0; i < raws.length; i += sendSize) {
        const n = Math.min(sendSize, raws.length - i);
        if (signal?.aborted || (bucket && !(await bucket.take(n, signal)))) {
          r.aborted = true;
          break pages;
        }
        await send(i === 0 && n === raws.length ? raws : raws.slice(i, i + n));
        r.sent += n;
        lastId = ids[i + n - 1];
        progress.maybe(counts());
      }
      if (remaining === 0) break;
      if (signal?.aborted) {
        r.aborted = true;
        break;
      }
    }
    return r;
  } finally {
    r.skippedUntimed = plan.counts.untimed;
    r.durationMs = Math.round(performance.now() - startedAt);
    progress.final(counts());
  }
}

/**
 * The streams a selection reads: the stream itself, or the partitions of a partitioned store (only the entity's
 * partition when the selection names an entity: an entity lives in one).
 */
async function sourceStreams(source: Transport, stream: string, setting: PartitionSetting | undefined, entity: string | undefined): Promise<string[]> {
  let count = typeof setting === 'number' ? setting : 1;
  if ((setting === undefined || setting === 'auto') && source.mode === 'cluster' && !stream.includes('{')) {
    // Any partition will do: a store with few entities may leave some (even {0}) empty.
    if ((await source.exists(partitionKeys(stream, CLUSTER_PARTITIONS))) > 0) count = CLUSTER_PARTITIONS;
  }
  const keys = partitionKeys(stream, count);
  // A partitioned store is also read in the plain stream, where apps that know nothing of partitions append.
  if (keys.length > 1 && entity) return [keys[partitionIndex(entity, keys.length)], stream];
  return keys.length > 1 ? [...keys, stream] : keys;
}

/** Pages of one stream, or of several merged by id (in order within each, so within each entity). */
function readAll(source: Transport, reads: ReadPlan[], pageSize: number): AsyncGenerator<StreamEntry[]> {
  if (reads.length === 1) return readPages(source, reads[0], { pageSize });
  const merged = mergePages(reads.map((read) => ({ stream: read.stream, pages: readPages(source, read, { pageSize }) })), reads[0].reverse, pageSize);
  return (async function* () {
    for await (const page of merged) yield page.map((s) => s.entry);
  })();
}

/**
 * Fixes an open end ('+') to the stream's last id at the start, so a replay into its own stream (or one that others
 * keep appending to) ends. Null when the stream is empty.
 */
async function boundToCurrentEnd(source: Transport, read: ReadPlan): Promise<ReadPlan | null> {
  const last = await source.xrevrange(read.stream, '+', '-', 1);
  if (last.length === 0) return null;
  const lastId = last[0].id;
  if (read.end === '+' || compareIds(lastId, read.end) < 0) return { ...read, end: lastId };
  return read;
}

function previewOf(id: string, raw: string, parsed: StoredEvent['event'] | undefined): StoredEvent {
  if (parsed) return { id, event: parsed, raw };
  const e = readEvent(raw);
  return e.ok ? { id, event: e.event, raw } : { id, event: {}, raw, error: e.error.message };
}

function checkOptions(o: ReplayOptions): { batchSize: number; previewMax: number; rate: number | undefined } {
  const batchSize = o.batchSize ?? READ_PAGE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) throw new BadInputError(`batchSize must be a whole number from 1 to ${MAX_BATCH}`);
  const previewMax = o.preview ?? 20;
  if (!Number.isInteger(previewMax) || previewMax < 0 || previewMax > MAX_PREVIEW) throw new BadInputError(`preview must be a whole number from 0 to ${MAX_PREVIEW}`);
  const rate = o.ratePerSecond;
  if (rate !== undefined && !(typeof rate === 'number' && Number.isFinite(rate) && rate > 0)) throw new BadInputError('ratePerSecond must be a number > 0');
  return { batchSize, previewMax, rate };
}

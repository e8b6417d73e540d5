// Import: fixture lines (NDJSON, the format export and `ucore record` write) → a stream or a channel, in file order.
// Each line goes where it was recorded unless a target is given for all; a dry run reads the whole file and says
// what would go where (and which lines are not events) without sending anything. Sending is pipelined in batches of
// one target, at most `rate` events a second when given; progress at most every 100 ms; an AbortSignal stops it
// between batches. Texts go out as written (Python's 12.0 stays 12.0).
import { BadInputError } from '../errors';
import { type FixtureEvent, TARGET_KIND_OF } from '../fixtures/fixture-line';
import { readFixtureBatches, type FixtureItem, type FixtureProblem } from '../fixtures/reader';
import { TokenBucket } from '../replay/token-bucket';
import { checkEventTarget, type EventTarget, textSender, type TextSender } from '../target';
import type { Transport } from '../transport/types';

export interface ImportOptions {
  /** Everything goes here; by default each line goes to the channel or stream it names. */
  target?: EventTarget;
  /** Read and count only. */
  dryRun?: boolean;
  /** Events per second at most. @default no limit */
  rate?: number;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  /** Sent, or in a dry run, that would be sent. */
  sent: number;
  problems: number;
  elapsedMs: number;
}

export interface ImportResult extends ImportProgress {
  aborted: boolean;
  dryRun: boolean;
  /** "stream event_store" → count. */
  byTarget: Record<string, number>;
  /** The first 100 lines that are not events. */
  problemLines: FixtureProblem[];
}

const MAX_BATCH = 500;

export async function importFixture(source: string | AsyncIterable<FixtureItem>, transport: Transport, options: ImportOptions = {}): Promise<ImportResult> {
  if (options.target) checkEventTarget(options.target, 'import target');
  const rate = options.rate;
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) throw new BadInputError(`rate must be a positive number of events a second, not ${rate}`);
  // A batch is at most a tenth of a second's worth when rate-limited, so the pace stays even.
  const batchMax = rate === undefined ? MAX_BATCH : Math.max(1, Math.min(MAX_BATCH, Math.floor(rate / 10)));
  const bucket = rate === undefined ? null : new TokenBucket(rate, batchMax);
  const started = Date.now();
  const result: ImportResult = { sent: 0, problems: 0, elapsedMs: 0, aborted: false, dryRun: options.dryRun === true, byTarget: Object.create(null), problemLines: [] };
  const senders = new Map<string, TextSender>();
  let batch: { key: string; target: EventTarget; texts: string[]; fields: Array<Record<string, string>> } | null = null;
  let lastReport = 0;
  const progress = () => ({ sent: result.sent, problems: result.problems, elapsedMs: Date.now() - started });
  const flush = async () => {
    const b = batch;
    batch = null;
    if (!b || (b.texts.length === 0 && b.fields.length === 0)) return;
    const n = b.texts.length + b.fields.length;
    if (!result.dryRun) {
      if (bucket && !(await bucket.take(n, options.signal))) return;
      if (b.texts.length) {
        let send = senders.get(b.key);
        if (!send) senders.set(b.key, (send = textSender(transport, b.target)));
        await send(b.texts);
      }
      if (b.fields.length) await transport.xaddBatch(b.fields.map((fields) => ({ key: b.target.name, fields })));
    }
    result.sent += n;
    result.byTarget[b.key] = (result.byTarget[b.key] ?? 0) + n;
    const now = Date.now();
    if (options.onProgress && now - lastReport >= 100) {
      lastReport = now;
      options.onProgress(progress());
    }
  };
  // One batch is sent while the next is read: reading and parsing the file costs about as much as sending, so the
  // two overlap. Batches still go out one after the other (the next is sent once the previous is answered), so the
  // order, the rate and the cancel between batches stay as they were.
  let sending: Promise<void> = Promise.resolve();
  const send = async () => {
    await sending;
    sending = flush();
    // Its error is thrown where it is awaited (the next send or the end), not as an unhandled rejection meanwhile.
    sending.catch(() => undefined);
  };
  // A file is read a chunk's lines at a time (one await per chunk rather than per line).
  const chunks = typeof source === 'string' ? readFixtureBatches(source) : oneByOne(source);
  try {
    reading: for await (const items of chunks) for (const item of items) {
      if (options.signal?.aborted) {
        result.aborted = true;
        break reading;
      }
      const e = eventOf(item, result);
      if (!e) continue;
      const target = options.target ?? { kind: TARGET_KIND_OF[e.kind], name: e.name };
      const key = `${target.kind} ${target.name}`;
      // Field-only stream entries keep their fields on a stream; on a channel they go as their JSON.
      const asFields = e.fields !== undefined && e.eventText === undefined && target.kind === 'stream';
      const kindChanges = batch !== null && (asFields ? batch.texts.length > 0 : batch.fields.length > 0);
      if (batch && (batch.key !== key || kindChanges || batch.texts.length + batch.fields.length >= batchMax)) await send();
      batch ??= { key, target, texts: [], fields: [] };
      if (asFields) batch.fields.push(e.fields!);
      else batch.texts.push(e.eventText ?? e.text ?? JSON.stringify(e.fields ?? {}));
    }
    if (!result.aborted) await send();
  } finally {
    // A batch still on its way is waited for (and its error thrown), whatever ended the reading.
    await sending;
  }
  if (options.signal?.aborted) result.aborted = true;
  result.elapsedMs = Date.now() - started;
  options.onProgress?.(progress());
  return result;
}

async function* oneByOne(items: AsyncIterable<FixtureItem>): AsyncGenerator<FixtureItem[]> {
  for await (const item of items) yield [item];
}

/** The line's event, or null after counting the line as a problem. */
function eventOf(item: FixtureItem, result: ImportResult): FixtureEvent | null {
  if ('event' in item) return item.event;
  result.problems++;
  if (result.problemLines.length < 100) result.problemLines.push({ line: item.line, message: item.problem });
  return null;
}

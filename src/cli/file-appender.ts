// Appends the events of an NDJSON file to the store exactly once, riding out a server restart or failover: the
// store resends a chunk whose reply was lost under the same producer sequence, so Redis stores it once. The events
// are numbered by their place among the file's events, so a run that gave up can be resumed by another process
// (`--from-line N --producer ID`) and store only what is missing.
import { readNdjsonBatches, APPEND_CHUNK, type EventStore, PartialAppendError, isUCoreError, EventText } from '../core/index';
import { type Values, int, str, UsageError } from './command';

/**
 * Events per appendBatch: a multiple of the store's chunk, so a resumed run's chunks are the first run's. 8 chunks
 * fill the store's window of 8 once per call. Larger batches (25 chunks kept the window full for most of a call) held
 * two batches of parsed events alive through many young-generation collections: 12% more CPU for 100,000 lines, most
 * of it the garbage collector promoting and then freeing them (issue 13, measured side by side at load 5–6).
 */
const BATCH = APPEND_CHUNK * 8;

export const resumeOptions = {
  'retry-for': { type: 'string' as const },
  'from-line': { type: 'string' as const },
  producer: { type: 'string' as const },
};

export const RESUME_USAGE = '[--retry-for 60] [--from-line N --producer ID]';

export interface ResumeSettings {
  retryForMs: number;
  fromLine: number;
  producerId: string | undefined;
}

export function resumeSettings(values: Values): ResumeSettings {
  const fromLine = int(values, 'from-line', { min: 1 }) ?? 1;
  const producerId = str(values, 'producer');
  if (fromLine > 1 && producerId === undefined) {
    throw new UsageError('--from-line resumes an earlier run: give its --producer too (the failed run printed both), or nothing is known about what it stored');
  }
  const seconds = int(values, 'retry-for', { min: 0, max: 86_400 }) ?? 60;
  return { retryForMs: seconds * 1000, fromLine, producerId };
}

export interface FileRow {
  line: number;
  /** The line's event, stored as written (EventText keeps Python's numbers). */
  event: EventText;
}

export interface FileAppendResult {
  stored: number;
  badLines: number;
}

/**
 * Reads `file` from `settings.fromLine`, hands good rows to `each` in batches (which stores them and may do more,
 * e.g. publish), and says which line to resume from when the store gives up.
 */
export async function appendFile(
  file: string, store: EventStore, settings: ResumeSettings, signal: AbortSignal, note: (text: string) => void,
  each: (rows: FileRow[], storeBatch: (events: EventText[]) => Promise<void>) => Promise<void>,
): Promise<FileAppendResult> {
  const result: FileAppendResult = { stored: 0, badLines: 0 };
  let batch: FileRow[] = [];
  let sequence = 1;
  let started = false;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    await each(rows, async (events) => {
      try {
        await store.appendBatch(events, {
          publish: false, retryForMs: settings.retryForMs, signal,
          onRetry: ({ attempt, error, delayMs }) => {
            if (attempt === 1 || attempt % 10 === 0) note(`line ${rows[0].line}: ${(error as Error).message}; retrying (attempt ${attempt}, next in ${delayMs} ms)`);
          },
        });
      } catch (e) {
        const stored = e instanceof PartialAppendError ? e.stored : 0;
        result.stored += stored;
        const line = rows[stored]?.line ?? rows[0].line;
        const why = isUCoreError(e) && e.cause instanceof Error ? e.cause.message : (e as Error).message;
        throw new ResumableAppendError(
          `stored the file's events before line ${line} (${result.stored} in this run), then gave up: ${why}. `
          + `Resume with: --from-line ${line} --producer ${store.producerId}`,
        );
      }
      result.stored += events.length;
    });
  };
  // The file's next lines are read and parsed while the previous batch is being stored: one batch in flight, each
  // started only after the one before it is confirmed, so a failure still names the first line not stored.
  let storing: Promise<void> | undefined;
  const flushBehind = async () => {
    await storing;
    storing = flush();
    // Awaited before the next batch or at the end; until then a failure must not count as unhandled.
    storing.catch(() => undefined);
  };
  for await (const rows of readNdjsonBatches(file)) {
    if (signal.aborted) break;
    for (const row of rows) {
      const v = row.value;
      const good = row.error === undefined && typeof v === 'object' && v !== null && !Array.isArray(v);
      if (row.line < settings.fromLine) {
        if (good) sequence++;
        continue;
      }
      if (!started) {
        started = true;
        store.resetSequence(sequence);
      }
      if (!good) {
        result.badLines++;
        note(row.error ?? `line ${row.line}: not a JSON object`);
        continue;
      }
      batch.push({ line: row.line, event: new EventText(row.text!, v) });
      if (batch.length >= BATCH) await flushBehind();
    }
  }
  await storing;
  await flush();
  return result;
}

/** The append gave up; the message names the line and producer to resume with. Exit code 1. */
export class ResumableAppendError extends Error {}

// NDJSON files of events: one JSON value per line. Reading streams the file (memory bounded by the longest line,
// itself capped), skips blank lines, and reports a malformed or over-long line with its number instead of
// throwing, so one bad line in a capture of a million does not lose the rest.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { BadInputError } from '../errors';

export interface NdjsonLine {
  /** 1-based line number in the file. */
  line: number;
  /** The parsed value, when the line is JSON. */
  value?: unknown;
  /** The line as written, when it is JSON: numbers such as `12.0` or 2^53 + 1 keep their form only here. */
  text?: string;
  /** Why the line could not be read, when it is not. */
  error?: string;
}

export interface ReadNdjsonOptions {
  /** Longer lines are reported as errors and skipped without being held in memory. @default 16 MiB */
  maxLineBytes?: number;
}

const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const WRITE_CHUNK_CHARS = 256 * 1024;
const READ_CHUNK_BYTES = 256 * 1024;

/** Writes one JSON line per value (creating or replacing the file, or appending); resolves with the count. */
export async function writeNdjson(
  path: string,
  values: Iterable<unknown> | AsyncIterable<unknown>,
  options: { append?: boolean } = {},
): Promise<number> {
  const file = await open(path, options.append ? 'a' : 'w');
  let count = 0;
  let pending = '';
  try {
    for await (const value of values) {
      pending += `${toLine(value, count)}\n`;
      count++;
      if (pending.length >= WRITE_CHUNK_CHARS) {
        await file.write(pending);
        pending = '';
      }
    }
    if (pending) await file.write(pending);
  } finally {
    await file.close();
  }
  return count;
}

/** Reads an NDJSON file (or stream of chunks) line by line. I/O errors throw; bad lines are reported. */
export async function* readNdjson(
  source: string | AsyncIterable<Buffer | string>,
  options: ReadNdjsonOptions = {},
): AsyncGenerator<NdjsonLine> {
  for await (const lines of readNdjsonBatches(source, options)) yield* lines;
}

/**
 * readNdjson a read at a time: the lines of each chunk read from the file (up to 256 KiB) in one array. For readers
 * of large files that handle lines in batches anyway: one await per chunk instead of one per line (issue 13: a
 * third of what `ucore publish --file` spent per line went to the generator's promises).
 */
export async function* readNdjsonBatches(
  source: string | AsyncIterable<Buffer | string>,
  options: ReadNdjsonOptions = {},
): AsyncGenerator<NdjsonLine[]> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isSafeInteger(max) || max < 1) throw new BadInputError(`maxLineBytes must be a positive integer, not ${max}`);
  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: READ_CHUNK_BYTES }) : source;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  let line = 0;
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const out: NdjsonLine[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      const end = nl < 0 ? buf.length : nl;
      if (nl >= 0 && parts.length === 0 && !tooLong) {
        // The whole line is in this chunk (the usual case): read straight from it.
        line++;
        if (end - start > max) out.push({ line, error: `line ${line} is longer than ${max} bytes` });
        else {
          const row = lineOf(line, buf.toString('utf8', start, end));
          if (row) out.push(row);
        }
        start = nl + 1;
        continue;
      }
      if (!tooLong && end > start) {
        if (partBytes + (end - start) > max) {
          tooLong = true;
          parts = [];
          partBytes = 0;
        } else {
          parts.push(buf.subarray(start, end));
          partBytes += end - start;
        }
      }
      if (nl < 0) break;
      line++;
      const row = finishLine(line, parts, partBytes, tooLong, max);
      if (row) out.push(row);
      parts = [];
      partBytes = 0;
      tooLong = false;
      start = nl + 1;
    }
    if (out.length) yield out;
  }
  if (partBytes > 0 || tooLong) {
    const row = finishLine(line + 1, parts, partBytes, tooLong, max);
    if (row) yield [row];
  }
}

function finishLine(line: number, parts: Buffer[], bytes: number, tooLong: boolean, max: number): NdjsonLine | null {
  if (tooLong) return { line, error: `line ${line} is longer than ${max} bytes` };
  return lineOf(line, (parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes)).toString('utf8'));
}

function lineOf(line: number, text: string): NdjsonLine | null {
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/^\s*$/.test(text)) return null;
  try {
    return { line, value: JSON.parse(text), text };
  } catch (e) {
    return { line, error: `line ${line} is not JSON: ${(e as Error).message}` };
  }
}

function toLine(value: unknown, index: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new BadInputError(`item ${index} cannot be written as JSON: ${(e as Error).message}`);
  }
  if (text === undefined) throw new BadInputError(`item ${index} (${typeof value}) has no JSON form`);
  return text;
}

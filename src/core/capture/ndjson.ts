// NDJSON files of events: one JSON value per line. Reading streams the file (memory bounded by the longest line,
// itself capped), skips blank lines, and reports a malformed or over-long line with its number instead of
// throwing, so one bad line in a capture of a million does not lose the rest.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { BadInputError } from '../errors';
import { FlowFieldReader } from '../flows/flow-fields';

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
/** Bytes read from a file at a time: fewer reads and awaits for a big file. */
const READ_CHUNK_BYTES = 1024 * 1024;

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
 * readNdjson a read at a time: the parsed lines of each chunk read from the file in one array. For readers of large
 * files that handle lines in batches anyway: one await per chunk instead of one per line (issue 13: a third of what
 * `ucore publish --file` spent per line went to the generator's promises).
 */
export async function* readNdjsonBatches(
  source: string | AsyncIterable<Buffer | string>,
  options: ReadNdjsonOptions = {},
): AsyncGenerator<NdjsonLine[]> {
  for await (const lines of readNdjsonText(source, options)) {
    const out: NdjsonLine[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.error !== undefined) out[i] = l;
      else {
        try {
          out[i] = { line: l.line, value: JSON.parse(l.text!), text: l.text };
        } catch (e) {
          out[i] = { line: l.line, error: notJson(l.line, e) };
        }
      }
    }
    yield out;
  }
}

/**
 * readNdjsonBatches without the values: each line's text, checked to be JSON, for readers that send the text as
 * written and never look inside (`ucore publish --file`). A line that is one JSON object is checked on its bytes,
 * three times faster than JSON.parse builds it and with no garbage; any other line goes through JSON.parse, whose
 * answer (and error message) counts.
 */
export async function* readNdjsonCheckedText(
  source: string | AsyncIterable<Buffer | string>,
  options: ReadNdjsonOptions = {},
): AsyncGenerator<NdjsonTextLine[]> {
  const reader = FlowFieldReader.create([], [])!;
  for await (const lines of readNdjsonText(source, options, (bytes) => reader.isObject(bytes) || undefined)) {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.seen || l.error !== undefined) continue;
      try {
        JSON.parse(l.text!);
      } catch (e) {
        lines[i] = { line: l.line, error: notJson(l.line, e) };
      }
    }
    yield lines;
  }
}

/** Why line `line` is not JSON (JSON.parse's error `e`). */
export function notJson(line: number, e: unknown): string {
  return `line ${line} is not JSON: ${(e as Error).message}`;
}

/** A line of readNdjsonText. */
export interface NdjsonTextLine {
  line: number;
  text?: string;
  error?: string;
  /** What `look` made of the line's bytes (undefined: it had nothing to say, or the line spans two reads). */
  seen?: unknown;
}

/**
 * The lines of an NDJSON file (or stream of chunks) as text, not parsed: a read chunk's lines at a time (a reader of
 * a million lines pays for one await per chunk, not per line). Blank lines are skipped; an over-long line comes as
 * an `error` without being held in memory. I/O errors throw. `look` sees the bytes of most lines (not of one that
 * spans two reads) before they become text, for readers that can learn what they need without parsing the text.
 */
export async function* readNdjsonText(
  source: string | AsyncIterable<Buffer | string>,
  options: ReadNdjsonOptions = {},
  look?: (bytes: Buffer) => unknown,
): AsyncGenerator<NdjsonTextLine[]> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isSafeInteger(max) || max < 1) throw new BadInputError(`maxLineBytes must be a positive integer, not ${max}`);
  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: READ_CHUNK_BYTES }) : source;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  let line = 0;
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const out: NdjsonTextLine[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      const end = nl < 0 ? buf.length : nl;
      if (nl >= 0 && parts.length === 0 && !tooLong) {
        // The common case: the whole line is inside this chunk.
        line++;
        if (end - start > max) out.push({ line, error: tooLongError(line, max) });
        else {
          const text = lineText(line, buf.toString('utf8', start, end));
          if (text !== null) {
            const seen = look?.(buf.subarray(start, end));
            out.push(seen === undefined ? { line, text } : { line, text, seen });
          }
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
      const done = finishLine(line, parts, partBytes, tooLong, max);
      if (done) out.push(done);
      parts = [];
      partBytes = 0;
      tooLong = false;
      start = nl + 1;
    }
    if (out.length) yield out;
  }
  if (partBytes > 0 || tooLong) {
    const done = finishLine(line + 1, parts, partBytes, tooLong, max);
    if (done) yield [done];
  }
}

function tooLongError(line: number, max: number): string {
  return `line ${line} is longer than ${max} bytes`;
}

/** The line's text without its '\r' (and the file's byte order mark), or null for a blank line. */
function lineText(line: number, text: string): string | null {
  if (text.charCodeAt(text.length - 1) === 0x0d) text = text.slice(0, -1);
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return /^\s*$/.test(text) ? null : text;
}

function finishLine(line: number, parts: Buffer[], bytes: number, tooLong: boolean, max: number): { line: number; text?: string; error?: string } | null {
  if (tooLong) return { line, error: tooLongError(line, max) };
  const text = lineText(line, (parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes)).toString('utf8'));
  return text === null ? null : { line, text };
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

// Human-readable lines by default, NDJSON with --json. Values from other people's services are printed as data:
// control characters are escaped in human mode so a payload cannot drive the terminal.
//
// A reader that goes away (`ucore store get … | head -1`: EPIPE on the next write) stops the output, and the command
// ends quietly with exit 0, as `cat` and `grep` do; it never dies with a stack trace.
export class Output {
  constructor(readonly json: boolean) {}

  /** One record: NDJSON in --json mode, else the human line. RawJson values go out as the text they hold. */
  record(value: unknown, human: string): void {
    this.line(this.json ? stringifyWithRaw(value) : human);
  }

  line(text: string): void {
    if (!closed.stdout) process.stdout.write(`${text}\n`);
  }

  /** Progress and notes go to stderr so stdout stays parseable. */
  note(text: string): void {
    if (!closed.stderr) process.stderr.write(`${text}\n`);
  }
}

/** Which of the standard streams can no longer be written: its reader went away ('gone', EPIPE), or it 'failed'. */
export const closed: Record<'stdout' | 'stderr', false | 'gone' | 'failed'> = { stdout: false, stderr: false };

let watching = false;

/**
 * Handles write errors on stdout and stderr for the life of the process (without a listener Node throws them as an
 * uncaught exception with a stack trace). A closed reader (EPIPE) marks the stream closed and, for stdout, calls
 * `onStdoutClosed` so a running command stops; any other write error is reported in one line with exit 1.
 */
export function watchOutput(onStdoutClosed: () => void): void {
  if (watching) return;
  watching = true;
  for (const which of ['stdout', 'stderr'] as const) {
    process[which].on('error', (e: NodeJS.ErrnoException) => {
      if (closed[which]) return;
      closed[which] = e.code === 'EPIPE' ? 'gone' : 'failed';
      if (closed[which] === 'failed') {
        if (!closed.stderr) process.stderr.write(`ucore: cannot write to ${which}: ${e.message}\n`);
        process.exitCode = 1;
      }
      if (which === 'stdout') onStdoutClosed();
    });
  }
}

/** Escapes terminal control characters (ESC, BEL, C1…) and truncates for one display line. */
export function safeText(s: string, max = 400): string {
  const cleaned = s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\n/g, '\\n');
  return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}

export function timeOfDay(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

/**
 * JSON text another program wrote, printed as it is inside a --json record: an event's `12.0` or 2^53 + 1 would come
 * out as `12` and a rounded number after JSON.parse + JSON.stringify. Only for text known to be valid JSON (its
 * line breaks, which valid JSON has only between tokens, become spaces so the record stays one line).
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Stands in for a RawJson while stringifying: NUL is always escaped in JSON text, and the nonce is per process. */
const RAW_NONCE = Math.random().toString(36).slice(2);
const RAW_PLACEHOLDER = new RegExp(`"\\\\u0000raw:${RAW_NONCE}:(\\d+)"`, 'g');

function stringifyWithRaw(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof RawJson ? `\u0000raw:${RAW_NONCE}:${raws.push(v.text.trim().replace(/[\r\n]+/g, ' ')) - 1}` : v));
  if (raws.length === 0) return text;
  return text.replace(RAW_PLACEHOLDER, (_m, i: string) => raws[Number(i)]);
}

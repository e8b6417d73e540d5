// Human-readable lines by default, NDJSON with --json. Values from other people's services are printed as data:
// control characters are escaped in human mode so a payload cannot drive the terminal.
export class Output {
  constructor(readonly json: boolean) {}

  /** One record: NDJSON in --json mode, else the human line. */
  record(value: unknown, human: string): void {
    process.stdout.write(`${this.json ? JSON.stringify(value) : human}\n`);
  }

  line(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  /** Progress and notes go to stderr so stdout stays parseable. */
  note(text: string): void {
    process.stderr.write(`${text}\n`);
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

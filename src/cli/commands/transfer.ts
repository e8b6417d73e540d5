// `ucore export` and `ucore import`: stream entries ↔ fixture NDJSON files (the format `ucore record` writes).
import { exportEntries, fileSink, importFixture, DEFAULT_STORE_STREAM, type EventTarget } from '../../core/index';
import { type CliCommand, int, num, str, strs, UsageError } from '../command';
import type { CliContext } from '../context';
import { maskRulesOption } from '../mask-option';
import { safeText } from '../output';
import { whereFilter } from './store-search';

/** One line on stderr, rewritten in place on a terminal, at most every 100 ms (1 s when not a terminal). */
function progressLine(): { show(text: string): void; clear(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    show(text) {
      const now = Date.now();
      if (now - last < (tty ? 100 : 1000)) return;
      last = now;
      process.stderr.write(tty ? `\r${text}\u001b[K` : `${text}\n`);
    },
    clear() {
      if (tty) process.stderr.write('\r\u001b[K');
    },
  };
}

export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'ucore export --out FILE [--stream KEY] [--where EXPR] [--since ISO] [--until ISO] [--from-id ID] [--to-id ID] [--id ID]... [--limit N] [--mask PATH[=TEXT]]...',
  summary: 'write stream entries (a range, a CEL search, chosen ids) to an NDJSON fixture file, masking the fields named by --mask (hashed, or replaced by TEXT)',
  options: {
    out: { type: 'string', short: 'o' },
    stream: { type: 'string' },
    where: { type: 'string', short: 'w' },
    since: { type: 'string' },
    until: { type: 'string' },
    'from-id': { type: 'string' },
    'to-id': { type: 'string' },
    id: { type: 'string', multiple: true },
    limit: { type: 'string' },
    mask: { type: 'string', multiple: true },
  },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    const out = str(values, 'out');
    if (!out) throw new UsageError('give the file to write: --out FILE');
    const mask = maskRulesOption(values);
    const ids = strs(values, 'id');
    const stream = str(values, 'stream') ?? DEFAULT_STORE_STREAM;
    const transport = await ctx.connect();
    const sink = fileSink(out);
    const progress = progressLine();
    let result;
    try {
      result = await exportEntries(transport, {
        stream,
        ids: ids.length ? ids : undefined,
        filter: whereFilter(values),
        start: str(values, 'from-id'),
        end: str(values, 'to-id'),
        since: str(values, 'since'),
        until: str(values, 'until'),
        limit: int(values, 'limit', { min: 1 }),
      }, sink, { mask, signal: ctx.signal, onProgress: (p) => progress.show(`export: ${p.written} written, ${p.scanned} scanned`) });
    } finally {
      progress.clear();
      await sink.close();
    }
    ctx.out.record({ written: result.written, scanned: result.scanned, masked: result.masked, aborted: result.aborted, file: out },
      `${result.aborted ? 'cancelled: ' : ''}exported ${result.written} entr${result.written === 1 ? 'y' : 'ies'} of ${safeText(stream)} to ${safeText(out)} (${result.scanned} scanned${mask.length ? `, ${result.masked} value${result.masked === 1 ? '' : 's'} masked` : ''})`);
    return result.aborted ? 130 : 0;
  },
};

export const importCommand: CliCommand = {
  name: 'import',
  usage: 'ucore import FILE [--to-stream KEY | --to-channel C] [--rate N] [--dry-run]',
  summary: 'send the events of an NDJSON fixture file, in order, where each was recorded (or to one stream or channel); --dry-run counts what would go where',
  options: {
    'to-stream': { type: 'string' },
    'to-channel': { type: 'string' },
    rate: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  positionals: [1, 1],
  async run(ctx: CliContext, [file], values) {
    const toStream = str(values, 'to-stream');
    const toChannel = str(values, 'to-channel');
    if (toStream !== undefined && toChannel !== undefined) throw new UsageError('give --to-stream or --to-channel, not both');
    const target: EventTarget | undefined = toStream !== undefined ? { kind: 'stream', name: toStream } : toChannel !== undefined ? { kind: 'channel', name: toChannel } : undefined;
    const dryRun = values['dry-run'] === true;
    const transport = await ctx.connect();
    const progress = progressLine();
    const r = await importFixture(file!, transport, {
      target, dryRun, rate: num(values, 'rate', { min: 0.001 }), signal: ctx.signal,
      onProgress: (p) => progress.show(`import: ${p.sent} ${dryRun ? 'read' : 'sent'}, ${p.problems} bad line${p.problems === 1 ? '' : 's'}`),
    });
    progress.clear();
    const where = Object.entries(r.byTarget).map(([k, n]) => `${safeText(k, 120)}: ${n}`).join(', ') || 'nowhere';
    for (const p of r.problemLines.slice(0, 10)) ctx.out.note(`line ${p.line}: ${safeText(p.message, 200)}`);
    ctx.out.record({ sent: r.sent, dryRun: r.dryRun, problems: r.problems, aborted: r.aborted, byTarget: { ...r.byTarget } },
      `${r.aborted ? 'cancelled: ' : ''}${dryRun ? 'dry run: would send' : 'sent'} ${r.sent} event${r.sent === 1 ? '' : 's'} (${where}) in ${(r.elapsedMs / 1000).toFixed(2)} s` +
      `${r.problems ? `; ${r.problems} line${r.problems === 1 ? ' is' : 's are'} not events` : ''}`);
    return r.aborted ? 130 : r.problems ? 1 : 0;
  },
};

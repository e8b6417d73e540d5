// `ucore deadletters` (groups by reason) and `ucore redrive` (send a group back once, with a dry run first).
import { groupDeadLetters, redriveDeadLetters, DEAD_LETTER_STREAM, type EventTarget } from '../../core/index';
import { type CliCommand, int, num, str, UsageError } from '../command';
import { safeText, table } from '../output';
import { whereFilter } from './store-search';

export const deadLettersCommand: CliCommand = {
  name: 'deadletters',
  usage: 'ucore deadletters [--stream dead_letter]',
  summary: 'dead letters grouped by error reason (numbers and ids blanked), with counts, sources and how many were redriven',
  options: { stream: { type: 'string' } },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    const r = await groupDeadLetters(await ctx.connect(), { stream: str(values, 'stream') ?? DEAD_LETTER_STREAM, signal: ctx.signal });
    if (ctx.out.json) {
      for (const g of r.groups) ctx.out.record(g, '');
      return 0;
    }
    ctx.out.line(table([['count', 'redriven', 'reason', 'sources'], ...r.groups.map((g) => [String(g.count), String(g.redriven), safeText(g.reason, 100), safeText(g.sources.join(','), 60)])]));
    ctx.out.note(`${r.groups.length} reason${r.groups.length === 1 ? '' : 's'}, ${r.scanned} of ${r.total} dead letters read`);
    return 0;
  },
};

export const redriveCommand: CliCommand = {
  name: 'redrive',
  usage: 'ucore redrive (--to-stream S | --to-channel C) [--reason "REASON"] [--where EXPR] [--max N] [--rate N] [--dry-run] [--stream dead_letter]',
  summary: 'send dead letters (of one reason as `ucore deadletters` shows it, and/or a CEL filter) back, once: redriven ones are marked and skipped next time',
  options: { stream: { type: 'string' }, reason: { type: 'string' }, where: { type: 'string', short: 'w' }, 'to-stream': { type: 'string' }, 'to-channel': { type: 'string' },
    max: { type: 'string' }, rate: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    const toStream = str(values, 'to-stream');
    const toChannel = str(values, 'to-channel');
    if ((toStream === undefined) === (toChannel === undefined)) throw new UsageError('give one target: --to-stream or --to-channel');
    const target: EventTarget = toStream !== undefined ? { kind: 'stream', name: toStream } : { kind: 'channel', name: toChannel! };
    const dryRun = values['dry-run'] === true;
    const r = await redriveDeadLetters(await ctx.connect(), {
      stream: str(values, 'stream'), reason: str(values, 'reason'), filter: whereFilter(values), target, dryRun,
      max: int(values, 'max', { min: 1 }), rate: num(values, 'rate', { min: 0.001 }), signal: ctx.signal,
      onProgress: (p) => { if (!ctx.out.json && process.stderr.isTTY) process.stderr.write(`\rredrive: ${p.sent} sent, ${p.scanned} scanned\u001b[K`); },
    });
    if (!ctx.out.json && process.stderr.isTTY) process.stderr.write('\r\u001b[K');
    ctx.out.record({ ...r, ids: r.ids.slice(0, 100) },
      `${r.aborted ? 'cancelled: ' : ''}${dryRun ? 'dry run: would redrive' : 'redrove'} ${r.sent} dead letter${r.sent === 1 ? '' : 's'} to ${safeText(r.target)}` +
      ` (${r.scanned} scanned${r.alreadyRedriven ? `, ${r.alreadyRedriven} already redriven, skipped` : ''}${r.noEvent ? `, ${r.noEvent} without an event` : ''})`);
    return r.aborted ? 130 : 0;
  },
};

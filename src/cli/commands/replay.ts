import { replay, type ReplayTarget, describeReplayTarget } from '../../core/index';
import { type CliCommand, num, str, UsageError } from '../command';
import { safeText } from '../output';
import { replayFixtureFile } from './replay-fixture';
import { clockNote, selectionFrom, selectionOptions, TIME_RANGE_USAGE } from './store';

export const replayCommand: CliCommand = {
  name: 'replay',
  usage: `ucore replay [--entity ID] [--type T]... ${TIME_RANGE_USAGE} [--from-id ID] [--to-id ID] [--limit N] [--stream KEY]\n` +
    '             (--to-channel C | --to-shard C | --to-stream S | --to-url U [--to-channel C | --to-shard C | --to-stream S]) [--rate N] [--dry-run]\n' +
    '       ucore replay --fixture FILE [--to-url U] [--map FROM=TO]... [--to-channel C | --to-shard C | --to-stream S] [--speed 1|10|max]',
  summary: 'send stored events, in order, to a channel, a shard channel (SPUBLISH), a stream or another Redis; or a recorded fixture, ' +
    'to its recorded channels and streams (renamed with --map) at 1× (recorded timing), 10× or max speed; progress on stderr',
  options: {
    ...selectionOptions,
    stream: { type: 'string' },
    'to-channel': { type: 'string' },
    'to-shard': { type: 'string' },
    'to-stream': { type: 'string' },
    'to-url': { type: 'string' },
    rate: { type: 'string' },
    'dry-run': { type: 'boolean' },
    fixture: { type: 'string' },
    speed: { type: 'string' },
    map: { type: 'string', multiple: true },
  },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    const fixture = str(values, 'fixture');
    if (fixture !== undefined) {
      const storeOnly = [...Object.keys(selectionOptions), 'stream', 'rate', 'dry-run'].filter((k) => values[k] !== undefined);
      if (storeOnly.length) throw new UsageError(`--${storeOnly[0]} selects stored events: it does not go with --fixture`);
      return replayFixtureFile(ctx, fixture, values);
    }
    if (values.speed !== undefined || values.map !== undefined) throw new UsageError('--speed and --map go with --fixture');
    const toChannel = str(values, 'to-channel');
    const toShard = str(values, 'to-shard');
    const toStream = str(values, 'to-stream');
    const toUrl = str(values, 'to-url');
    if ([toChannel, toShard, toStream].filter((t) => t !== undefined).length > 1) throw new UsageError('give one of --to-channel, --to-shard and --to-stream');
    if (toChannel === undefined && toShard === undefined && toStream === undefined && !toUrl) throw new UsageError('give a target: --to-channel, --to-shard, --to-stream or --to-url');
    const selection = { ...selectionFrom(values), stream: str(values, 'stream') };
    const rate = num(values, 'rate', { min: 0.001 });
    const source = await ctx.connect();
    const targetTransport = toUrl ? await ctx.connect(toUrl) : undefined;
    const target: ReplayTarget = toChannel !== undefined ? { kind: 'channel', channel: toChannel, transport: targetTransport }
      : toShard !== undefined ? { kind: 'shard', channel: toShard, transport: targetTransport }
        : { kind: 'stream', stream: toStream ?? selection.stream ?? 'event_store', transport: targetTransport };
    const where = `${describeReplayTarget(target)}${toUrl ? ` on ${targetTransport!.description}` : ''}`;
    const tty = process.stderr.isTTY;
    let lastPrint = 0;
    const result = await replay(source, selection, target, {
      ratePerSecond: rate,
      dryRun: !!values['dry-run'],
      signal: ctx.signal,
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastPrint < (tty ? 100 : 1000)) return;
        lastPrint = now;
        const line = `replay: ${p.sent} sent, ${p.matched} matched, ${p.scanned} scanned, ${Math.round(p.rate)}/s`;
        if (tty) process.stderr.write(`\r${line}\u001b[K`);
        else process.stderr.write(`${line}\n`);
      },
    });
    if (tty) process.stderr.write('\r\u001b[K');
    const note = clockNote(selection);
    if (note) ctx.out.note(`${note}${result.skippedUntimed ? `; ${result.skippedUntimed} event${result.skippedUntimed === 1 ? '' : 's'} without a readable timestamp left out` : ''}`);
    const secs = (result.durationMs / 1000).toFixed(2);
    const human = result.dryRun
      ? `dry run: ${result.matched} event${result.matched === 1 ? '' : 's'} would go to ${safeText(where)} (${result.scanned} scanned)` +
        (result.preview.length ? `\n${result.preview.map((e) => `  ${e.id}  ${safeText(e.raw, 160)}`).join('\n')}` : '')
      : `${result.aborted ? 'cancelled: ' : ''}replayed ${result.sent} of ${result.matched} event${result.matched === 1 ? '' : 's'} to ${safeText(where)} in ${secs} s` +
        (result.skippedMalformed ? ` (${result.skippedMalformed} malformed skipped)` : '');
    const { preview, ...summary } = result;
    ctx.out.record({ ...summary, preview: preview.map((e) => ({ id: e.id, event: e.event })) }, human);
    return result.aborted ? 130 : 0;
  },
};

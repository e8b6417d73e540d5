// `ucore record`: traffic into a fixture (NDJSON, one event a line), for a time or a count, masked on the way in.
// Ctrl+C ends a recording as a normal stop: what was recorded stays in the file.
import { describeMaskRule, recordTraffic, DEFAULT_MAX_FIXTURE_BYTES, type RecordStop } from '../../core/index';
import { maskRulesOption } from '../mask-option';
import { type CliCommand, int, num, str, strs, UsageError } from '../command';
import { safeText } from '../output';

const STOPPED: Readonly<Record<RecordStop, string>> = {
  duration: 'time is up', count: 'count reached', size: 'size limit reached', aborted: 'stopped', error: 'stopped by an error',
};

export const recordCommand: CliCommand = {
  name: 'record',
  usage: 'ucore record <channel|pattern>... [--pattern] [--shard] [--stream KEY]... [--for SECONDS | --count N] [--out FILE] [--mask PATH[=TEXT]]... [--max-bytes N]',
  summary: 'record traffic into a fixture (NDJSON: t, kind, channel or stream, the event as written); --mask replaces a field with a stable hash (or TEXT); progress on stderr',
  options: {
    pattern: { type: 'boolean', short: 'p' },
    shard: { type: 'boolean' },
    stream: { type: 'string', multiple: true },
    for: { type: 'string' },
    count: { type: 'string', short: 'n' },
    out: { type: 'string', short: 'o' },
    mask: { type: 'string', multiple: true },
    'max-bytes': { type: 'string' },
  },
  positionals: [0, 1000],
  async run(ctx, names, values) {
    const streams = strs(values, 'stream');
    if (names.length === 0 && streams.length === 0) throw new UsageError('give channels, patterns with --pattern, shard channels with --shard, or --stream KEY');
    if (values.pattern && values.shard) throw new UsageError('shard channels have no patterns: --shard or --pattern, not both');
    const seconds = num(values, 'for', { min: 0.001 });
    const count = int(values, 'count', { min: 1 });
    if (seconds !== undefined && count !== undefined) throw new UsageError('--for or --count, not both');
    const maxBytes = int(values, 'max-bytes', { min: 1 }) ?? DEFAULT_MAX_FIXTURE_BYTES;
    const mask = maskRulesOption(values);
    const out = str(values, 'out') ?? `fixture-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.ndjson`;
    const transport = await ctx.connect();
    const tty = process.stderr.isTTY;
    const what = [
      ...names.map((n) => `${values.pattern ? 'pattern ' : values.shard ? 'shard channel ' : ''}${safeText(n, 80)}`),
      ...streams.map((s) => `stream ${safeText(s, 80)}`),
    ].join(', ');
    const result = await recordTraffic(transport, out, {
      channels: values.pattern || values.shard ? [] : names,
      patterns: values.pattern ? names : [],
      shards: values.shard ? names : [],
      streams,
      durationMs: seconds === undefined ? undefined : seconds * 1000,
      count,
      maxBytes,
      mask,
      signal: ctx.signal,
      onListening: () => ctx.out.note(`recording ${what} into ${safeText(out)}${mask.length ? `, masking ${mask.map(describeMaskRule).join(', ')}` : ''}` +
        `${count ? ` for ${count} event${count === 1 ? '' : 's'}` : seconds ? ` for ${seconds} s` : ''} (Ctrl+C to stop)`),
      onProgress: (p) => {
        if (!tty) return;
        process.stderr.write(`\rrecord: ${p.events} events, ${kb(p.bytes)}, ${(p.elapsedMs / 1000).toFixed(1)} s\u001b[K`);
      },
    });
    if (tty) process.stderr.write('\r\u001b[K');
    if (result.error) ctx.out.note(`ucore record: ${result.error}`);
    ctx.out.record({ file: out, ...result },
      `recorded ${result.events} event${result.events === 1 ? '' : 's'} (${kb(result.bytes)}${result.masked ? `, ${result.masked} values masked` : ''}) into ${safeText(out)} in ${(result.elapsedMs / 1000).toFixed(1)} s: ${STOPPED[result.stoppedBy]}`);
    return result.stoppedBy === 'error' ? 1 : 0;
  },
};

function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

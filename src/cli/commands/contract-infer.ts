// `ucore contract infer (--channel C | --stream S)... [--for SECONDS | --count N]`: samples live traffic (and the
// newest entries of the streams) and prints an AsyncAPI 3.0 contract inferred from it, YAML on stdout (the document
// as one JSON line with --json), notes on what it does not describe on stderr.
import { contractToYaml, inferContractFromTraffic, DEFAULT_INFER_SECONDS, type InferSource } from '../../core/index';
import { type CliCommand, int, num, str, strs, UsageError } from '../command';
import { safeText } from '../output';

export const contractInferCommand: CliCommand = {
  name: 'contract infer',
  usage: 'ucore contract infer (--channel C | --shard C | --stream S)... [--for SECONDS | --count N] [--title T]',
  summary: 'samples channels (names or globs), shard channels and streams (their newest entries, then live) and prints ' +
    `an AsyncAPI 3.0 contract inferred from the events; samples for ${DEFAULT_INFER_SECONDS} s unless --for or --count says otherwise`,
  options: {
    channel: { type: 'string', short: 'c', multiple: true },
    shard: { type: 'string', multiple: true },
    stream: { type: 'string', short: 's', multiple: true },
    for: { type: 'string' },
    count: { type: 'string', short: 'n' },
    title: { type: 'string' },
  },
  positionals: [0, 0],
  async run(ctx, _positionals, values) {
    const sources: InferSource[] = [
      ...strs(values, 'channel').map((address) => ({ kind: 'pubsub' as const, address })),
      ...strs(values, 'shard').map((address) => ({ kind: 'shard' as const, address })),
      ...strs(values, 'stream').map((address) => ({ kind: 'stream' as const, address })),
    ];
    if (!sources.length) throw new UsageError('say what to sample: --channel C, --shard C and/or --stream S (each may repeat)');
    if (sources.some((s) => s.address === '')) throw new UsageError('channel and stream names must not be empty');
    const seconds = num(values, 'for', { min: 0 });
    const count = int(values, 'count', { min: 1 });
    const transport = await ctx.connect();
    const result = await inferContractFromTraffic(transport, sources, {
      seconds, count, signal: ctx.signal, title: str(values, 'title'),
      onListening: () => ctx.out.note(`sampling ${sources.map((s) => safeText(s.address, 80)).join(', ')}${seconds !== undefined || count === undefined ? ` for ${seconds ?? DEFAULT_INFER_SECONDS} s` : ''}${count !== undefined ? ` up to ${count} events` : ''} (Ctrl+C to stop early)`),
    });
    for (const n of result.notes) ctx.out.note(safeText(n, 300));
    ctx.out.note(`inferred from ${result.sampled} event${result.sampled === 1 ? '' : 's'}`);
    if (ctx.out.json) ctx.out.line(JSON.stringify(result.document));
    else ctx.out.line((await contractToYaml(result.document)).trimEnd());
    return 0;
  },
};

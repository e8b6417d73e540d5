import { EventAdapter } from '../../core/adapter';
import { readEvent, eventTypeOf, entityOf } from '../../core/envelope/envelope';
import type { StreamEntry, Transport } from '../../core/transport/types';
import { type CliCommand, int, str, UsageError } from '../command';
import type { CliContext } from '../context';
import { safeText, timeOfDay } from '../output';

export const tailCommand: CliCommand = {
  name: 'tail',
  usage: 'ucore tail <channel|pattern> [--pattern | --shard] [--count N] | ucore tail --stream KEY [--group G --consumer C] [--count N]',
  summary: 'print events as they arrive on a channel, a pattern or a stream, one per line; exits after N',
  options: {
    pattern: { type: 'boolean', short: 'p' },
    shard: { type: 'boolean' },
    count: { type: 'string', short: 'n' },
    stream: { type: 'string' },
    group: { type: 'string' },
    consumer: { type: 'string' },
    'from-start': { type: 'boolean' },
  },
  positionals: [0, 1],
  async run(ctx, [target], values) {
    const count = int(values, 'count', { min: 1 });
    const stream = str(values, 'stream');
    if (!stream && !target) throw new UsageError('give a channel, a pattern with --pattern, or --stream KEY');
    if ((str(values, 'group') === undefined) !== (str(values, 'consumer') === undefined)) throw new UsageError('--group and --consumer go together');
    if (values.shard && values.pattern) throw new UsageError('shard channels have no patterns: --shard or --pattern, not both');
    const transport = await ctx.connect();
    const done = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    let seen = 0;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const emit = (where: string, raw: string, extra: Record<string, unknown> = {}) => {
      if (count !== undefined && seen >= count) return;
      seen++;
      printEvent(ctx, where, raw, extra);
      if (count !== undefined && seen >= count) finish();
    };
    if (stream) {
      void readStream(ctx, transport, stream, values, emit, () => (count !== undefined && seen >= count) || ctx.signal.aborted).then(() => finish(), (e) => { ctx.out.note(`ucore: ${(e as Error).message}`); finish(); });
    } else {
      const adapter = new EventAdapter(transport, ctx.logger);
      adapter.onProblem((p) => { if (p.kind === 'malformed') emit(p.context.channel, p.context.raw); });
      const handler = (_e: unknown, c: { channel: string; raw: string; pattern?: string }) => emit(c.channel, c.raw);
      if (values.pattern) await adapter.psubscribe(target!, handler);
      else if (values.shard) await adapter.ssubscribe(target!, handler);
      else await adapter.subscribe(target!, handler);
      ctx.out.note(`listening on ${values.pattern ? 'pattern ' : values.shard ? 'shard channel ' : ''}${safeText(target!)}${count ? ` for ${count} event${count === 1 ? '' : 's'}` : ''} (Ctrl+C to stop)`);
    }
    await Promise.race([done, finished]);
    return 0;
  },
};

function printEvent(ctx: CliContext, where: string, raw: string, extra: Record<string, unknown>) {
  const r = readEvent(raw);
  if (ctx.out.json) {
    ctx.out.record(r.ok ? { channel: where, ...extra, event: r.event } : { channel: where, ...extra, error: r.error.message, raw: raw.slice(0, 1000) }, '');
    return;
  }
  const time = timeOfDay(Date.now());
  if (!r.ok) {
    ctx.out.line(`${time}  ${safeText(where, 80)}  (not JSON)  ${safeText(raw, 200)}`);
    return;
  }
  const entity = entityOf(r.event);
  const id = extra.id ? `${extra.id}  ` : '';
  ctx.out.line(`${time}  ${id}${safeText(where, 80)}  ${safeText(eventTypeOf(r.event), 80)}${entity ? `  ${safeText(entity, 80)}` : ''}  ${safeText(raw, 300)}`);
}

async function readStream(
  ctx: CliContext, transport: Transport, stream: string, values: Record<string, unknown>,
  emit: (where: string, raw: string, extra?: Record<string, unknown>) => void, stop: () => boolean,
) {
  const group = values.group as string | undefined;
  const consumer = values.consumer as string | undefined;
  const entryText = (e: StreamEntry) => e.fields.event ?? JSON.stringify(e.fields);
  if (group && consumer) {
    try {
      await transport.xgroupCreate(stream, group, values['from-start'] ? '0' : '$', { mkStream: true });
    } catch (e) {
      if (!/BUSYGROUP/.test((e as Error).message)) throw e;
    }
    ctx.out.note(`reading ${safeText(stream)} as ${safeText(group)}/${safeText(consumer)} (Ctrl+C to stop)`);
    while (!stop()) {
      const batches = await transport.xreadgroup({ group, consumer, streams: [{ key: stream, id: '>' }], count: 100, blockMs: 1000 });
      for (const b of batches ?? []) {
        const acked: string[] = [];
        for (const e of b.entries) {
          if (stop()) break;
          emit(stream, entryText(e), { id: e.id });
          acked.push(e.id);
        }
        if (acked.length) await transport.xack(stream, group, acked);
      }
    }
    return;
  }
  // Resolve "now" to an id once: re-sending `$` on every XREAD would miss entries added between two reads.
  const fromStart = !!values['from-start'];
  let last = fromStart ? '0' : ((await transport.xrevrange(stream, '+', '-', 1))[0]?.id ?? '0');
  ctx.out.note(`reading ${safeText(stream)} from ${fromStart ? 'the start' : 'now'} (Ctrl+C to stop)`);
  while (!stop()) {
    const batches = await transport.xread({ streams: [{ key: stream, id: last }], count: 100, blockMs: 1000 });
    for (const b of batches ?? []) {
      for (const e of b.entries) {
        if (stop()) return;
        emit(stream, entryText(e), { id: e.id });
        last = e.id;
      }
    }
  }
}

import { EventAdapter, FilterStats, maskEventText, parseJson, type MaskRule, readEvent, eventTypeOf, entityOf, type StreamEntry, type Transport } from '../../core/index';
import { type CliCommand, int, str, UsageError } from '../command';
import { maskRulesOption } from '../mask-option';
import type { CliContext } from '../context';
import { RawJson, safeText, timeOfDay } from '../output';
import { whereFilter } from './store-search';

export const tailCommand: CliCommand = {
  name: 'tail',
  usage: 'ucore tail <channel|pattern> [--pattern | --shard] [--count N] [--where EXPR] | ucore tail --stream KEY [--group G --consumer C [--ack]] [--count N] [--where EXPR]; [--mask PATH[=TEXT]]...',
  summary: 'print events as they arrive on a channel, a pattern or a stream, one per line; exits after N. In a group, reads no more than it prints; ' +
    'what it printed stays pending on that consumer unless --ack. --where prints only events a CEL expression holds for (--count counts those)',
  options: {
    pattern: { type: 'boolean', short: 'p' },
    shard: { type: 'boolean' },
    count: { type: 'string', short: 'n' },
    stream: { type: 'string' },
    group: { type: 'string' },
    consumer: { type: 'string' },
    'from-start': { type: 'boolean' },
    ack: { type: 'boolean' },
    where: { type: 'string', short: 'w' },
    mask: { type: 'string', multiple: true },
  },
  positionals: [0, 1],
  async run(ctx, [target], values) {
    const count = int(values, 'count', { min: 1 });
    const stream = str(values, 'stream');
    if (!stream && !target) throw new UsageError('give a channel, a pattern with --pattern, or --stream KEY');
    if ((str(values, 'group') === undefined) !== (str(values, 'consumer') === undefined)) throw new UsageError('--group and --consumer go together');
    if (values.ack && str(values, 'group') === undefined) throw new UsageError('--ack acknowledges what a group read printed: give --group and --consumer');
    if (values.shard && values.pattern) throw new UsageError('shard channels have no patterns: --shard or --pattern, not both');
    if (str(values, 'where') !== undefined && str(values, 'group') !== undefined) {
      throw new UsageError('--where does not combine with --group: a group read takes every entry it reads from the workers, printed or not');
    }
    const filter = whereFilter(values);
    const stats = new FilterStats();
    const rules = maskRulesOption(values);
    const transport = await ctx.connect();
    const done = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    let seen = 0;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const emit = (where: string, raw: string, extra: Record<string, unknown> = {}) => {
      if (count !== undefined && seen >= count) return;
      if (filter && !stats.add(filter.evaluate(parseOrUndefined(raw), { _id: extra.id as string | undefined, _stream: where }))) return;
      seen++;
      printEvent(ctx, where, masked(raw, rules), extra);
      if (count !== undefined && seen >= count) finish();
    };
    if (stream) {
      // Read to the end (a blocking read returns within a second of Ctrl+C), so what it printed is acked or noted
      // before the connection closes.
      const left = () => (ctx.signal.aborted ? 0 : count === undefined ? Number.POSITIVE_INFINITY : count - seen);
      await readStream(ctx, transport, stream, values, emit, left).catch((e) => ctx.out.note(`ucore: ${(e as Error).message}`));
      noteFilter(ctx, stats, filter !== undefined);
      return 0;
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
    noteFilter(ctx, stats, filter !== undefined);
    return 0;
  },
};

function parseOrUndefined(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function noteFilter(ctx: CliContext, stats: FilterStats, on: boolean): void {
  if (!on) return;
  ctx.out.note(`--where: ${stats.matched} of ${stats.evaluated} event${stats.evaluated === 1 ? '' : 's'} matched`);
  const errors = stats.summary();
  if (errors) ctx.out.note(safeText(errors, 600));
}

function printEvent(ctx: CliContext, where: string, raw: string, extra: Record<string, unknown>) {
  const r = readEvent(raw);
  if (ctx.out.json) {
    ctx.out.record(r.ok ? { channel: where, ...extra, event: new RawJson(raw) } : { channel: where, ...extra, error: r.error.message, raw: raw.slice(0, 1000) }, '');
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
  emit: (where: string, raw: string, extra?: Record<string, unknown>) => void, left: () => number,
) {
  const stop = () => left() <= 0;
  const group = values.group as string | undefined;
  const consumer = values.consumer as string | undefined;
  const entryText = (e: StreamEntry) => e.fields.event ?? JSON.stringify(e.fields);
  if (group && consumer) {
    try {
      await transport.xgroupCreate(stream, group, values['from-start'] ? '0' : '$', { mkStream: true });
    } catch (e) {
      if (!/BUSYGROUP/.test((e as Error).message)) throw e;
    }
    const ack = values.ack === true;
    ctx.out.note(`reading ${safeText(stream)} as ${safeText(group)}/${safeText(consumer)}${ack ? ', acknowledging what it prints' : ''} (Ctrl+C to stop)`);
    // Every entry XREADGROUP hands out is pending on this consumer until acked: ask for no more than will be printed,
    // so a look at a real group takes no work away from its workers beyond what it shows.
    const pending: string[] = [];
    try {
      while (!stop()) {
        const batches = await transport.xreadgroup({ group, consumer, streams: [{ key: stream, id: '>' }], count: Math.min(100, left()), blockMs: 1000 });
        for (const b of batches ?? []) {
          const ids: string[] = [];
          for (const e of b.entries) {
            emit(stream, entryText(e), { id: e.id });
            ids.push(e.id);
          }
          if (ack && ids.length) await transport.xack(stream, group, ids);
          else pending.push(...ids);
        }
      }
    } finally {
      if (pending.length) ctx.out.note(pendingNote(stream, group, consumer, pending));
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

/** What a group read without --ack leaves behind, and how to acknowledge it. */
function pendingNote(stream: string, group: string, consumer: string, ids: string[]): string {
  const n = ids.length;
  const shown = n <= 10 ? ids.join(' ') : `${ids.slice(0, 10).join(' ')} … (the ${n} ids printed)`;
  return `${n} entr${n === 1 ? 'y' : 'ies'} printed ${n === 1 ? 'is' : 'are'} now pending on ${safeText(group)}/${safeText(consumer)} (read, not acknowledged): ` +
    `acknowledge with XACK ${safeText(stream)} ${safeText(group)} ${shown}, or read with --ack`;
}

/** The payload with the masking rules applied when it is JSON (a payload that is not JSON has no fields to mask). */
function masked(raw: string, rules: readonly MaskRule[]): string {
  if (rules.length === 0) return raw;
  const parsed = parseJson(raw);
  return parsed.ok ? maskEventText(raw, parsed.value, rules).text : raw;
}

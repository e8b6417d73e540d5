// `ucore trace --entity ID`: every event of one entity in time order, from the store and the other streams that
// hold it, with the time between steps and, for stream entries, what each consumer group did with them.
import { describeDelivery, describeDuration, EventStore, traceEntity } from '../../core/index';
import { type CliCommand, int, str, UsageError } from '../command';
import { RawJson, safeText } from '../output';
import { keyOptions, keyPathsFrom } from './flows';

export const traceCommand: CliCommand = {
  name: 'trace',
  usage: 'ucore trace --entity ID [--key data.order_id] [--max-scan 100000] [--store-key event_store]',
  summary: 'the timeline of one entity: its events from the store and other streams, time between steps, and which consumer groups have it pending or acked',
  options: { entity: { type: 'string' }, ...keyOptions, 'max-scan': { type: 'string' }, 'max-steps': { type: 'string' } },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    const entity = str(values, 'entity');
    if (!entity) throw new UsageError('give the entity with --entity, e.g. --entity order:42 (or --entity 789 --key data.order_id)');
    const t = await ctx.connect();
    const store = new EventStore(t, { streamKey: str(values, 'store-key') });
    const trace = await traceEntity(t, store, entity, {
      keyPaths: keyPathsFrom(values),
      maxScan: int(values, 'max-scan', { min: 1, max: 100_000_000 }),
      maxSteps: int(values, 'max-steps', { min: 1, max: 100_000 }),
      signal: ctx.signal,
    });
    if (ctx.out.json) {
      ctx.out.record({ record: 'trace', entity: trace.entity, events: trace.steps.length, streams: trace.streams, truncated: trace.truncated }, '');
      for (const s of trace.steps) {
        ctx.out.record({
          record: 'step', at: new Date(s.at).toISOString(), sincePreviousMs: s.sincePreviousMs, eventType: s.eventType, eventId: s.eventId,
          stream: s.via.name, id: s.id, deliveries: s.deliveries,
          ...(s.rawCut ? { rawPreview: s.raw.slice(0, 2000), rawCut: true } : { event: new RawJson(s.raw) }),
        }, '');
      }
      return trace.steps.length ? 0 : 1;
    }
    if (trace.steps.length === 0) {
      ctx.out.line(`No events of ${safeText(entity, 80)}${keyPathsFrom(values).length ? '' : ' (events that name it only in their data need --key, e.g. --key data.order_id)'}`);
      return 1;
    }
    const where = trace.streams.map((s) => `${safeText(s.stream, 60)} (${s.count})`).join(', ');
    ctx.out.line(`${safeText(entity, 80)}: ${trace.steps.length} event${trace.steps.length === 1 ? '' : 's'} in ${where}${trace.truncated ? ' (bounded: older events may be missing)' : ''}`);
    for (const s of trace.steps) {
      const gap = s.sincePreviousMs === null ? '' : `+${describeDuration(s.sincePreviousMs)}`;
      ctx.out.line(`  ${new Date(s.at).toISOString()}  ${gap.padEnd(10)} ${safeText(s.eventType, 60).padEnd(20)} ${safeText(s.via.name, 60)} ${s.id ?? ''}`);
      for (const d of s.deliveries) ctx.out.line(`      ${safeText(describeDelivery(d), 200)}`);
    }
    return 0;
  },
};

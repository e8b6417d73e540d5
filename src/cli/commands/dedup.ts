import { Deduplicator, fingerprint } from '../../core/dedup';
import { parseJson } from '../../core/envelope/envelope';
import { BadInputError } from '../../core/errors';
import { type CliCommand, int } from '../command';

export const dedupCheckCommand: CliCommand = {
  name: 'dedup check',
  usage: 'ucore dedup check <json> [--ttl 3600] [--offline]',
  summary: "print the event's fingerprint (the guide's) and whether it was seen before; checking marks it as seen",
  options: { ttl: { type: 'string' }, offline: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx, [json], values) {
    const parsed = parseJson(json);
    if (!parsed.ok) throw new BadInputError(parsed.error.message);
    const event = parsed.value;
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new BadInputError('an event must be a JSON object');
    const fp = fingerprint(event as Record<string, unknown>);
    if (values.offline) {
      ctx.out.record({ fingerprint: fp }, fp);
      return 0;
    }
    const ttl = int(values, 'ttl', { min: 1 }) ?? 3600;
    const dedup = new Deduplicator(await ctx.connect(), { ttlSeconds: ttl });
    const duplicate = await dedup.isDuplicate(event as Record<string, unknown>);
    ctx.out.record({ fingerprint: fp, key: dedup.key(event as Record<string, unknown>), duplicate },
      `${fp}  ${duplicate ? 'duplicate (seen within the last ' + ttl + ' s)' : `new (now marked as seen for ${ttl} s)`}`);
    return 0;
  },
};

import { Deduplicator, fingerprintJson } from '../../core/index';
import { type CliCommand, int } from '../command';

export const dedupCheckCommand: CliCommand = {
  name: 'dedup check',
  usage: 'ucore dedup check <json> [--ttl 3600] [--offline]',
  summary: "print the event's fingerprint (the guide's) and whether it was seen before; checking marks it as seen",
  options: { ttl: { type: 'string' }, offline: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx, [json], values) {
    // From the text as given, numbers as written (12.0 stays a float, big ints exact): equal to Python's
    // generate_fingerprint on json.loads of the same text. Not JSON, or not an object: a typed error.
    const fp = fingerprintJson(json);
    if (values.offline) {
      ctx.out.record({ fingerprint: fp }, fp);
      return 0;
    }
    const ttl = int(values, 'ttl', { min: 1 }) ?? 3600;
    const dedup = new Deduplicator(await ctx.connect(), { ttlSeconds: ttl });
    const { duplicate, key } = await dedup.check(json);
    ctx.out.record({ fingerprint: fp, key, duplicate },
      `${fp}  ${duplicate ? 'duplicate (seen within the last ' + ttl + ' s)' : `new (now marked as seen for ${ttl} s)`}`);
    return 0;
  },
};

import { EventStore } from '../../core/store/event-store';
import { readNdjson } from '../../core/capture/ndjson';
import { toJson } from '../../core/adapter';
import { parseJson } from '../../core/envelope/envelope';
import { BadInputError } from '../../core/errors';
import { type CliCommand, str, UsageError } from '../command';

const BATCH = 500;

export const publishCommand: CliCommand = {
  name: 'publish',
  usage: 'ucore publish <channel> (<json> | --file events.ndjson) [--store] [--shard]',
  summary: 'publish a JSON event (or every line of an NDJSON file) to a channel (--shard: a shard channel, SPUBLISH); --store also appends to the event store',
  options: { file: { type: 'string', short: 'f' }, store: { type: 'boolean' }, 'store-key': { type: 'string' }, shard: { type: 'boolean' } },
  positionals: [1, 2],
  async run(ctx, [channel, json], values) {
    const file = str(values, 'file');
    if (!file && json === undefined) throw new UsageError('give the event as JSON or --file');
    if (file && json !== undefined) throw new UsageError('give either JSON or --file, not both');
    const transport = await ctx.connect();
    const store = values.store ? new EventStore(transport, { streamKey: str(values, 'store-key'), publishChannel: null }) : null;
    let sent = 0;
    let receivers = 0;
    const flush = async (batch: unknown[]) => {
      if (batch.length === 0) return;
      // Stored first, so an event that reached subscribers is also in the store.
      if (store) await store.appendBatch(batch as Record<string, unknown>[], { publish: false });
      const counts = values.shard
        ? await Promise.all(batch.map((v) => transport.spublish(channel, toJson(v))))
        : await transport.publishBatch(batch.map((v) => [channel, toJson(v)] as const));
      sent += batch.length;
      receivers += counts.reduce((a, b) => a + b, 0);
    };
    if (json !== undefined) {
      const parsed = parseJson(json);
      if (!parsed.ok) throw new BadInputError(parsed.error.message);
      await flush([parsed.value]);
      ctx.out.record({ channel, published: 1, receivers }, `published to ${channel} (${receivers} receiver${receivers === 1 ? '' : 's'})${store ? ', stored' : ''}`);
      return 0;
    }
    let batch: unknown[] = [];
    let bad = 0;
    for await (const row of readNdjson(file!)) {
      if (ctx.signal.aborted) break;
      if (row.error !== undefined) {
        bad++;
        ctx.out.note(`line ${row.line}: ${row.error}`);
        continue;
      }
      batch.push(row.value);
      if (batch.length >= BATCH) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
    ctx.out.record({ channel, published: sent, receivers, badLines: bad }, `published ${sent} event${sent === 1 ? '' : 's'} to ${channel}${store ? ' and the store' : ''}${bad ? `; ${bad} bad line${bad === 1 ? '' : 's'} skipped` : ''}`);
    return bad ? 1 : 0;
  },
};

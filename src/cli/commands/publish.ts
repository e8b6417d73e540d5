import {
  EventStore,
  readNdjsonCheckedText,
  EventText,
  parseJson,
  BadInputError,
  isTransientStoreError,
  abortableSleep,
} from '../../core/index';
import { type CliCommand, str, UsageError } from '../command';
import { appendFile, RESUME_USAGE, resumeOptions, resumeSettings } from '../file-appender';
import { isEventsFilePath, publishEventsFile } from './publish-events';

/** Lines per publishBatch (a few script calls, see redis-publish-batch.ts). */
const BATCH = 1000;

export const publishCommand: CliCommand = {
  name: 'publish',
  usage: `ucore publish <channel> (<json> | --file events.ndjson) [--store ${RESUME_USAGE}] [--shard]\nucore publish FILE.events [--dry-run] [--store-key KEY]`,
  summary: 'publish a JSON event (or every line of an NDJSON file) to a channel (--shard: a shard channel, SPUBLISH); --store also appends to the event store, each line exactly once. '
    + 'A .events file sends every block to its ### channel / shard / stream, placeholders expanded, in file order; --dry-run prints what would be sent',
  options: { file: { type: 'string', short: 'f' }, store: { type: 'boolean' }, 'store-key': { type: 'string' }, shard: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, ...resumeOptions },
  positionals: [1, 2],
  async run(ctx, [channel, json], values) {
    const file = str(values, 'file');
    // A single `.events` argument is a file, not a channel: that form needed JSON or --file before, so nothing changes.
    if (json === undefined && !file && isEventsFilePath(channel)) {
      const other = ['store', 'shard', ...Object.keys(resumeOptions)].find((o) => values[o] !== undefined);
      if (other) throw new UsageError(`--${other} does not apply to a .events file: each block names its own target`);
      return publishEventsFile(ctx, channel, { dryRun: values['dry-run'] === true, storeKey: str(values, 'store-key') });
    }
    if (values['dry-run']) throw new UsageError('--dry-run applies to a .events file');
    if (!file && json === undefined) throw new UsageError('give the event as JSON or --file');
    if (file && json !== undefined) throw new UsageError('give either JSON or --file, not both');
    const resume = resumeSettings(values);
    const transport = await ctx.connect();
    const store = values.store ? new EventStore(transport, { streamKey: str(values, 'store-key'), publishChannel: null, producerId: resume.producerId }) : null;
    let sent = 0;
    let receivers = 0;
    // Messages go out as the text was written (`12.0` stays `12.0`), as Python's publish_json would send them.
    const publish = async (batch: string[]) => {
      // Published after it is stored, so an event that reached subscribers is also in the store. A lost reply here
      // is sent again within --retry-for: subscribers may then see a message twice, the store never holds it twice.
      const counts = await retrying(resume.retryForMs, ctx.signal, (t) => ctx.out.note(`publishing: ${t}`), () => (values.shard
        ? Promise.all(batch.map((text) => transport.spublish(channel, text)))
        : transport.publishBatch(batch.map((text) => [channel, text] as const))));
      sent += batch.length;
      receivers += counts.reduce((a, b) => a + b, 0);
    };
    if (json !== undefined) {
      const parsed = parseJson(json);
      if (!parsed.ok) throw new BadInputError(parsed.error.message);
      if (store) await store.appendBatch([new EventText(json, parsed.value)], { publish: false, retryForMs: resume.retryForMs, signal: ctx.signal });
      await publish([json.trim()]);
      ctx.out.record({ channel, published: 1, receivers }, `published to ${channel} (${receivers} receiver${receivers === 1 ? '' : 's'})${store ? ', stored' : ''}`);
      return 0;
    }
    let bad = 0;
    if (store) {
      const r = await appendFile(file!, store, resume, ctx.signal, (t) => ctx.out.note(t), async (rows, storeBatch) => {
        const events = rows.map((row) => row.event);
        await storeBatch(events);
        await publish(events.map((e) => e.text.trim()));
      });
      bad = r.badLines;
    } else {
      let batch: string[] = [];
      // The next lines are read while the previous batch is published: one batch in flight, in file order.
      let publishing: Promise<void> | undefined;
      for await (const rows of readNdjsonCheckedText(file!)) {
        if (ctx.signal.aborted) break;
        for (const row of rows) {
          if (row.error !== undefined) {
            bad++;
            ctx.out.note(row.error);
            continue;
          }
          batch.push(row.text!.trim());
          if (batch.length >= BATCH) {
            await publishing;
            publishing = publish(batch);
            // Awaited before the next batch or at the end; until then a failure must not count as unhandled.
            publishing.catch(() => undefined);
            batch = [];
          }
        }
      }
      await publishing;
      if (batch.length) await publish(batch);
    }
    ctx.out.record({ channel, published: sent, receivers, badLines: bad }, `published ${sent} event${sent === 1 ? '' : 's'} to ${channel}${store ? ' and the store' : ''}${bad ? `; ${bad} bad line${bad === 1 ? '' : 's'} skipped` : ''}`);
    return bad ? 1 : 0;
  },
};

/** Runs `fn` again after transient failures (a restart, a failover) until `forMs` has passed since the first. */
async function retrying<T>(forMs: number, signal: AbortSignal, note: (text: string) => void, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isTransientStoreError(e) || Date.now() >= deadline) throw e;
      const delayMs = Math.min(1000, 50 * 2 ** Math.min(attempt, 5), deadline - Date.now());
      // As the store's retries say so (file-appender.ts): the first, then every tenth.
      if (attempt === 1 || attempt % 10 === 0) note(`${(e as Error).message}; retrying (attempt ${attempt}, next in ${delayMs} ms)`);
      await abortableSleep(delayMs, signal);
    }
  }
}

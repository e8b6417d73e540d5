// The embedded (in-process) transport against Redis for the same operations through the same core API: publish
// (with a subscriber receiving), store append, entity query, replay. Reported, no goal: it shows what the
// zero-setup default connection costs or saves. Ratio > 1: embedded is faster.
import { EventAdapter } from '../../src/core/adapter';
import { replay } from '../../src/core/replay/replay';
import { EventStore } from '../../src/core/store/event-store';
import { EmbeddedServer } from '../../src/core/transport/embedded/server';
import { EmbeddedTransport } from '../../src/core/transport/embedded/transport';
import { RedisTransport } from '../../src/core/transport/redis';
import type { Transport } from '../../src/core/transport/types';
import type { BenchContext } from '../lib/context';
import { benchEvent, channelOf } from '../lib/events';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';

const BATCH = 1000;

export async function embeddedCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 20_000 : 100_000;
  const server = new EmbeddedServer({ name: 'bench' });
  const emb = new EmbeddedTransport({ server });
  const embSub = new EmbeddedTransport({ server });
  const redis = ctx.transport;
  const redisSub = new RedisTransport({ url: ctx.server.url, commandTimeoutMs: 120_000 });
  await Promise.all([emb.connect(), embSub.connect(), redisSub.connect()]);
  const reset = async () => { server.flushAll(); await ctx.flush(); };
  const results: CaseResult[] = [];
  const pair = (id: string, title: string, run: (t: Transport) => Promise<number>, o: { count?: number; size?: string; warm?: boolean; reset?: boolean; repeats?: number } = {}) =>
    measurePairs({
      runs: ctx.runs,
      redisPid: ctx.redisPid,
      repeats: { baseline: o.repeats ?? 1, ours: o.repeats ?? 1 },
      reset: o.reset === false ? undefined : reset,
      warmup: o.warm === false ? undefined : async () => { await run(redis); await run(emb); },
      baseline: () => run(redis),
      ours: () => run(emb),
    }).then((times) => {
      results.push(caseResult({ id, title, times, count: o.count, size: o.size, baselineLabel: 'the same on Redis' }));
    });

  // ---- publish with one subscriber receiving everything
  let received = 0;
  for (const s of [embSub, redisSub]) {
    s.onMessage(() => { received++; });
    await s.psubscribe(['*']);
  }
  await pair('embedded-publish', 'embedded: publishJsonBatch, one subscriber', (t) => timed(async () => {
    const adapter = new EventAdapter(t);
    const from = received;
    for (let i = 0; i < n; i += BATCH) {
      const items: Array<[string, unknown]> = [];
      for (let j = i; j < i + BATCH; j++) items.push([channelOf(j), benchEvent(j)]);
      await adapter.publishJsonBatch(items);
    }
    while (received - from < n) await new Promise((r) => setTimeout(r, 1));
  }), { count: n });
  for (const s of [embSub, redisSub]) await s.punsubscribe(['*']);

  // ---- store append (indexes, publish on `events`)
  await pair('embedded-append', 'embedded: store append', (t) => timed(async () => {
    const store = new EventStore(t);
    for (let i = 0; i < n; i += BATCH) {
      const events = [];
      for (let j = i; j < i + BATCH; j++) events.push(benchEvent(j));
      await store.appendBatch(events);
    }
  }), { count: n });

  // ---- entity query: a store of n events over n/1000 entities, one entity's 1000 events
  await reset();
  for (const t of [redis, emb]) {
    const store = new EventStore(t, { publishChannel: null });
    for (let i = 0; i < n; i += 5000) {
      const events = [];
      for (let j = i; j < i + 5000; j++) events.push(benchEvent(j, n / 1000));
      await store.appendBatch(events);
    }
  }
  await pair('embedded-entity-query', 'embedded: entity query (time per query)', (t) => timed(async () => {
    const store = new EventStore(t, { publishChannel: null });
    for (let k = 0; k < 5; k++) {
      const got = await store.getByEntity('order-7', { limit: 100_000 });
      if (got.length !== 1000) throw new Error(`entity query: ${got.length}`);
    }
  }).then((ms) => ms / 5), { size: `${n.toLocaleString('en-US')} events; one entity's 1,000`, reset: false, repeats: 5 });

  // ---- replay of the store's stream to another stream
  await pair('embedded-replay', 'embedded: replay stream → stream', (t) => timed(async () => {
    await t.del(['bench:replay:dst']);
    const r = await replay(t, { stream: 'event_store', indexed: false }, { kind: 'stream', stream: 'bench:replay:dst' });
    if (r.sent !== n) throw new Error(`replay sent ${r.sent}`);
  }), { count: n, reset: false });

  await Promise.all([emb.close(), embSub.close(), redisSub.close()]);
  server.flushAll();
  await ctx.flush();
  return results;
}

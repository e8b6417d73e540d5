// Entity query on a big store written the guide's way (`XADD event_store * event <json>`, no index, as another app
// does): first the time our store takes to index it (EventStore.catchUpIndexes), then ours reads the entity's index
// stream (cost grows with that entity's events); the guide's get_events_for_entity reads the whole stream and
// filters. Also shows the growth: a probe entity with a fixed number of events is queried while the store is a tenth
// of its size and again when it is full (each time after indexing what was appended since).
import { Worker } from 'node:worker_threads';
import { EventStore } from '../../src/core/store/event-store';
import type { BenchContext } from '../lib/context';
import { benchEvent } from '../lib/events';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, figure, type CaseResult } from '../lib/report';

const STREAM = 'event_store';
const LOAD_CHUNK = 5000;
const GUIDE_PAGE = 10_000;
/** Our query is timed as the mean of this many back-to-back queries (one takes a few ms: too short to time alone). */
const OURS_REPEAT = 20;

/** The guide's query in a worker: answers each entity it is sent with the time it took, then collects its garbage. */
const GUIDE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Redis = require(workerData.ioredis);
const redis = new Redis({ host: '127.0.0.1', port: workerData.port });
parentPort.on('message', async (entity) => {
  try {
    const started = performance.now();
    let all = await redis.xrange(workerData.stream, '-', '+');
    const rss = process.memoryUsage().rss;
    const events = all.filter(([, fields]) => JSON.parse(fields[1]).entity_id === entity).map(([, fields]) => JSON.parse(fields[1]));
    const ms = performance.now() - started;
    all = null;
    if (typeof gc === 'function') gc();
    parentPort.postMessage({ ms, count: events.length, rss });
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
});
`;

export async function entityQueryCase(ctx: BenchContext): Promise<CaseResult[]> {
  const total = ctx.quick ? 100_000 : 1_000_000;
  const entities = 1000;
  const perEntity = total / entities;
  const probeEvents = 1000;
  const early = total / 10; // the probe's events all land in the first tenth of the store
  await ctx.flush();
  const store = new EventStore(ctx.transport, { publishChannel: null });

  // ---- load: `total` events round-robin over `entities`, plus the probe's events spread over the first tenth
  const loadStarted = performance.now();
  let probeLeft = probeEvents;
  const every = Math.floor(early / probeEvents);
  const load = async (from: number, to: number) => {
    for (let i = from; i < to; i += LOAD_CHUNK) {
      const events = [];
      for (let j = i; j < Math.min(to, i + LOAD_CHUNK); j++) {
        events.push(benchEvent(j, entities));
        if (probeLeft > 0 && j % every === 0) {
          probeLeft--;
          events.push({ ...benchEvent(j, entities), entity_id: 'probe' });
        }
      }
      // As a guide-style app writes: one XADD per event, no index (pipelined, so loading is quick).
      const p = ctx.raw.pipeline();
      for (const e of events) p.xadd(STREAM, '*', 'event', JSON.stringify(e));
      await p.exec();
    }
  };
  const indexTimes: Array<{ events: number; ms: number }> = [];
  const catchUp = async () => {
    const t = performance.now();
    const r = await store.catchUpIndexes();
    indexTimes.push({ events: r.indexed + r.malformed + r.without, ms: performance.now() - t });
  };
  const ourQuery = async (entity: string, expect: number) => {
    // Two untimed queries first: right after the guide's 1.4 GB read, the first ones pay for cold caches.
    for (let k = 0; k < 2; k++) await store.getByEntity(entity, { limit: 100_000 });
    const t = performance.now();
    for (let k = 0; k < OURS_REPEAT; k++) {
      const got = await store.getByEntity(entity, { limit: 100_000 });
      if (got.length !== expect) throw new Error(`ours: ${entity} has ${got.length} events, expected ${expect}`);
    }
    return (performance.now() - t) / OURS_REPEAT;
  };
  const regular = 'order-17';

  await load(0, early);
  await catchUp();
  const smallStore = await ctx.raw.xlen(STREAM);
  await ourQuery('probe', probeEvents); // warm-up
  const probeSmall: number[] = [];
  const regularSmall: number[] = [];
  for (let r = 0; r < ctx.runs; r++) {
    probeSmall.push(await ourQuery('probe', probeEvents));
    regularSmall.push(await ourQuery(regular, early / entities));
  }
  await load(early, total);
  await catchUp();
  const loadMs = performance.now() - loadStarted;
  const indexed = indexTimes.reduce((a, x) => a + x.events, 0);
  const indexMs = indexTimes.reduce((a, x) => a + x.ms, 0);
  ctx.log(`entity query: indexed ${indexed.toLocaleString('en-US')} guide-written events in ${(indexMs / 1000).toFixed(1)} s`);
  const fullStore = await ctx.raw.xlen(STREAM);
  const usedMemory = Number(/used_memory:(\d+)/.exec(await ctx.raw.info('memory'))?.[1]);
  ctx.log(`entity query: loaded ${fullStore.toLocaleString('en-US')} events in ${(loadMs / 1000).toFixed(1)} s`);

  // ---- the guide's get_events_for_entity, as written: one XRANGE of the whole stream, json.loads of every event to
  // compare entity_id, and json.loads again of each match to return it. In a worker thread (its own heap, its own
  // client), timed there: its gigabyte of garbage would otherwise slow down whatever this thread runs next.
  const guideWorker = new Worker(GUIDE_WORKER, { eval: true, workerData: { port: ctx.server.port, stream: STREAM, ioredis: require.resolve('ioredis') } });
  let guidePeakRss = 0;
  const guide = (entity: string) => new Promise<number>((resolve, reject) => {
    guideWorker.once('message', (m: { ms: number; count: number; rss: number; error?: string }) => {
      if (m.error) return reject(new Error(`guide: ${m.error}`));
      if (m.count !== perEntity) return reject(new Error(`guide: ${entity} has ${m.count} events`));
      guidePeakRss = Math.max(guidePeakRss, m.rss);
      resolve(m.ms);
    });
    guideWorker.postMessage(entity);
  });
  // ---- the same, paged so memory stays flat, each event parsed once: a stricter baseline than the guide's
  const paged = (entity: string) => timed(async () => {
    const out: unknown[] = [];
    let start = '-';
    for (;;) {
      const page = (await ctx.raw.xrange(STREAM, start, '+', 'COUNT', GUIDE_PAGE)) as Array<[string, string[]]>;
      for (const [, fields] of page) {
        const event = JSON.parse(fields[1]);
        if (event.entity_id === entity) out.push(event);
      }
      if (page.length < GUIDE_PAGE) break;
      start = `(${page[page.length - 1][0]}`;
    }
    if (out.length !== perEntity) throw new Error(`paged guide: ${entity} has ${out.length} events`);
  });

  const ours = () => ourQuery(regular, perEntity);
  // A second's pause before each side: after the guide's read, Redis frees a 330 MB reply and the worker a gigabyte.
  const common = { runs: ctx.runs, redisPid: ctx.redisPid, repeats: { ours: OURS_REPEAT }, settleMs: ctx.quick ? 200 : 1000, ours };
  const times = await measurePairs({ ...common, baseline: () => guide(regular) });
  const pagedTimes = await measurePairs({ ...common, baseline: () => paged(regular) });
  await guideWorker.terminate();
  const probeFull: number[] = [];
  for (let r = 0; r < ctx.runs; r++) probeFull.push(await ourQuery('probe', probeEvents));
  const growth = figure(probeSmall.map((t, i) => t / probeFull[i]));

  const n = (x: number) => x.toLocaleString('en-US');
  const size = `store of ${n(fullStore)} events over ${n(entities)} entities; one entity's ${n(perEntity)}`;
  const oursNote = `ours: EventStore.getByEntity, every event parsed: the entity's index stream holds copies of its events, read with one XRANGE (XINFO in the same round trip checks that none was deleted since), after a catch-up call that finds nothing new to index; per run, the mean of ${OURS_REPEAT} queries after 2 untimed ones`;
  const indexNote = `the store was written as another app writes it (XADD event_store * event <json>, no index); our store indexed its ${n(indexed)} events in ${(indexMs / 1000).toFixed(1)} s (${n(Math.round(indexed / (indexMs / 1000)))} events/s, in script calls of 1,000 entries)`;
  return [
    caseResult({
      id: 'entity-query', title: 'entity query (time per query)', size, times,
      baselineLabel: 'the guide: XRANGE everything, parse, filter',
      // The goal is set for the full size (1M events); a quick run's 100 events per entity mostly time round trips.
      goal: ctx.quick ? undefined : 1000, goalText: '≥ 1000× faster',
      notes: [
        oursNote,
        indexNote,
        `Redis memory with the store loaded: ${Math.round(usedMemory / 2 ** 20)} MiB (${Math.round(usedMemory / fullStore)} bytes per event: the stream, the entity index's copy, the type index's pointer)`,
        `the guide's get_events_for_entity as written: one XRANGE of the whole stream (peak RSS of this process ${Math.round(guidePeakRss / 2 ** 20)} MiB), json.loads of every event, again of each match; run in a worker thread so its garbage does not slow down our side`,
      ],
      extra: { loadSeconds: Math.round(loadMs / 100) / 10, indexSeconds: Math.round(indexMs / 100) / 10, indexedPerSecond: Math.round(indexed / (indexMs / 1000)), guidePeakRssBytes: guidePeakRss, redisUsedMemoryBytes: usedMemory },
    }),
    caseResult({
      id: 'entity-query-paged', title: 'entity query vs a paged full scan', size, times: pagedTimes,
      baselineLabel: `XRANGE pages of ${n(GUIDE_PAGE)}, parse once, filter`,
      notes: ['a stricter baseline than the guide: the full scan done well (flat memory, each event parsed once)'],
    }),
    {
      id: 'entity-query-growth',
      title: 'entity query, same entity, store 10× bigger',
      size: `probe entity of ${n(probeEvents)} events: store of ${n(smallStore)} → ${n(fullStore)}`,
      unit: 'ms',
      ours: figure(probeFull),
      baseline: { label: `the same query on the store of ${n(smallStore)}`, ...figure(probeSmall) },
      ratio: growth,
      goal: { text: 'cost grows with the entity\'s events only (≈ 1×)', ratioAtLeast: 0.5 },
      met: growth.median >= 0.5,
      notes: [
        `same entity, store ${Math.round(fullStore / smallStore)}× bigger: ${probeFull.map((t, i) => (t / probeSmall[i]).toFixed(2)).join(', ')}× the time`,
        `a regular entity: ${n(early / entities)} events (store of ${n(smallStore)}) ${figure(regularSmall).median.toFixed(2)} ms, ${n(perEntity)} events (store of ${n(fullStore)}) ${figure(times.oursMs).median.toFixed(2)} ms`,
      ],
      extra: { probeSmallMs: figure(probeSmall), probeFullMs: figure(probeFull), regularSmallMs: figure(regularSmall), regularFullMs: figure(times.oursMs) },
    },
  ];
}

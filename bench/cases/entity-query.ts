// Entity query on a big store: ours reads the entity's index stream (cost grows with that entity's events); the
// guide's get_events_for_entity reads the whole stream and filters. Also shows the growth: a probe entity with a
// fixed number of events is queried while the store is small and again when it is full.
import { EventStore } from '../../src/core/store/event-store';
import type { BenchContext } from '../lib/context';
import { benchEvent } from '../lib/events';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, figure, type CaseResult } from '../lib/report';

const STREAM = 'event_store';
const LOAD_CHUNK = 5000;
const GUIDE_PAGE = 10_000;
/** Our query is timed as the mean of this many back-to-back queries (one is a few ms: too short to time alone). */
const OURS_REPEAT = 5;

export async function entityQueryCase(ctx: BenchContext): Promise<CaseResult[]> {
  const total = ctx.quick ? 100_000 : 1_000_000;
  const entities = 1000;
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
      await store.appendBatch(events, { publish: false });
    }
  };
  await load(0, early);
  const regular = 'order-17';
  const ourQuery = async (entity: string, expect: number) => {
    const t = performance.now();
    for (let k = 0; k < OURS_REPEAT; k++) {
      const got = await store.getByEntity(entity, { limit: 100_000 });
      if (got.length !== expect) throw new Error(`ours: ${entity} has ${got.length} events, expected ${expect}`);
    }
    return (performance.now() - t) / OURS_REPEAT;
  };
  const smallStore = await ctx.raw.xlen(STREAM);
  const probeSmall: number[] = [];
  const regularSmall: number[] = [];
  for (let r = 0; r < ctx.runs; r++) {
    probeSmall.push(await ourQuery('probe', probeEvents));
    regularSmall.push(await ourQuery(regular, early / entities));
  }
  await load(early, total);
  const loadMs = performance.now() - loadStarted;
  const fullStore = await ctx.raw.xlen(STREAM);
  ctx.log(`entity query: loaded ${fullStore.toLocaleString('en-US')} events in ${(loadMs / 1000).toFixed(1)} s`);

  // ---- the guide's get_events_for_entity: XRANGE the whole stream (here in pages, to keep memory in check), parse, filter
  const guide = (entity: string) => timed(async () => {
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
    if (out.length !== total / entities) throw new Error(`guide: ${entity} has ${out.length} events`);
  });

  const times = await measurePairs({ runs: ctx.runs, redisPid: ctx.redisPid, baseline: () => guide(regular), ours: () => ourQuery(regular, total / entities) });
  const probeFull: number[] = [];
  for (let r = 0; r < ctx.runs; r++) probeFull.push(await ourQuery('probe', probeEvents));
  const growth = probeFull.map((t, i) => t / probeSmall[i]);

  const size = `${fullStore.toLocaleString('en-US')} events, ${entities} entities; query of one entity's ${(total / entities).toLocaleString('en-US')}`;
  return [
    caseResult({
      id: 'entity-query', title: 'entity query (time per query)', size, times, baselineLabel: 'guide: XRANGE everything, parse, filter',
      goal: 1000, goalText: '≥ 1000× faster',
      notes: [
        'ours: EventStore.getByEntity (the entity index stream, read by a Lua script), every event parsed',
        `guide: XRANGE in pages of ${GUIDE_PAGE.toLocaleString('en-US')} (the guide reads all in one reply), each event parsed once`,
      ],
      extra: { loadSeconds: Math.round(loadMs / 100) / 10 },
    }),
    {
      id: 'entity-query-growth',
      title: 'entity query cost vs store size (same entity)',
      size: `probe entity of ${probeEvents}: store ${smallStore.toLocaleString('en-US')} → ${fullStore.toLocaleString('en-US')} events`,
      unit: 'ms',
      ours: figure(probeFull),
      baseline: { label: `same query, store of ${smallStore.toLocaleString('en-US')}`, ...figure(probeSmall) },
      ratio: figure(probeSmall.map((t, i) => t / probeFull[i])),
      goal: { text: 'cost grows with the entity\'s events only (≈ 1×)', ratioAtLeast: 0.5 },
      met: figure(probeSmall.map((t, i) => t / probeFull[i])).median >= 0.5,
      notes: [
        `store ${Math.round(fullStore / smallStore)}× bigger, same entity: ${growth.map((g) => g.toFixed(2)).join(', ')}× the time`,
        `a regular entity with ${early / entities} events (store of ${smallStore.toLocaleString('en-US')}): ${figure(regularSmall).median.toFixed(2)} ms; with ${total / entities} (full store): ${figure(times.oursMs).median.toFixed(2)} ms`,
      ],
      extra: { probeSmallMs: figure(probeSmall), probeFullMs: figure(probeFull), regularSmallMs: figure(regularSmall), regularFullMs: figure(times.oursMs) },
    },
  ];
}

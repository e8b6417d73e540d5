// Flow mining (issue 15): the directly-follows graphs of a store of guide-written order events (`XADD event_store *
// event <json>`, the order only in data.order_id), read oldest first by mineStore into a FlowMiner, against the raw
// loop an app would write to look at every event (XRANGE pages of 1000 and JSON.parse of each). Goal: ≥ 200,000
// events/s, with memory bounded by the entities kept: heap is reported before, at its peak during, and after.
// 1,000,000 events in a full run (100,000 with --quick); orders outnumber the miner's entity cap, so it also shows
// the cap at work (forgotten entities are counted).
import { EventStore } from '../../src/core/store/event-store';
import { FlowMiner } from '../../src/core/flows/flow-miner';
import { mineStore } from '../../src/core/flows/mine-store';
import type { BenchContext } from '../lib/context';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, figure, type CaseResult } from '../lib/report';

const STREAM = 'bench:flows:store';
const FLOW = ['order_created', 'payment_processed', 'order_paid', 'order_shipped', 'order_delivered'];
const LOAD_CHUNK = 5000;
const PAGE = 1000;
/** The miner's entity cap in the bench (the default): fewer than the orders written, so the cap is exercised. */
const MAX_ENTITIES = 100_000;
const GOAL = 200_000;
const T0 = Date.UTC(2026, 0, 1);

/** Orders in progress at once: each takes its five steps while the next thousand wait. */
const WINDOW = 1000;

/**
 * Event j: a thousand orders at a time take the flow's steps in turn (as a shop's orders overlap); one in fifty stops
 * at payment_processed (stuck): its later events name no order.
 */
function guideEvent(j: number): string {
  const round = Math.floor(j / (WINDOW * FLOW.length));
  const order = round * WINDOW + (j % WINDOW);
  const step = Math.floor(j / WINDOW) % FLOW.length;
  const stops = order % 50 === 7 && step > 1;
  const at = new Date(T0 + j * 10).toISOString().replace('Z', '000');
  const data = stops ? { note: 'audit', total_price: 1 } : { order_id: order, total_price: 10 + (j % 9000) / 100 };
  return JSON.stringify({ event_id: `e${j}`, event_type: FLOW[step % FLOW.length], timestamp: at, user_id: 12345 + (order % 977), data });
}

async function load(ctx: BenchContext, n: number): Promise<void> {
  for (let i = 0; i < n; i += LOAD_CHUNK) {
    const p = ctx.raw.pipeline();
    for (let j = i; j < Math.min(n, i + LOAD_CHUNK); j++) p.xadd(STREAM, '*', 'event', guideEvent(j));
    await p.exec();
  }
}

function rawScan(ctx: BenchContext): Promise<number> {
  return timed(async () => {
    const read = (from: string) => ctx.raw.xrange(STREAM, from, '+', 'COUNT', PAGE) as Promise<Array<[string, string[]]>>;
    let next = read('-');
    let sink = 0;
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      if (page.length === PAGE) next = read(`(${page[page.length - 1][0]}`);
      for (const [, fields] of page) if ((JSON.parse(fields[1]) as { data?: { order_id?: number } }).data?.order_id !== undefined) sink++;
      if (page.length < PAGE) break;
    }
    if (sink < 0) throw new Error('unreachable');
  });
}

const heap = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

export async function flowsCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 100_000 : 1_000_000;
  const orders = n / FLOW.length; // twice the entity cap in a full run
  await ctx.flush();
  const loadStarted = performance.now();
  await load(ctx, n);
  ctx.log(`flows: loaded ${n.toLocaleString('en-US')} guide-written events in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
  const store = new EventStore(ctx.transport, { streamKey: STREAM, publishChannel: null });
  const heaps: Array<{ before: number; peak: number; after: number; kept: number }> = [];
  let last: FlowMiner | null = null;
  const ours = () => {
    const before = heap();
    let peak = before;
    const miner = new FlowMiner({ keyPaths: ['data.order_id'], maxEntities: MAX_ENTITIES });
    return timed(async () => {
      const r = await mineStore(store, miner, { maxEntries: n, pageSize: PAGE, onProgress: (p) => { if (p.read % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed); } });
      if (r.read !== n) throw new Error(`mined ${r.read} of ${n}`);
      miner.snapshot(); // the map itself is part of the work
    }).then((ms) => {
      const after = heap();
      heaps.push({ before, peak: Math.max(peak, after), after, kept: after - before });
      last = miner;
      return ms;
    });
  };
  const times = await measurePairs({
    runs: ctx.runs, slices: 1, redisPid: ctx.redisPid,
    warmup: async () => { await rawScan(ctx); },
    baseline: () => rawScan(ctx),
    ours: () => ours(),
  });
  const snap = (last as FlowMiner | null)?.snapshot();
  const order = snap?.kinds.find((k) => k.kind === 'order');
  const r = caseResult({
    id: 'flows-mine',
    title: 'Flow mining (directly-follows graph of a store)',
    times,
    baselineLabel: 'XRANGE + JSON.parse of every entry',
    count: n,
    notes: [
      `${n.toLocaleString('en-US')} guide-written events of ${orders.toLocaleString('en-US')} orders (key data.order_id); entity cap ${MAX_ENTITIES.toLocaleString('en-US')}`,
      `heap before ${mb(heaps.map((h) => h.before))}, peak ${mb(heaps.map((h) => h.peak))}, after (miner kept) ${mb(heaps.map((h) => h.after))}`,
      `graph: ${order?.nodes.length ?? 0} types, ${order?.edges.length ?? 0} steps; ${snap?.totals.evictedEntities.toLocaleString('en-US') ?? 0} entities forgotten to stay within the cap, ${snap?.stuck.length ?? 0} stuck listed`,
    ],
    extra: { heapBytes: heaps, orders, maxEntities: MAX_ENTITIES },
  });
  r.goal = { text: `≥ ${GOAL.toLocaleString('en-US')} events/s` };
  r.met = r.ours.median >= GOAL;
  const kept = figure(heaps.map((h) => h.kept), 0);
  await ctx.raw.del(STREAM);
  return [r, {
    id: 'flows-heap', title: 'Flow mining: heap kept by the miner', size: `${MAX_ENTITIES.toLocaleString('en-US')} entities kept`, unit: 'bytes',
    ours: kept, goal: { text: '< 256 MB', valueAtMost: 256 * 2 ** 20 }, met: kept.median < 256 * 2 ** 20, notes: ['heap after mining minus heap before, with the miner still referenced'],
  }];
}

function mb(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${(sorted[Math.floor(sorted.length / 2)]! / 2 ** 20).toFixed(0)} MB`;
}

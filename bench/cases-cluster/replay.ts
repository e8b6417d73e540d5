// Replay of the stored events to a stream, on one server and on the cluster, against the raw loop an app would
// write. Each deployment's store is loaded once with N events (on the cluster: 16 partitions over the masters),
// in N/slices groups with a millisecond gap between them, so a group is exactly the events in an id range; slice s
// of every side replays group s to the stream `replayed` (emptied first). Ours: core replay() of the store, which
// on the cluster reads every partition and merges them by id, in order per entity. Raw: XRANGE pages of 1000 of each
// partition in turn (the next page requested while the current one is sent), XADD of each page with auto-pipelining:
// the same reads and writes, without the merge.
import { replay } from '../../src/core/replay/replay';
import { EventStore } from '../../src/core/store/event-store';
import { MAX_SEQ } from '../../src/core/store/stream-ids';
import { benchEvent } from '../lib/events';
import { timed } from '../lib/pairs';
import { perSlice, type ClusterBenchContext } from './context';
import type { Deployment, RawClient } from './deployments';
import { clusterCaseResult, type ClusterCaseResult } from './report';
import { fourSides, measureSides } from './sides';

const TARGET = 'replayed';
const PAGE = 1000;
const LOAD_BATCH = 1000;

interface Loaded {
  /** The store's streams: `event_store`, or its 16 partitions. */
  streams: string[];
  /** Slice s is the id range [from, to]: `-`/`+` for the open ends. */
  ranges: Array<{ from: string; to: string }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Appends `n` events in `slices` groups; the ids of a group all lie in a millisecond range of its own. */
async function load(d: Deployment, n: number, slices: number): Promise<Loaded> {
  const store = new EventStore(d.transport, { publishChannel: null });
  const per = n / slices;
  const bounds: number[] = []; // first ms of groups 1…slices-1
  for (let s = 0; s < slices; s++) {
    let lastMs = 0;
    for (let i = s * per; i < (s + 1) * per; i += LOAD_BATCH) {
      const events = [];
      for (let j = i; j < Math.min((s + 1) * per, i + LOAD_BATCH); j++) events.push(benchEvent(j));
      for (const stored of await store.appendBatch(events)) lastMs = Math.max(lastMs, Number(stored.id.split('-')[0]));
    }
    if (s + 1 < slices) {
      // Redis gives a new entry the current ms (or its stream's last, if later): once the clock has passed lastMs + 1,
      // every later append gets an id at or after that ms, and every one so far is before it.
      while (Date.now() <= lastMs + 1) await sleep(1);
      bounds.push(lastMs + 1);
    }
  }
  const ranges = Array.from({ length: slices }, (_, s) => ({
    from: s === 0 ? '-' : `${bounds[s - 1]}-0`,
    to: s + 1 === slices ? '+' : `${bounds[s] - 1}-${MAX_SEQ}`,
  }));
  return { streams: store.partitionKeys(), ranges };
}

/** The raw replay of [from, to] of each stream in turn; returns the events sent. */
async function rawReplay(raw: RawClient, streams: string[], from: string, to: string): Promise<number> {
  let sent = 0;
  for (const stream of streams) {
    const read = (start: string) => raw.xrange(stream, start, to, 'COUNT', PAGE);
    let next = read(from);
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      if (page.length === PAGE) next = read(`(${page[page.length - 1][0]}`);
      const writes = page.map(([, fields]) => raw.xadd(TARGET, '*', 'event', fields[1]));
      await Promise.all(writes);
      sent += page.length;
      if (page.length < PAGE) break;
    }
  }
  return sent;
}

export async function replayCase(ctx: ClusterBenchContext): Promise<ClusterCaseResult[]> {
  const n = ctx.quick ? 12_000 : 100_000;
  const per = perSlice(ctx, n);
  const loaded = new Map<Deployment, Loaded>();
  for (const d of [ctx.single, ctx.cluster]) {
    await d.flush();
    const t = performance.now();
    loaded.set(d, await load(d, n, ctx.slices));
    ctx.log(`replay: loaded ${n.toLocaleString('en-US')} events on the ${d.name} deployment in ${((performance.now() - t) / 1000).toFixed(1)} s (${loaded.get(d)!.streams.length} stream(s))`);
  }

  const ours = (d: Deployment, s: number) => timed(async () => {
    const { from, to } = loaded.get(d)!.ranges[s];
    const selection = { stream: 'event_store', ...(from === '-' ? {} : { fromId: from }), ...(to === '+' ? {} : { toId: to }) };
    const r = await replay(d.transport, selection, { kind: 'stream', stream: TARGET });
    if (r.sent !== per) throw new Error(`replay on the ${d.name} deployment sent ${r.sent} of slice ${s}'s ${per} events`);
  });
  const raw = (d: Deployment, s: number) => timed(async () => {
    const { streams, ranges } = loaded.get(d)!;
    const sent = await rawReplay(d.raw, streams, ranges[s].from, ranges[s].to);
    if (sent !== per) throw new Error(`raw replay on the ${d.name} deployment sent ${sent} of slice ${s}'s ${per} events`);
  });

  const times = await measureSides({
    runs: ctx.runs,
    slices: ctx.slices,
    warmup: async () => {
      for (const d of [ctx.single, ctx.cluster]) { await raw(d, 0); await ours(d, 0); }
    },
    sides: fourSides(ctx, { ours, raw, reset: async (d) => { await d.raw.del(TARGET); } }),
  });
  await Promise.all([ctx.single.flush(), ctx.cluster.flush()]);
  return [clusterCaseResult({
    id: 'cluster-replay', title: 'replay store → stream', count: n, times,
    size: `${n.toLocaleString('en-US')} events`,
    notes: [`each run replays all ${n.toLocaleString('en-US')} stored events as ${ctx.slices} id ranges; ours: \`replay(transport, { stream: 'event_store', fromId, toId }, { kind: 'stream', stream: 'replayed' })\`, default options (pages of 1000 read ahead, pipelined sends of 1000; on the cluster the 16 partitions merged by id); raw: XRANGE pages of each partition in turn + XADD with auto-pipelining, no merge. The target stream lives on one master`],
  })];
}

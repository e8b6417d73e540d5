// One call for a whole flow map: the store's history in a time range (and, when asked, live traffic for a while),
// mined into directly-follows graphs, plus the services around them. What `ucore flows` prints and the extension's
// flow map draws.
import type { EventStore } from '../store/event-store';
import type { Transport } from '../transport/types';
import { FlowMiner, type FlowMinerOptions } from './flow-miner';
import type { FlowSnapshot } from './flow-types';
import { watchFlows } from './live-flows';
import { mineStore, type MineResult, type MineStoreOptions } from './mine-store';
import { collectServices, type FlowServices } from './services';
import { otherStreams } from './trace';

export interface FlowReportOptions extends FlowMinerOptions, Omit<MineStoreOptions, 'signal'> {
  /** Also listen to live traffic (PSUBSCRIBE *) for this long after reading the history (ms). @default 0 */
  listenMs?: number;
  /** Ask Redis about groups, subscribers and clients. @default true */
  services?: boolean;
  signal?: AbortSignal;
}

export interface FlowReport {
  flows: FlowSnapshot;
  history: MineResult;
  services: FlowServices | null;
}

export async function flowReport(transport: Transport, store: EventStore, options: FlowReportOptions = {}): Promise<FlowReport> {
  const miner = new FlowMiner(options);
  const history = await mineStore(store, miner, options);
  if (options.listenMs && options.listenMs > 0 && !options.signal?.aborted) {
    const live = await watchFlows(transport, miner);
    try {
      await sleep(options.listenMs, options.signal);
    } finally {
      live.dispose();
    }
  }
  const flows = miner.snapshot();
  const services = options.services === false ? null : await servicesAround(transport, store, flows, options.signal);
  return { flows, history, services };
}

/** The groups reading the store's and other streams, the subscribers of the channels the flows travelled, the clients. */
export async function servicesAround(transport: Transport, store: EventStore, flows: FlowSnapshot, signal?: AbortSignal): Promise<FlowServices> {
  const channels = new Map<string, boolean>();
  for (const k of flows.kinds) for (const n of k.nodes) for (const v of n.via) if (v.kind !== 'stream') channels.set(v.name, v.kind === 'shard');
  if (store.publishChannel) channels.set(store.publishChannel, false);
  // Channels somebody listens on now, though nothing in the history travelled there (history is the store's).
  for (const c of (await transport.pubsubChannels().catch(() => [] as string[])).slice(0, 200)) if (!channels.has(c)) channels.set(c, false);
  const storeStreams = store.readStreams();
  const streams = [...storeStreams, ...(await otherStreams(transport, new Set(storeStreams), 100, signal))];
  return collectServices(transport, { streams, channels: [...channels].map(([name, sharded]) => ({ name, sharded })) });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

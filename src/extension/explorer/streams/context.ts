// What the Streams view's rows need to list what is beneath them; the provider (streamsTree.ts) holds it.
import type { LagTrend, StuckConsumer, Transport } from '../../../core/index';
import type { SeekPosition } from './seekPageNode';

export interface StreamsContext {
  readonly transport: Transport;
  /** How many rows beneath the node with this id are shown now (a page, raised by each "Load more…"). */
  limitOf(id: string): number;
  /** Entries folder id → the id of the newest entry it lists (rows stay put while new entries arrive). */
  readonly anchors: Map<string, string>;
  /** Entries folder id → where Go to Time opened it (its page is shown oldest first from there). */
  readonly seeks: Map<string, Exclude<SeekPosition, null>>;
  /** Lag over time and stuck consumers (src/extension/lag/lagWatch.ts); absent in a view built without it. */
  readonly lag?: LagLookup;
}

/** What the group and consumer rows read of the lag watch. */
export interface LagLookup {
  /** The view lists the groups of `stream`: keep sampling it. */
  watch(stream: string): void;
  trend(stream: string, group: string): LagTrend | null;
  stuck(stream: string, group: string, consumer: string): StuckConsumer | undefined;
  stuckConsumers(stream: string, group: string): StuckConsumer[];
  readonly stuckAfterMs: number;
}

// What the Streams view's rows need to list what is beneath them; the provider (streamsTree.ts) holds it.
import type { Transport } from '../../../core/index';
import type { SeekPosition } from './seekPageNode';

export interface StreamsContext {
  readonly transport: Transport;
  /** How many rows beneath the node with this id are shown now (a page, raised by each "Load more…"). */
  limitOf(id: string): number;
  /** Entries folder id → the id of the newest entry it lists (rows stay put while new entries arrive). */
  readonly anchors: Map<string, string>;
  /** Entries folder id → where Go to Time opened it (its page is shown oldest first from there). */
  readonly seeks: Map<string, Exclude<SeekPosition, null>>;
}

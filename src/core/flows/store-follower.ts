// Keeps a flow map current after it was mined: each pull reads what the event store got since the last one (a
// bounded number of entries, oldest first) into the same miner, so an open flow map follows the store without
// mining the history again. Live pub/sub traffic is added to the same miner by the caller (addFlowMessage).
import type { EventStore } from '../store/event-store';
import { idAfter } from '../search/seek';
import type { FlowMiner } from './flow-miner';
import { mineStore } from './mine-store';

export interface StoreFollowerOptions {
  /** Entries read per pull at most: a burst is caught up over several pulls, each a bounded piece of work. @default 20000 */
  maxPerPull?: number;
  signal?: AbortSignal;
}

export class StoreFollower {
  private next: string | null;

  /** `lastId`: the last entry already mined (null: from the start of the store). */
  constructor(private readonly store: EventStore, readonly miner: FlowMiner, lastId: string | null) {
    this.next = lastId === null ? null : idAfter(lastId) ?? lastId;
  }

  /** Reads the entries appended since the last pull into the miner; resolves with how many were read. */
  async pull(options: StoreFollowerOptions = {}): Promise<number> {
    const r = await mineStore(this.store, this.miner, {
      query: this.next === null ? {} : { fromId: this.next },
      maxEntries: options.maxPerPull ?? 20_000,
      signal: options.signal,
    });
    if (r.lastId !== null) this.next = idAfter(r.lastId) ?? r.lastId;
    return r.read;
  }
}

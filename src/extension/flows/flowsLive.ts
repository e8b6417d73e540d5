// What keeps an open flow map current: the store's new entries (the core's StoreFollower) and the live monitor's
// recent pub/sub events (its ring, read from the last sequence number seen) go into the miner the map was drawn
// from. Bounded per pull on both sides; a ring that moved on past what was read loses only those events.
import { addFlowMessage, StoreFollower, type EventStore, type FlowMiner, type MineResult, type RecentEvent } from '../../core/index';

/** Even with nothing new, ages grow: the stuck list is sent again this often. */
const AGES_EVERY_MS = 10_000;

export class FlowsFollower {
  private readonly store: StoreFollower;
  private lastPostAt = Date.now();

  constructor(store: EventStore, readonly miner: FlowMiner, readonly history: MineResult, private ringSeq: number, readonly connection: string) {
    this.store = new StoreFollower(store, miner, history.lastId);
  }

  /** Adds what arrived since the last pull; `ring` is the monitor's recent events, newest first. */
  async pull(ring: readonly RecentEvent[], signal?: AbortSignal): Promise<number> {
    let added = await this.store.pull({ signal });
    // The ring numbers events from 1 per connection and starts over when cleared: a smaller newest seq means that.
    const newest = ring[0]?.seq ?? 0;
    if (newest < this.ringSeq) this.ringSeq = 0;
    for (let i = ring.length - 1; i >= 0; i--) {
      const e = ring[i];
      if (e.seq <= this.ringSeq) continue;
      if (!e.truncated) {
        addFlowMessage(this.miner, { channel: e.channel, pattern: e.pattern, payload: e.payload }, e.receivedAt);
        added++;
      }
    }
    this.ringSeq = Math.max(this.ringSeq, newest);
    return added;
  }

  /** Post an update: something arrived, sagas were read again, or the ages shown are getting old. */
  worthPosting(added: number, sagasChanged: boolean): boolean {
    const now = Date.now();
    if (added === 0 && !sagasChanged && now - this.lastPostAt < AGES_EVERY_MS) return false;
    this.lastPostAt = now;
    return true;
  }
}

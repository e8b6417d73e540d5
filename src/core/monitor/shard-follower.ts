// Shard channels (SPUBLISH, Redis 7) cannot be pattern-subscribed: there is no SPSUBSCRIBE. To see them, the monitor
// asks every master which shard channels have subscribers (PUBSUB SHARDCHANNELS <pattern>, one per monitor pattern)
// and SSUBSCRIBEs to those, again every few seconds. So a shard channel is counted once some service subscribes to
// it, and from the next discovery on; messages before that are not seen. Bounded: at most `max` channels followed.
// Known limit: on a connection shared with other shard subscribers (the extension's tails), stopping the monitor
// unsubscribes its channels for them too, and theirs for it until the next discovery.
import type { Logger } from '../logger';
import type { Transport } from '../transport/types';

export class ShardFollower {
  private readonly followed = new Set<string>();
  private failedOnce = false;

  constructor(
    private readonly transport: Transport,
    private readonly patterns: readonly string[],
    private readonly max: number,
    private readonly log: Logger,
  ) {}

  has(channel: string): boolean {
    return this.followed.has(channel);
  }

  get count(): number {
    return this.followed.size;
  }

  /** Subscribes to the shard channels that match the patterns and are not followed yet. Never throws. */
  async discover(): Promise<void> {
    try {
      const found = new Set<string>();
      for (const p of this.patterns) for (const ch of await this.transport.pubsubShardChannels(p)) found.add(ch);
      // Channels nobody subscribes to any more are let go (their slot in the bound too).
      const gone = [...this.followed].filter((ch) => !found.has(ch));
      for (const ch of gone) this.followed.delete(ch);
      const fresh = [...found].filter((ch) => !this.followed.has(ch)).slice(0, Math.max(0, this.max - this.followed.size));
      // Followed channels are subscribed again too (a no-op when still subscribed): on a connection shared with the
      // extension's tails, closing a tail of the same shard channel unsubscribes it for the monitor as well.
      const all = [...this.followed, ...fresh];
      if (all.length === 0) return;
      await this.transport.ssubscribe(all);
      for (const ch of fresh) this.followed.add(ch);
      if (fresh.length) this.log.debug(`following ${fresh.length} more shard channel(s), ${this.followed.size} in all`);
    } catch (e) {
      // Redis before 7 has no shard channels; say it once, not every few seconds.
      if (!this.failedOnce) this.log.debug(`shard channel discovery: ${(e as Error).message}`);
      this.failedOnce = true;
    }
  }

  async stop(): Promise<void> {
    const all = [...this.followed];
    this.followed.clear();
    if (all.length && this.transport.status !== 'closed') await this.transport.sunsubscribe(all).catch(() => undefined);
  }
}

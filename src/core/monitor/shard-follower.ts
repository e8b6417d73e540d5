// Shard channels (SPUBLISH, Redis 7) cannot be pattern-subscribed: there is no SPSUBSCRIBE. To see them, the monitor
// asks every master which shard channels have subscribers (PUBSUB SHARDCHANNELS <pattern>, one per monitor pattern)
// and SSUBSCRIBEs to those, again every few seconds. So a shard channel is counted once some service subscribes to
// it, and from the next discovery on; messages before that are not seen. Bounded: at most `max` channels followed.
//
// When the monitor shares its connection with others who subscribe to shard channels (the extension's tails), it
// subscribes through their adapter (`subscriber`): the adapter counts handlers per channel, so neither side's
// unsubscribe cuts the other off. On a connection of its own it subscribes on the transport directly.
import type { Logger } from '../logger';
import type { Transport } from '../transport/types';

/** What EventAdapter offers: a subscription per handler, the channel dropped when its last handler goes. */
export interface ShardSubscriber {
  ssubscribe(channel: string, handler: () => void): Promise<{ unsubscribe(): Promise<void> }>;
}

const ignore = (): void => undefined;

export class ShardFollower {
  /** Followed channels, with the adapter subscription to end when there is one. */
  private readonly followed = new Map<string, { unsubscribe(): Promise<void> } | null>();
  private failedOnce = false;

  constructor(
    private readonly transport: Transport,
    private readonly patterns: readonly string[],
    private readonly max: number,
    private readonly log: Logger,
    private readonly subscriber?: ShardSubscriber,
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
      // Channels nobody else subscribes to any more are let go (their slot in the bound too).
      for (const [ch, sub] of [...this.followed]) {
        if (found.has(ch)) continue;
        this.followed.delete(ch);
        if (sub) await sub.unsubscribe().catch(() => undefined);
        else await this.transport.sunsubscribe([ch]).catch(() => undefined);
      }
      const fresh = [...found].filter((ch) => !this.followed.has(ch)).slice(0, Math.max(0, this.max - this.followed.size));
      if (this.subscriber) {
        for (const ch of fresh) this.followed.set(ch, await this.subscriber.ssubscribe(ch, ignore));
      } else if (fresh.length) {
        await this.transport.ssubscribe(fresh);
        for (const ch of fresh) this.followed.set(ch, null);
      }
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
    if (this.transport.status === 'closed') return;
    const direct = all.filter(([, sub]) => sub === null).map(([ch]) => ch);
    await Promise.all(all.map(([, sub]) => sub?.unsubscribe().catch(() => undefined)));
    if (direct.length) await this.transport.sunsubscribe(direct).catch(() => undefined);
  }
}

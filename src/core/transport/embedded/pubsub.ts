// Pub/sub of one embedded server. Receivers are decided when PUBLISH runs (so the count it returns is exact);
// delivery happens later, in one batch per subscriber per turn of the event loop, in publish order, as messages
// arriving over a socket would. Pattern matchers are compiled once per subscribed pattern.
// Shard channels (SSUBSCRIBE/SPUBLISH, Redis 7) are a namespace of their own, as in Redis: PUBLISH never reaches a
// shard subscriber, SPUBLISH never reaches a SUBSCRIBE or PSUBSCRIBE one, even for the same channel name.
import type { PubSubMessage } from '../types';
import { compileGlob, type GlobMatcher } from '../../glob';

export interface Subscriber {
  /** Receives the messages of one delivery batch, in publish order. */
  deliver(messages: PubSubMessage[]): void;
}

interface PatternEntry {
  readonly match: GlobMatcher;
  readonly subscribers: Set<Subscriber>;
}

/** Channel name → its subscribers; a channel is listed only while someone is subscribed to it. */
class ChannelTable {
  private readonly channels = new Map<string, Set<Subscriber>>();

  /** False when `s` was already subscribed. */
  add(s: Subscriber, channel: string): boolean {
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, set = new Set());
    if (set.has(s)) return false;
    set.add(s);
    return true;
  }

  /** False when `s` was not subscribed. */
  remove(s: Subscriber, channel: string): boolean {
    const set = this.channels.get(channel);
    if (!set || !set.delete(s)) return false;
    if (set.size === 0) this.channels.delete(channel);
    return true;
  }

  subscribers(channel: string): ReadonlySet<Subscriber> | undefined {
    return this.channels.get(channel);
  }

  names(match?: GlobMatcher): string[] {
    const out: string[] = [];
    for (const name of this.channels.keys()) if (!match || match(name)) out.push(name);
    return out;
  }

  count(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  get size(): number {
    return this.channels.size;
  }

  addSubscribersTo(all: Set<Subscriber>): void {
    for (const set of this.channels.values()) for (const s of set) all.add(s);
  }
}

export class PubSubHub {
  private readonly channels = new ChannelTable();
  private readonly shardChannels = new ChannelTable();
  private readonly patterns = new Map<string, PatternEntry>();
  private pending = new Map<Subscriber, PubSubMessage[]>();
  private scheduled = false;

  subscribe(s: Subscriber, channel: string): boolean {
    return this.channels.add(s, channel);
  }

  unsubscribe(s: Subscriber, channel: string): boolean {
    return this.channels.remove(s, channel);
  }

  ssubscribe(s: Subscriber, channel: string): boolean {
    return this.shardChannels.add(s, channel);
  }

  sunsubscribe(s: Subscriber, channel: string): boolean {
    return this.shardChannels.remove(s, channel);
  }

  psubscribe(s: Subscriber, pattern: string): boolean {
    let entry = this.patterns.get(pattern);
    if (!entry) this.patterns.set(pattern, entry = { match: compileGlob(pattern), subscribers: new Set() });
    if (entry.subscribers.has(s)) return false;
    entry.subscribers.add(s);
    return true;
  }

  punsubscribe(s: Subscriber, pattern: string): boolean {
    const entry = this.patterns.get(pattern);
    if (!entry || !entry.subscribers.delete(s)) return false;
    if (entry.subscribers.size === 0) this.patterns.delete(pattern);
    return true;
  }

  /** Drops messages still queued for `s` (its connection is gone). */
  forget(s: Subscriber): void {
    this.pending.delete(s);
  }

  publish(channel: string, payload: string): number {
    let receivers = 0;
    const set = this.channels.subscribers(channel);
    if (set) {
      for (const s of set) this.enqueue(s, { channel, payload });
      receivers += set.size;
    }
    if (this.patterns.size) {
      for (const [pattern, entry] of this.patterns) {
        if (!entry.match(channel)) continue;
        for (const s of entry.subscribers) this.enqueue(s, { channel, pattern, payload });
        receivers += entry.subscribers.size;
      }
    }
    return receivers;
  }

  /** SPUBLISH: shard subscribers of the channel only (patterns never match shard channels). */
  spublish(channel: string, payload: string): number {
    const set = this.shardChannels.subscribers(channel);
    if (!set) return 0;
    for (const s of set) this.enqueue(s, { channel, payload, sharded: true });
    return set.size;
  }

  private enqueue(s: Subscriber, m: PubSubMessage): void {
    const q = this.pending.get(s);
    if (q) q.push(m);
    else this.pending.set(s, [m]);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    for (const [s, messages] of batch) s.deliver(messages);
  }

  /** PUBSUB CHANNELS: channels with at least one (non-pattern) subscriber, optionally matching a pattern. */
  channelNames(match?: GlobMatcher): string[] {
    return this.channels.names(match);
  }

  subscriberCount(channel: string): number {
    return this.channels.count(channel);
  }

  /** PUBSUB SHARDCHANNELS: shard channels with at least one subscriber, optionally matching a pattern. */
  shardChannelNames(match?: GlobMatcher): string[] {
    return this.shardChannels.names(match);
  }

  shardSubscriberCount(channel: string): number {
    return this.shardChannels.count(channel);
  }

  /** INFO stats pubsubshard_channels. */
  shardChannelCount(): number {
    return this.shardChannels.size;
  }

  /** PUBSUB NUMPAT: distinct patterns subscribed by anyone. */
  patternCount(): number {
    return this.patterns.size;
  }

  /** Clients with at least one subscription (channel, pattern or shard channel). */
  subscriberClients(): number {
    const all = new Set<Subscriber>();
    this.channels.addSubscribersTo(all);
    this.shardChannels.addSubscribersTo(all);
    for (const e of this.patterns.values()) for (const s of e.subscribers) all.add(s);
    return all.size;
  }
}

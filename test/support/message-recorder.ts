// Records what arrives on pub/sub channels so a test can wait for N messages and assert on the exact payloads.
import type { Disposable, PubSubMessage, Transport } from '../../src/core/transport/types';

export class MessageRecorder {
  readonly messages: PubSubMessage[] = [];
  private readonly sub: Disposable;
  private waiters: Array<() => void> = [];

  private constructor(private readonly transport: Transport, private readonly channels: string[], private readonly shard: boolean) {
    this.sub = transport.onMessage((m) => {
      if (m.pattern !== undefined || !channels.includes(m.channel)) return;
      this.messages.push(m);
      for (const w of this.waiters) w();
    });
  }

  /** `shard`: also SSUBSCRIBE to the same names (shard channels, Redis 7); `sharded` on a message says which it came by. */
  static async start(transport: Transport, channels: string[], { shard = false } = {}): Promise<MessageRecorder> {
    const r = new MessageRecorder(transport, channels, shard);
    await transport.subscribe(channels);
    if (shard) await transport.ssubscribe(channels);
    return r;
  }

  on(channel: string): PubSubMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }

  /** The payloads that arrived by SSUBSCRIBE (`true`) or by plain SUBSCRIBE (`false`) on `channel`. */
  payloads(channel: string, sharded: boolean): string[] {
    return this.on(channel).filter((m) => (m.sharded === true) === sharded).map((m) => m.payload);
  }

  /** The parsed payloads that arrived on `channel`. */
  json(channel: string): any[] {
    return this.on(channel).map((m) => JSON.parse(m.payload));
  }

  /** Resolves once `count` messages arrived on `channel` (all channels when omitted); rejects after `timeoutMs`. */
  waitFor(count: number, channel?: string, timeoutMs = 3000): Promise<void> {
    const have = () => (channel === undefined ? this.messages.length : this.on(channel).length) >= count;
    return this.waitUntil(have, `${count} message(s)${channel ? ` on ${channel}` : ''}`, timeoutMs);
  }

  /** Resolves once `have()` is true (checked on each message); rejects after `timeoutMs`. */
  async waitUntil(have: () => boolean, what = 'a condition', timeoutMs = 3000): Promise<void> {
    if (have()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`waited ${timeoutMs} ms for ${what}; ${this.messages.length} message(s) arrived`));
      }, timeoutMs);
      const check = () => {
        if (!have()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  /** Lets messages already published reach us (pub/sub is asynchronous) before asserting that none more came. */
  async settle(ms = 50): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  }

  async stop(): Promise<void> {
    this.sub.dispose();
    if (this.transport.status === 'closed') return;
    await this.transport.unsubscribe(this.channels);
    if (this.shard) await this.transport.sunsubscribe(this.channels);
  }
}

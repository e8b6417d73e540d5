// The guide's `INCR event_counts:{channel}:{event_type}`, batched: increments are summed in memory and sent as one
// pipelined INCRBY per key at most once a second, never one command per event. Distinct keys buffered between
// flushes are capped; a failed flush (e.g. while reconnecting) keeps its increments for the next one.
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { Transport } from '../transport/types';
import { detachString, limitName } from './strings';
import type { CounterFlushState } from './types';

export const COUNTER_KEY_PREFIX = 'event_counts:';
const OVERFLOW = '(other)';

export class CounterFlusher {
  /** channel → type → increments not yet sent. */
  private pending = new Map<string, Map<string, number>>();
  private pendingKeys = 0;
  private flushing: Promise<void> | null = null;
  private readonly state: CounterFlushState = { pendingKeys: 0, flushed: 0, overflowed: 0, failures: 0 };

  constructor(private readonly transport: Transport, private readonly maxKeys: number, private readonly log: Logger) {}

  add(channel: string, type: string): void {
    channel = limitName(channel);
    type = limitName(type);
    const byType = this.pending.get(channel);
    if (byType) {
      const n = byType.get(type);
      if (n !== undefined) { byType.set(type, n + 1); return; }
    }
    this.addNewKey(channel, type, byType, 1, true);
  }

  /** True while a flush is on its way to Redis. */
  get busy(): boolean {
    return this.flushing !== null;
  }

  /** Sends everything counted so far: waits for a flush under way (never overlaps it), then sends the rest. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pendingKeys === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.pendingKeys = 0;
    const items: Array<[string, number]> = [];
    for (const [channel, byType] of batch) {
      for (const [type, n] of byType) items.push([`${COUNTER_KEY_PREFIX}${channel}:${type}`, n]);
    }
    this.flushing = this.transport.incrByBatch(items).then(
      () => {
        for (const [, n] of items) this.state.flushed += n;
        delete this.state.lastError;
      },
      (e: unknown) => {
        this.state.failures++;
        if (this.state.lastError === undefined) this.log.warn(`could not update event_counts: ${describeError(e)} (will retry)`);
        this.state.lastError = describeError(e);
        this.mergeBack(batch);
      },
    ).finally(() => { this.flushing = null; });
    await this.flushing;
  }

  snapshot(): CounterFlushState {
    return { ...this.state, pendingKeys: this.pendingKeys };
  }

  clear(): void {
    this.pending.clear();
    this.pendingKeys = 0;
  }

  private mergeBack(batch: Map<string, Map<string, number>>): void {
    for (const [channel, byType] of batch) {
      for (const [type, n] of byType) {
        const current = this.pending.get(channel);
        const existing = current?.get(type);
        if (existing !== undefined) current!.set(type, existing + n);
        else this.addNewKey(channel, type, current, n, false);
      }
    }
  }

  private addNewKey(channel: string, type: string, byType: Map<string, number> | undefined, n: number, isNew: boolean): void {
    if (this.pendingKeys >= this.maxKeys) {
      if (isNew) this.state.overflowed += n;
      byType = this.pending.get(OVERFLOW);
      const existing = byType?.get(OVERFLOW);
      if (existing !== undefined) return void byType!.set(OVERFLOW, existing + n);
      // The overflow key itself may take the pending count one past the cap: it is what makes the cap hold.
      channel = OVERFLOW;
      type = OVERFLOW;
    }
    if (!byType) {
      byType = new Map();
      // Detached copies: a name sliced out of a big payload must not keep that payload alive.
      this.pending.set(detachString(channel), byType);
    }
    byType.set(detachString(type), n);
    this.pendingKeys++;
  }
}

// The N most recent events in preallocated slots that are overwritten in place: the hot path writes a few fields
// and allocates nothing. Big payloads are kept as a detached, truncated copy so one 10 MB message costs 64 KiB here.
import type { RecentEvent, RecentFilter } from './types';
import { detachString, limitName, truncateDetached } from './strings';

interface Slot {
  seq: number;
  channel: string;
  pattern: string | undefined;
  receivedAt: number;
  type: string;
  entity: string | null;
  payload: string;
  /** -1 until asked for: measuring every payload's UTF-8 size would cost the hot path for nothing. */
  sizeBytes: number;
  truncated: boolean;
}

/** Longest entity or channel kept in a slot. */
const MAX_LABEL_CHARS = 1024;

export class RecentRing {
  private readonly slots: Slot[] = [];
  /** Index of the next slot to write. */
  private next = 0;
  private seq = 0;

  constructor(readonly capacity: number, private readonly payloadChars: number) {}

  get size(): number {
    return this.slots.length;
  }

  get lastSeq(): number {
    return this.seq;
  }

  push(channel: string, pattern: string | undefined, receivedAt: number, type: string, entity: string | null, payload: string): void {
    let slot = this.slots[this.next];
    if (!slot) {
      slot = { seq: 0, channel: '', pattern: undefined, receivedAt: 0, type: '', entity: null, payload: '', sizeBytes: -1, truncated: false };
      this.slots.push(slot);
    }
    slot.seq = ++this.seq;
    slot.channel = channel.length > MAX_LABEL_CHARS ? detachString(limitName(channel, MAX_LABEL_CHARS)) : channel;
    slot.pattern = pattern;
    slot.receivedAt = receivedAt;
    if (payload.length > this.payloadChars) {
      // Type and entity may be slices of the payload: copy them, or they keep the whole payload alive.
      slot.payload = truncateDetached(payload, this.payloadChars);
      slot.sizeBytes = Buffer.byteLength(payload, 'utf8');
      slot.truncated = true;
      slot.type = detachString(limitName(type, MAX_LABEL_CHARS));
      slot.entity = entity === null ? null : detachString(limitName(entity, MAX_LABEL_CHARS));
    } else {
      slot.payload = payload;
      slot.sizeBytes = -1;
      slot.truncated = false;
      slot.type = type;
      slot.entity = entity === null || entity.length <= MAX_LABEL_CHARS ? entity : detachString(limitName(entity, MAX_LABEL_CHARS));
    }
    this.next = (this.next + 1) % this.capacity;
  }

  /** The newest event as a fresh object (for listeners). */
  newest(): RecentEvent | null {
    const i = (this.next - 1 + this.capacity) % this.capacity;
    const slot = this.slots[i];
    return slot ? toEvent(slot) : null;
  }

  /** Newest first, at most `limit`, optionally filtered. */
  list(limit: number, filter?: RecentFilter): RecentEvent[] {
    const out: RecentEvent[] = [];
    const n = this.slots.length;
    for (let k = 1; k <= n && out.length < limit; k++) {
      const slot = this.slots[(this.next - k + n * 2) % n]!;
      if (filter && !matches(slot, filter)) continue;
      out.push(toEvent(slot));
    }
    return out;
  }

  clear(): void {
    this.slots.length = 0;
    this.next = 0;
    this.seq = 0;
  }
}

function matches(slot: Slot, f: RecentFilter): boolean {
  if (f.channel !== undefined && slot.channel !== f.channel) return false;
  if (f.type !== undefined && slot.type !== f.type) return false;
  if (f.text !== undefined && f.text !== '' && !slot.payload.includes(f.text)) return false;
  return true;
}

function toEvent(slot: Slot): RecentEvent {
  if (slot.sizeBytes < 0) slot.sizeBytes = Buffer.byteLength(slot.payload, 'utf8');
  const e: RecentEvent = {
    seq: slot.seq,
    channel: slot.channel,
    receivedAt: slot.receivedAt,
    type: slot.type,
    entity: slot.entity,
    sizeBytes: slot.sizeBytes,
    payload: slot.payload,
    truncated: slot.truncated,
  };
  if (slot.pattern !== undefined) e.pattern = slot.pattern;
  return e;
}

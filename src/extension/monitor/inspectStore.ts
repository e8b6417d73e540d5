// Payloads of the recent events the panel has been sent, by seq, so clicking a row opens the whole (kept) event
// even after the monitor's own recent buffer has moved on (at 100k events/s it turns over in milliseconds).
// Bounded twice: at most as many entries as the page keeps rows, and at most a budget of characters.
import { MAX_TABLE_ROWS } from '../../shared/monitorLimits';

export interface InspectItem {
  seq: number;
  channel: string;
  type: string;
  receivedAt: number;
  payload: string;
  /** The monitor kept only the start of a very big payload. */
  truncated: boolean;
}

export class InspectStore {
  private readonly items = new Map<number, InspectItem>();
  private chars = 0;

  constructor(private readonly maxItems = MAX_TABLE_ROWS, private readonly maxChars = 8 * 1024 * 1024) {}

  add(item: InspectItem): void {
    if (this.items.has(item.seq)) return;
    this.items.set(item.seq, item);
    this.chars += item.payload.length;
    while (this.items.size > this.maxItems || (this.chars > this.maxChars && this.items.size > 1)) {
      const [seq, oldest] = this.items.entries().next().value as [number, InspectItem];
      this.items.delete(seq);
      this.chars -= oldest.payload.length;
    }
  }

  get(seq: number): InspectItem | undefined {
    return this.items.get(seq);
  }

  get size(): number {
    return this.items.size;
  }

  clear(): void {
    this.items.clear();
    this.chars = 0;
  }
}

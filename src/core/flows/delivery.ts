// For one stream entry, what each consumer group of its stream did with it: still pending (with whom, how many
// deliveries, idle how long), delivered and acknowledged, or not delivered yet. XPENDING on the entry's own id is
// one cheap call per group; the groups of a stream are asked once and remembered.
import { UCoreError } from '../errors';
import { compareIds } from '../store/stream-ids';
import type { GroupInfo, Transport } from '../transport/types';

export type DeliveryState = 'pending' | 'acked' | 'not-delivered';

export interface GroupDelivery {
  group: string;
  state: DeliveryState;
  consumer?: string;
  deliveries?: number;
  idleMs?: number;
}

export class DeliveryChecker {
  private readonly groups = new Map<string, Promise<GroupInfo[]>>();

  constructor(private readonly transport: Transport) {}

  async check(stream: string, id: string): Promise<GroupDelivery[]> {
    const out: GroupDelivery[] = [];
    for (const g of await this.groupsOf(stream)) {
      const [p] = await this.transport.xpendingRange(stream, g.name, { start: id, end: id, count: 1 });
      if (p) out.push({ group: g.name, state: 'pending', consumer: p.consumer, deliveries: p.deliveries, idleMs: p.idleMs });
      else out.push({ group: g.name, state: compareIds(id, g.lastDeliveredId) <= 0 ? 'acked' : 'not-delivered' });
    }
    return out;
  }

  private groupsOf(stream: string): Promise<GroupInfo[]> {
    let g = this.groups.get(stream);
    if (!g) {
      g = this.transport.xinfoGroups(stream).catch((e: unknown) => {
        if (e instanceof UCoreError && /no such key|WRONGTYPE/i.test(e.message)) return [];
        throw e;
      });
      this.groups.set(stream, g);
    }
    return g;
  }
}

// What the Redis transport does differently on a cluster, as plain functions over replies: split a batch by slot,
// walk SCAN over every master with one cursor, and add up what each node says about pub/sub and INFO.
import type Redis from 'ioredis';
import { keySlot } from './key-slot';

/** "host:port" as ioredis names a node in its slot map. */
export function nodeKeyOf(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

export interface SlotGroup<T> {
  slot: number;
  items: T[];
  /** Where each item sits in the input, to put the answers back in order. */
  positions: number[];
}

/** Items grouped by the slot of their key, groups in order of first appearance, items in input order. */
export function groupBySlot<T>(items: ReadonlyArray<T>, keyOf: (item: T) => string): Array<SlotGroup<T>> {
  const bySlot = new Map<number, SlotGroup<T>>();
  items.forEach((item, position) => {
    const slot = keySlot(keyOf(item));
    let g = bySlot.get(slot);
    if (!g) bySlot.set(slot, (g = { slot, items: [], positions: [] }));
    g.items.push(item);
    g.positions.push(position);
  });
  return [...bySlot.values()];
}

/**
 * One SCAN step over a cluster. The cursor is "0" to start and when done, else `<master index>:<that node's cursor>`
 * over the masters in a stable order. Keys are on masters only; a failover during a walk may repeat or miss keys, as
 * SCAN may anyway. A cursor from elsewhere (not of this form) starts again from the first master.
 */
export async function scanCluster(
  masters: Redis[], cursor: string, scanOne: (node: Redis, nodeCursor: string) => Promise<[string, string[]]>,
): Promise<{ cursor: string; keys: string[] }> {
  if (masters.length === 0) return { cursor: '0', keys: [] };
  const m = /^(\d+):(\d+)$/.exec(cursor);
  const index = m ? Number(m[1]) : 0;
  if (index >= masters.length) return { cursor: '0', keys: [] };
  const [next, keys] = await scanOne(masters[index], m ? m[2] : '0');
  if (String(next) !== '0') return { cursor: `${index}:${next}`, keys };
  return { cursor: index + 1 < masters.length ? `${index + 1}:0` : '0', keys };
}

/** The distinct strings of several nodes' array replies, in order of first appearance. */
export function unionReplies(replies: unknown[]): string[] {
  const seen = new Set<string>();
  for (const r of replies) if (Array.isArray(r)) for (const v of r) seen.add(String(v));
  return [...seen];
}

/** `[name, count, name, count…]` as objects. */
export function pairsToCounts(flat: unknown[]): Array<{ channel: string; subscribers: number }> {
  const out: Array<{ channel: string; subscribers: number }> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ channel: String(flat[i]), subscribers: Number(flat[i + 1]) });
  return out;
}

/** NUMSUB-style replies of several nodes, summed per channel, in the order asked. */
export function mergeCountReplies(channels: string[], replies: unknown[]): Array<{ channel: string; subscribers: number }> {
  const totals = new Map<string, number>(channels.map((c) => [c, 0]));
  for (const r of replies) {
    if (!Array.isArray(r)) continue;
    for (const { channel, subscribers } of pairsToCounts(r)) totals.set(channel, (totals.get(channel) ?? 0) + subscribers);
  }
  return channels.map((channel) => ({ channel, subscribers: totals.get(channel) ?? 0 }));
}

// Counts that mean "the cluster's total" when added up over its masters.
const SUMMED = new Set([
  'used_memory', 'used_memory_rss', 'used_memory_dataset', 'connected_clients', 'blocked_clients', 'pubsub_clients',
  'total_commands_processed', 'instantaneous_ops_per_sec', 'total_net_input_bytes', 'total_net_output_bytes',
  'keyspace_hits', 'keyspace_misses', 'expired_keys', 'evicted_keys', 'pubsub_channels', 'pubsub_patterns',
  'pubsubshard_channels', 'connected_slaves',
]);

/** Several masters' INFO as one: counts and `dbN` key counts summed, everything else from the first master. */
export function aggregateInfo(infos: Array<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (infos.length === 0) return out;
  Object.assign(out, infos[0]);
  for (const key of Object.keys(out)) {
    if (SUMMED.has(key)) out[key] = String(infos.reduce((a, i) => a + (Number(i[key]) || 0), 0));
  }
  const dbs = new Set(infos.flatMap((i) => Object.keys(i).filter((k) => /^db\d+$/.test(k))));
  for (const db of dbs) {
    let keys = 0;
    let expires = 0;
    for (const i of infos) {
      keys += Number(/keys=(\d+)/.exec(i[db] ?? '')?.[1] ?? 0);
      expires += Number(/expires=(\d+)/.exec(i[db] ?? '')?.[1] ?? 0);
    }
    out[db] = `keys=${keys},expires=${expires},avg_ttl=0`;
  }
  out.cluster_masters = String(infos.length);
  return out;
}

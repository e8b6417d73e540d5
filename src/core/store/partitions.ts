// The store's key layout when one stream is not enough: on a Redis Cluster the store is split into partitions,
// `event_store:{0}` … `event_store:{15}`, each a stream in the guide's format with its own entity and type indexes
// (`event_store:{3}:idx:entity:<id>`). The `{n}` hash tag keeps a partition and its indexes in one slot, so the append
// script stays atomic per event; different tags spread the partitions over the masters (6/6/4 slots-wise on three
// equal masters). An entity's events all go to one partition (FNV-1a of the entity id), so reading an entity costs
// what that entity holds and its events keep their order; events without an entity are spread by their event id.
// With one partition (the default off a cluster) the store is the guide's single `event_store` stream.
import { BadInputError } from '../errors';
import type { Transport } from '../transport/types';

/** Partitions of a store on a cluster unless told otherwise: enough to spread over a few masters, few enough that a
 *  read across all of them (by type, by time) is still a handful of round trips. */
export const CLUSTER_PARTITIONS = 16;
export const MAX_PARTITIONS = 1024;

export type PartitionSetting = number | 'auto';

/** How many partitions a store has: 'auto' is CLUSTER_PARTITIONS on a cluster, else 1. */
export function resolvePartitionCount(setting: PartitionSetting | undefined, transport: Transport): number {
  if (setting === undefined || setting === 'auto') return transport.mode === 'cluster' ? CLUSTER_PARTITIONS : 1;
  return setting;
}

export function checkPartitionSetting(setting: unknown): PartitionSetting | undefined {
  if (setting === undefined || setting === 'auto') return setting;
  if (typeof setting !== 'number' || !Number.isInteger(setting) || setting < 1 || setting > MAX_PARTITIONS) {
    throw new BadInputError(`partitions must be 'auto' or a whole number from 1 to ${MAX_PARTITIONS}, not ${String(setting).slice(0, 30)}`);
  }
  return setting;
}

/** The stream keys of a store: `[base]` with one partition, else `base:{0}` … `base:{n-1}`. */
export function partitionKeys(base: string, count: number): string[] {
  if (count === 1) return [base];
  // Redis hashes the first {…} of a key: a brace in the base would put every partition in the same slot.
  if (base.includes('{')) throw new BadInputError(`a partitioned store's name cannot contain "{" (got "${base.slice(0, 60)}")`);
  return Array.from({ length: count }, (_, i) => `${base}:{${i}}`);
}

/** Which partition holds an entity (or, for an event without one, that event id): FNV-1a of the UTF-8 text. */
export function partitionIndex(name: string, count: number): number {
  if (count === 1) return 0;
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

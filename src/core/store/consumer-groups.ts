// Consumer-group helpers for any stream: creating a group without tripping over one that exists, and telling how far
// behind each group is even where Redis cannot (its `lag` is null after deletions, and absent before Redis 7).
import { UCoreError } from '../errors';
import type { GroupInfo, StreamEntry, Transport } from '../transport/types';
import { exclusive } from './stream-ids';

/** Counting lag ourselves reads at most this many entries per group; beyond it the lag is reported as unknown. */
export const LAG_COUNT_LIMIT = 10_000;
const LAG_PAGE = 1000;

export type GroupWithLag = GroupInfo & { lag: number | null };

/** `XGROUP CREATE … MKSTREAM`: true when created, false when a group of that name already existed. */
export async function createGroup(transport: Transport, stream: string, group: string, startId = '$'): Promise<boolean> {
  try {
    await transport.xgroupCreate(stream, group, startId, { mkStream: true });
    return true;
  } catch (e) {
    if (isRedisError(e, 'BUSYGROUP')) return false;
    throw e;
  }
}

/** True when `e` is the Redis error with this code (`BUSYGROUP`, `NOGROUP`, …), from either transport. */
export function isRedisError(e: unknown, code: string): boolean {
  return e instanceof UCoreError && e.code === 'REDIS' && e.message.startsWith(code);
}

/** The stream's groups with their lag, counted from the stream where Redis reports none (bounded, else null). */
export async function groupsWithLag(transport: Transport, stream: string): Promise<GroupWithLag[]> {
  let groups: GroupInfo[];
  try {
    groups = await transport.xinfoGroups(stream);
  } catch (e) {
    // A store nobody has written to yet has no groups; that is not an error for the caller.
    if (e instanceof UCoreError && /no such key/i.test(e.message)) return [];
    throw e;
  }
  if (groups.every((g) => g.lag !== null)) return groups;
  const info = await transport.xinfoStream(stream);
  const lastId = info?.lastEntry?.id ?? null;
  return Promise.all(groups.map(async (g) => {
    if (g.lag !== null) return g;
    if (lastId === null || g.lastDeliveredId === lastId) return { ...g, lag: 0 };
    return { ...g, lag: await countAfter(transport, stream, g.lastDeliveredId, LAG_COUNT_LIMIT) };
  }));
}

/** Entries after `id`, or null when there are more than `limit`. Reads pages, so memory stays one page. */
export async function countAfter(transport: Transport, stream: string, id: string, limit: number): Promise<number | null> {
  let count = 0;
  let start = exclusive(id);
  for (;;) {
    const want = Math.min(LAG_PAGE, limit + 1 - count);
    const page: StreamEntry[] = await transport.xrange(stream, start, '+', want);
    count += page.length;
    if (count > limit) return null;
    if (page.length < want) return count;
    start = exclusive(page[page.length - 1].id);
  }
}

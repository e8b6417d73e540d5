// Waits until subscribers are in place on a real server, so a test publishes only once a child process (a `ucore
// tail`, a monitor) listens: a fixed sleep is either too short on a loaded machine (messages missed) or wasted time.
import Redis from 'ioredis';

export type SubscribedWant =
  /** At least `clients` (default 1) subscribers of this channel (PUBSUB NUMSUB). */
  | { channel: string; clients?: number }
  /** At least this many connections with a pattern subscription (CLIENT LIST: NUMPAT counts unique patterns only). */
  | { patternClients: number };

export async function untilSubscribed(url: string, want: SubscribedWant, timeoutMs = 15_000): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await redis.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await count(redis, want)) >= ('channel' in want ? want.clients ?? 1 : want.patternClients)) return;
      if (Date.now() > deadline) throw new Error(`no subscriber as wanted (${JSON.stringify(want)}) within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    redis.disconnect();
  }
}

async function count(redis: Redis, want: SubscribedWant): Promise<number> {
  if ('channel' in want) {
    const reply = (await redis.call('PUBSUB', 'NUMSUB', want.channel)) as [string, number];
    return Number(reply[1]);
  }
  const list = String(await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  return list.split('\n').filter((line) => /\bpsub=[1-9]/.test(line)).length;
}

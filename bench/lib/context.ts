// What every case gets: the private redis-server, a raw ioredis client for the baselines, our transport on the same
// server, and the run's settings.
import Redis from 'ioredis';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer, type RedisServerHandle } from '../../test/support/redis-server';

export interface BenchContext {
  quick: boolean;
  /** Measured runs per case (each a baseline + ours pair). */
  runs: number;
  server: RedisServerHandle;
  /** redis-server's pid: its CPU time is counted with ours (see pairs.ts). */
  redisPid: number | undefined;
  /** Slices a throughput run is cut into (see pairs.ts): 10 in a full run, 4 in a quick one. */
  slices: number;
  /** The baselines' client: plain ioredis, default options. */
  raw: Redis;
  /** Ours: the core's Redis transport. Generous timeouts: a 500k-event replay is one long stream of commands. */
  transport: RedisTransport;
  /** FLUSHALL, then wait until Redis has really freed the memory (lazyfree is off, so it is synchronous). */
  flush(): Promise<void>;
  log(message: string): void;
}

export async function createContext(o: { quick: boolean; runs: number; log: (m: string) => void }): Promise<BenchContext> {
  // Pub/sub output buffers unlimited: the monitor case lets Redis publish faster than any subscriber reads, and
  // measures how fast the subscriber drains; the default 32 MB limit would disconnect it half-way.
  const server = await startRedisServer({ args: ['--client-output-buffer-limit', 'pubsub 0 0 0'] });
  const raw = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true });
  await raw.connect();
  const transport = new RedisTransport({ url: server.url, commandTimeoutMs: 120_000 });
  await transport.connect();
  return {
    ...o,
    server,
    redisPid: server.process.pid,
    slices: o.quick ? 4 : 10,
    raw,
    transport,
    async flush() {
      await raw.flushall();
    },
  };
}

export async function closeContext(ctx: BenchContext): Promise<void> {
  await ctx.transport.close().catch(() => undefined);
  ctx.raw.disconnect();
  await ctx.server.stop();
}

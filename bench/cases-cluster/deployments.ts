// The two deployments the cluster benchmark compares, side by side on this machine: one redis-server, and a Redis
// Cluster of three masters (no replicas), both with persistence off. Each comes with our transport and a raw ioredis
// client (auto-pipelining on both, so the raw figures differ only by the cluster), the pids whose CPU time counts
// as its work, and a way back to an empty state.
import Redis, { Cluster } from 'ioredis';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisCluster, type RedisClusterHandle } from '../../test/support/redis-cluster';
import { startRedisServer, type RedisServerHandle } from '../../test/support/redis-server';

export type DeploymentName = 'single' | 'cluster';

/** The commands the raw baselines use; both ioredis clients answer them. */
export type RawClient = Pick<Redis, 'publish' | 'xadd' | 'xrange' | 'del'>;

export interface Deployment {
  name: DeploymentName;
  /** Ours: the core's Redis transport (`redis://` or `redis+cluster://`). Generous timeouts: a run is one long stream of commands. */
  transport: RedisTransport;
  /** Plain ioredis (`Redis` or `Cluster`) with enableAutoPipelining: the commands of one tick leave as one batch per node. */
  raw: RawClient;
  /** The redis-server processes of this deployment: their CPU time is counted with this process's. */
  pids: number[];
  /** FLUSHALL on every master. */
  flush(): Promise<void>;
  /** The Redis version the deployment runs. */
  version(): Promise<string>;
  /** Human-readable, e.g. "3 masters on ports 41001, 41003, 41005". */
  describe(): string;
  close(): Promise<void>;
}

// The monitor of the main benchmark needs unlimited pub/sub buffers; here nobody subscribes, but the same settings
// keep the two benchmarks' servers alike.
const SERVER_ARGS = ['--client-output-buffer-limit', 'pubsub 0 0 0'];
const COMMAND_TIMEOUT_MS = 120_000;

export async function startSingle(): Promise<Deployment> {
  const server = await startRedisServer({ args: SERVER_ARGS });
  return deploymentOf('single', server, undefined, async () => {
    const raw = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true, enableAutoPipelining: true });
    await raw.connect();
    return { raw, flush: async () => { await raw.flushall(); }, close: async () => { raw.disconnect(); } };
  });
}

export async function startCluster(): Promise<Deployment> {
  const cluster = await startRedisCluster({ masters: 3, args: SERVER_ARGS });
  return deploymentOf('cluster', undefined, cluster, async () => {
    const seeds = (await cluster.masterPorts()).map((port) => ({ host: '127.0.0.1', port }));
    const raw = new Cluster(seeds, { lazyConnect: true, enableAutoPipelining: true, scaleReads: 'master' });
    await raw.connect();
    return {
      raw: raw as unknown as RawClient,
      flush: async () => { await Promise.all(raw.nodes('master').map((n) => n.flushall())); },
      close: async () => { raw.disconnect(); },
    };
  });
}

async function deploymentOf(
  name: DeploymentName,
  server: RedisServerHandle | undefined,
  cluster: RedisClusterHandle | undefined,
  rawClient: () => Promise<{ raw: RawClient; flush(): Promise<void>; close(): Promise<void> }>,
): Promise<Deployment> {
  const stopServers = async () => { await server?.stop(); await cluster?.stop(); };
  let transport: RedisTransport | undefined;
  let raw: Awaited<ReturnType<typeof rawClient>> | undefined;
  try {
    raw = await rawClient();
    transport = new RedisTransport({ url: server ? server.url : cluster!.seedUrl, commandTimeoutMs: COMMAND_TIMEOUT_MS });
    await transport.connect();
    const expected = name === 'cluster' ? 'cluster' : 'standalone';
    if (transport.mode !== expected) throw new Error(`the ${name} deployment's transport is in ${transport.mode} mode, not ${expected}`);
  } catch (e) {
    await transport?.close().catch(() => undefined);
    await raw?.close();
    await stopServers();
    throw e;
  }
  const pids = server ? [server.process.pid] : cluster!.nodes.map((n) => n.process.pid);
  const r = raw;
  const t = transport;
  return {
    name,
    transport: t,
    raw: r.raw,
    pids: pids.filter((p): p is number => p !== undefined),
    flush: () => r.flush(),
    async version() {
      const info = await (r.raw as unknown as { info(section: string): Promise<string> }).info('server');
      return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    },
    describe() {
      return server ? `one redis-server on port ${server.port}` : `${cluster!.nodes.length} masters on ports ${cluster!.nodes.map((n) => n.port).join(', ')}`;
    },
    async close() {
      await t.close().catch(() => undefined);
      await r.close();
      await stopServers();
    },
  };
}

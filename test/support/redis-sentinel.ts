// Starts a private Sentinel setup for a test: a master, one replica and three sentinels (quorum 2) on free loopback
// ports, each with its own temp dir. Returns once the replica is in sync and every sentinel knows the master, the
// replica and the two other sentinels, so a killed master is failed over without waiting for discovery.
// `stop()` stops sentinels first (no failover while shutting down), then the servers, and removes every dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ask, parseInfo, waitUntil } from './redis-cluster';
import { freePort, startRedisServer, type RedisServerHandle } from './redis-server';

export interface RedisSentinelOptions {
  /** Default 'ucore-master'. Letters, digits and `._:-` only: it goes into config files and URLs. */
  masterName?: string;
  /** `sentinel down-after-milliseconds`, default 1000. */
  downAfterMs?: number;
  /** `sentinel failover-timeout`, default 3000 (a failed leader election is retried after twice this). */
  failoverTimeoutMs?: number;
}

export interface RedisSentinelHandle {
  masterName: string;
  /** The master and replica as started; after a failover see currentMasterPort(). */
  masterPort: number;
  replicaPort: number;
  sentinelPorts: number[];
  url: string;
  /** Ms from the first process spawned to every sentinel knowing the whole setup. */
  startupMs: number;
  /** SENTINEL GET-MASTER-ADDR-BY-NAME on the first live sentinel. */
  currentMasterPort(): Promise<number>;
  /** SIGKILL the current master, as a crash; returns its port. */
  killMaster(): Promise<number>;
  /** After killMaster(): every live sentinel names another master, and that server says it is a master. */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<{ newMasterPort: number; ms: number }>;
  stop(): Promise<void>;
}

interface SentinelProcess { port: number; dir: string; process: ChildProcess; stderr: () => string }

// Sentinels are spawned here (./redis-server cannot: sentinel needs its config file as first argument), so they get
// the same guarantee as servers: they die with the test process.
const runningSentinels = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of runningSentinels) child.kill('SIGKILL');
});

const isAlive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

function startSentinel(port: number, confFor: (dir: string) => string): SentinelProcess {
  const dir = mkdtempSync(join(tmpdir(), 'ucore-sentinel-'));
  const confPath = join(dir, `sentinel-${port}.conf`);
  // In its own writable dir: sentinel rewrites this file with what it learns (ids, replicas, other sentinels).
  writeFileSync(confPath, confFor(dir));
  const child = spawn('redis-server', [confPath, '--sentinel'], { stdio: ['ignore', 'ignore', 'pipe'] });
  runningSentinels.add(child);
  child.once('exit', () => runningSentinels.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += String(d); });
  return { port, dir, process: child, stderr: () => stderr.trim() };
}

async function stopSentinel(s: SentinelProcess): Promise<void> {
  if (isAlive(s.process)) {
    const exited = new Promise((r) => s.process.once('exit', r));
    s.process.kill('SIGTERM');
    const t = setTimeout(() => s.process.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
  rmSync(s.dir, { recursive: true, force: true });
}

/** SENTINEL REPLICAS / SENTINELS reply: one flat [field, value, ...] array per instance. */
function instances(reply: unknown): Array<Record<string, string>> {
  if (!Array.isArray(reply)) return [];
  return reply.map((flat: unknown) => {
    const out: Record<string, string> = {};
    if (Array.isArray(flat)) for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
    return out;
  });
}

const healthy = (i: Record<string, string>) => !/s_down|o_down|disconnected/.test(i.flags ?? '');

async function masterAddrPort(sentinelPort: number, masterName: string): Promise<number | null> {
  const reply = await ask(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName);
  return Array.isArray(reply) ? Number(reply[1]) : null;
}

export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelHandle> {
  const masterName = options.masterName ?? 'ucore-master';
  if (!/^[A-Za-z0-9._:-]+$/.test(masterName)) throw new Error(`unusable master name ${JSON.stringify(masterName)}`);
  const downAfterMs = options.downAfterMs ?? 1000;
  const failoverTimeoutMs = options.failoverTimeoutMs ?? 3000;
  const started = performance.now();
  const servers: RedisServerHandle[] = [];
  const sentinels: SentinelProcess[] = [];
  let killed: { port: number; at: number } | null = null;

  const liveSentinels = () => sentinels.filter((s) => isAlive(s.process));
  async function stop(): Promise<void> {
    await Promise.allSettled(sentinels.map(stopSentinel));
    await Promise.allSettled(servers.map((s) => s.stop()));
  }

  async function currentMasterPort(): Promise<number> {
    const sentinel = liveSentinels()[0];
    if (!sentinel) throw new Error('every sentinel is down');
    const port = await masterAddrPort(sentinel.port, masterName);
    if (port === null) throw new Error(`sentinel ${sentinel.port} does not know master ${masterName}`);
    return port;
  }

  async function killMaster(): Promise<number> {
    const port = await currentMasterPort();
    const server = servers.find((s) => s.port === port);
    if (!server) throw new Error(`sentinels name ${port} as master, which this fixture did not start`);
    killed = { port, at: performance.now() };
    await server.kill();
    return port;
  }

  async function waitForFailover(oldPort: number, timeoutMs = 20_000): Promise<{ newMasterPort: number; ms: number }> {
    if (!killed || killed.port !== oldPort) throw new Error(`waitForFailover(${oldPort}): that master was not killed with killMaster()`);
    const kill = killed;
    let newMasterPort = 0;
    await waitUntil(`sentinel failover away from ${oldPort}`, timeoutMs, async () => {
      const named = await Promise.all(liveSentinels().map((s) => masterAddrPort(s.port, masterName)));
      if (named.length === 0) return 'every sentinel is down';
      if (named.some((p) => p !== named[0])) return `sentinels disagree on the master: ${named.join(', ')}`;
      if (named[0] === oldPort || named[0] === null) return `sentinels still name ${named[0]} as master`;
      const role = parseInfo(await ask(named[0], 'INFO', 'replication')).role;
      if (role !== 'master') return `sentinels name ${named[0]}, which is still a ${role}`;
      newMasterPort = named[0];
      return null;
    });
    return { newMasterPort, ms: Math.round(performance.now() - kill.at) };
  }

  try {
    // Replicas sync at once instead of after the default 5 s wait for more replicas to share the transfer.
    const master = await startRedisServer({ args: ['--repl-diskless-sync-delay', '0'] });
    servers.push(master);
    const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port), '--repl-diskless-sync-delay', '0'] });
    servers.push(replica);
    // In sync before the sentinels start: their first INFO of the master then lists the replica (later ones come
    // every 10 s), and a replica that never synced would not be promoted.
    await waitUntil('replica in sync', 10_000, async () => {
      const info = parseInfo(await ask(master.port, 'INFO', 'replication'));
      const online = Object.keys(info).some((k) => /^slave\d+$/.test(k) && info[k].includes(`port=${replica.port},state=online`));
      return online ? null : `master ${master.port} lists no online replica on ${replica.port}: ${info.connected_slaves} connected`;
    });

    const sentinelPorts: number[] = [];
    const taken = new Set([master.port, replica.port]);
    while (sentinelPorts.length < 3) {
      const port = await freePort();
      if (!taken.has(port)) { taken.add(port); sentinelPorts.push(port); }
    }
    for (const port of sentinelPorts) {
      sentinels.push(startSentinel(port, (dir) => [
        `port ${port}`, 'bind 127.0.0.1', 'protected-mode no', `dir ${JSON.stringify(dir)}`, 'loglevel warning',
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
        `sentinel failover-timeout ${masterName} ${failoverTimeoutMs}`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n')));
    }
    // Sentinels find each other through hello messages on the master, sent every 2 s.
    await waitUntil('every sentinel knows master, replica and the other sentinels', 15_000, async () => {
      for (const s of sentinels) {
        if (!isAlive(s.process)) return `sentinel ${s.port} exited (${s.process.exitCode}): ${s.stderr()}`;
        const masterPort = await masterAddrPort(s.port, masterName);
        if (masterPort !== master.port) return `sentinel ${s.port} names master ${masterPort}`;
        const replicas = instances(await ask(s.port, 'SENTINEL', 'REPLICAS', masterName));
        if (!replicas.some((r) => Number(r.port) === replica.port && healthy(r))) return `sentinel ${s.port} does not see replica ${replica.port} yet`;
        const others = instances(await ask(s.port, 'SENTINEL', 'SENTINELS', masterName));
        const missing = sentinelPorts.filter((p) => p !== s.port && !others.some((o) => Number(o.port) === p && healthy(o)));
        if (missing.length) return `sentinel ${s.port} does not see sentinels ${missing.join(', ')} yet`;
      }
      return null;
    });

    return {
      masterName, masterPort: master.port, replicaPort: replica.port, sentinelPorts,
      url: `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${masterName}`,
      startupMs: Math.round(performance.now() - started),
      currentMasterPort, killMaster, waitForFailover, stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

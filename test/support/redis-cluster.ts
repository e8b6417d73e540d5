// Starts a private Redis Cluster for a test: N masters (optionally one replica each) on free loopback ports, every node
// a redis-server from ./redis-server with its own dir and nodes.conf, joined by `redis-cli --cluster create`.
// killNode/restartNode/waitForFailover crash a node and measure how long the cluster takes to serve its slots again.
// `stop()` kills every node and removes the dirs; nodes also die with the test process (./redis-server's exit hook).
// Optionally secured as in production: a password on the default user, extra ACL users, TLS-only nodes (clients, the
// cluster bus and replication all over TLS). The fixture's own probes then authenticate and verify like a client.
// Also home of the small probes the Sentinel fixture shares (ask, parseInfo, waitUntil) and of keySlot().
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { freePort, startRedisServer, type RedisServerHandle } from './redis-server';
import type { TestCertificates } from './tls';

export const CLUSTER_SLOTS = 16384;

// ---- key slots ----

// CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with.
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let bit = 0; bit < 8; bit++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    table[i] = c;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ b) & 0xff];
  return crc;
}

/**
 * The hash slot Redis gives `key`: CRC16 of its UTF-8 bytes mod 16384, or of the hash tag (the bytes between the first
 * `{` and the first `}` after it) when that tag is not empty, as keyHashSlot() in Redis's cluster.c.
 */
export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) & (CLUSTER_SLOTS - 1);
  }
  return crc16(bytes) & (CLUSTER_SLOTS - 1);
}

// ---- probes shared with the Sentinel fixture ----

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How the fixture's probes reach a secured node: the default user's password, and the CA its TLS port is signed by. */
export interface NodeAccess {
  password?: string;
  /** PEM text of the CA; set means the node speaks TLS only. */
  tlsCa?: string;
}

/**
 * One command on a fresh connection to 127.0.0.1:port. Fresh because the nodes asked are being killed and restarted:
 * a kept connection would queue, reconnect or report a node that is gone as slow instead of as down.
 */
export async function ask(port: number, ...args: Array<string | number>): Promise<unknown> {
  return askSecured({}, port, ...args);
}

/** ask() on a node with a password and/or TLS (certificate verified against `access.tlsCa`). */
export async function askSecured(access: NodeAccess, port: number, ...args: Array<string | number>): Promise<unknown> {
  const client = new Redis({
    host: '127.0.0.1', port, lazyConnect: true, enableReadyCheck: false, enableOfflineQueue: false,
    maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 2000,
    password: access.password,
    tls: access.tlsCa === undefined ? undefined : { ca: access.tlsCa },
  });
  client.on('error', () => {}); // the rejected promise below reports it; an unhandled 'error' event would only log
  try {
    await client.connect();
    return await client.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    client.disconnect();
  }
}

/** `INFO` text into key/value pairs (section headers and blank lines dropped). */
export function parseInfo(text: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of String(text).split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

/**
 * Polls `problem` until it returns null (the wanted state) and returns the ms that took; throws after `timeoutMs`
 * with the last problem seen, so a timeout says what never became true.
 */
export async function waitUntil(what: string, timeoutMs: number, problem: () => Promise<string | null>): Promise<number> {
  const start = performance.now();
  for (;;) {
    const seen = await problem().catch((e: unknown) => `error: ${e instanceof Error ? e.message : String(e)}`);
    if (seen === null) return Math.round(performance.now() - start);
    if (performance.now() - start > timeoutMs) throw new Error(`${what}: not reached within ${timeoutMs} ms; last seen: ${seen}`);
    await sleep(50);
  }
}

// ---- cluster views ----

export interface SlotRange { start: number; end: number; masterPort: number }

interface NodesLine { id: string; port: number; flags: string[]; masterId: string | null; slots: SlotRange[] }

/** `CLUSTER NODES`: one line per node, `<id> <ip:port@bus[,host]> <flags> <master|-> ... <slot|a-b|[migrating]>...`. */
function parseClusterNodes(text: unknown): NodesLine[] {
  const out: NodesLine[] = [];
  for (const line of String(text).split('\n')) {
    const f = line.trim().split(' ');
    if (f.length < 8) continue;
    const hostPort = f[1].split('@')[0];
    const port = Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
    const slots: SlotRange[] = [];
    for (const s of f.slice(8)) {
      if (s.startsWith('[')) continue; // a slot being migrated or imported, not served
      const [a, b] = s.split('-').map(Number);
      slots.push({ start: a, end: b ?? a, masterPort: port });
    }
    out.push({ id: f[0], port, flags: f[2].split(','), masterId: f[3] === '-' ? null : f[3], slots });
  }
  return out;
}

/** `CLUSTER SLOTS` as ranges sorted by first slot, each with the port of the master serving it. */
async function clusterSlots(askNode: AskNode, port: number): Promise<SlotRange[]> {
  const reply = (await askNode(port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]], ...unknown[]]>;
  return reply.map(([start, end, master]) => ({ start, end, masterPort: Number(master[1]) })).sort((a, b) => a.start - b.start);
}

const describeSlots = (slots: SlotRange[]) => slots.map((r) => `${r.start}-${r.end}@${r.masterPort}`).join(' ');

// ---- the fixture ----

export interface RedisClusterOptions {
  /** Default 3 (the fewest Redis accepts). */
  masters?: number;
  /** Default 0; 1 gives every master a replica that can take over its slots. */
  replicasPerMaster?: 0 | 1;
  /** `cluster-node-timeout`, default 1000: how long a silent node is waited for before it counts as failing. */
  nodeTimeoutMs?: number;
  /** Extra `redis-server` arguments for every node. */
  args?: string[];
  /** `requirepass` (the default user) and `masterauth` on every node; the fixture's probes and redis-cli use it. */
  password?: string;
  /** More users on every node, from the start (config `user` lines, so a restarted node has them too). */
  aclUsers?: ClusterAclUser[];
  /** TLS only: no plain port; clients, the cluster bus and replication speak TLS with these files. */
  tls?: TlsFiles;
}

export interface ClusterAclUser {
  name: string;
  password: string;
  /** ACL rules after `on >password`; default every key, every channel, every command: `~* &* +@all`. */
  rules?: string[];
}

/** Paths of PEM files. The server certificate must name 127.0.0.1; see clusterTlsFiles() for the client pair. */
export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
  /**
   * What a node presents when it connects to another node's cluster bus: Redis always asks bus peers for a certificate
   * (tls-auth-clients only covers clients), and the peer rejects one whose extendedKeyUsage lacks clientAuth. Without
   * these the node presents certFile, which then must allow clientAuth.
   */
  clientCertFile?: string;
  clientKeyFile?: string;
}

/**
 * TlsFiles for a cluster from ./tls's certificates: adds a clientAuth certificate signed by the same CA (its server
 * certificate is serverAuth only, which nodes refuse on the bus: "certificate verify failed" and the cluster never
 * joins). Uses the CA key makeTestCertificates() leaves in its dir; the files are removed with it by cleanup().
 */
export function clusterTlsFiles(certs: TestCertificates): TlsFiles {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: certs.dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  writeFileSync(join(certs.dir, 'cluster-bus.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', 'cluster-bus.key', '-out', 'cluster-bus.csr', '-subj', '/CN=UCore test cluster node']);
  run(['x509', '-req', '-in', 'cluster-bus.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256',
    '-extfile', 'cluster-bus.ext', '-out', 'cluster-bus.crt']);
  return {
    caFile: certs.caFile, certFile: certs.certFile, keyFile: certs.keyFile,
    clientCertFile: join(certs.dir, 'cluster-bus.crt'), clientKeyFile: join(certs.dir, 'cluster-bus.key'),
  };
}

type AskNode = (port: number, ...args: Array<string | number>) => Promise<unknown>;

export interface ClusterNode {
  port: number;
  busPort: number;
  dir: string;
  /** The node's current redis-server (a new one after restartNode). */
  readonly process: ChildProcess;
  /** From the node itself (INFO replication). */
  role(): Promise<'master' | 'replica'>;
}

export interface RedisClusterHandle {
  nodes: ClusterNode[];
  /** `redis+cluster://` (`rediss+cluster://` with TLS) URL naming the masters the cluster was created with; no credentials. */
  seedUrl: string;
  /** seedUrl with `user:password@` (each part URL-encoded; no username means the default user). */
  seedUrlWith(credentials: { username?: string; password: string }): string;
  /** ask() with this cluster's password and TLS CA. */
  ask(port: number, ...args: Array<string | number>): Promise<unknown>;
  /** Ms from the first redis-server spawned to a cluster with every slot served and every replica in sync. */
  startupMs: number;
  /** The masters serving slots now (CLUSTER NODES of a live node), in slot order. */
  masterPorts(): Promise<number[]>;
  masterForSlot(slot: number): Promise<number>;
  /** SIGKILL, as a crash; remembers the node's slots and replicas for waitForFailover. */
  killNode(port: number): Promise<void>;
  /** Same port, dir and nodes.conf, so the node rejoins (a former master comes back as a replica). */
  restartNode(port: number): Promise<void>;
  /** Every live node: cluster_state ok, same slot map, all slots served by live masters, replicas in sync. */
  waitForClusterOk(timeoutMs?: number): Promise<number>;
  /** After killNode(oldMasterPort): a replica of it serves its slots and the cluster is ok on every live node. */
  waitForFailover(oldMasterPort: number, timeoutMs?: number): Promise<{ newMasterPort: number; ms: number }>;
  stop(): Promise<void>;
}

interface NodeState { port: number; busPort: number; dir: string; server: RedisServerHandle }
interface KillRecord { at: number; slots: SlotRange[]; replicaPorts: number[] }

const isAlive = (s: RedisServerHandle) => s.process.exitCode === null && s.process.signalCode === null;

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** The password goes by REDISCLI_AUTH, not `-a`: not in `ps`, and not in the error message below. */
function redisCli(args: string[], timeoutMs: number, password?: string): Promise<string> {
  const env = password === undefined ? process.env : { ...process.env, REDISCLI_AUTH: password };
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: timeoutMs, env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')} failed (${err.message.split('\n')[0]}):\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** redis-server arguments that secure a node as `options` asks; none for a plain cluster. */
function securityArgs(options: RedisClusterOptions, port: number): string[] {
  const args: string[] = [];
  if (options.password !== undefined) args.push('--requirepass', options.password, '--masterauth', options.password);
  for (const u of options.aclUsers ?? []) args.push('--user', u.name, 'on', `>${u.password}`, ...(u.rules ?? ['~*', '&*', '+@all']));
  if (options.tls) {
    // The plain port off. Clients need no certificate; bus peers always do (see TlsFiles.clientCertFile).
    args.push('--port', '0', '--tls-port', String(port), '--tls-cluster', 'yes', '--tls-replication', 'yes',
      '--tls-cert-file', options.tls.certFile, '--tls-key-file', options.tls.keyFile,
      '--tls-ca-cert-file', options.tls.caFile, '--tls-auth-clients', 'no');
    if (options.tls.clientCertFile) args.push('--tls-client-cert-file', options.tls.clientCertFile);
    if (options.tls.clientKeyFile) args.push('--tls-client-key-file', options.tls.clientKeyFile);
  }
  return args;
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  if (!Number.isInteger(masters) || masters < 3) throw new Error(`a cluster needs at least 3 masters (got ${masters})`);
  const count = masters * (1 + replicas);
  const started = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'ucore-cluster-'));
  const ports = await distinctFreePorts(count * 2); // bus ports explicit: port + 10000 may pass 65535
  const nodes: NodeState[] = [];
  const kills = new Map<number, KillRecord>();
  const access: NodeAccess = { password: options.password, tlsCa: options.tls ? readFileSync(options.tls.caFile, 'utf8') : undefined };
  const askNode: AskNode = (port, ...args) => askSecured(access, port, ...args);

  const live = () => nodes.filter((n) => isAlive(n.server));
  const nodeAt = (port: number) => {
    const node = nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no cluster node on port ${port} (nodes: ${nodes.map((n) => n.port).join(', ')})`);
    return node;
  };
  const anyLivePort = () => {
    const node = live()[0];
    if (!node) throw new Error('every cluster node is down');
    return node.port;
  };

  async function stop(): Promise<void> {
    await Promise.allSettled(nodes.map((n) => n.server.stop()));
    rmSync(root, { recursive: true, force: true });
  }

  /** What keeps the cluster from being usable right now, or null; `slots` is the map every live node agrees on. */
  async function clusterProblem(): Promise<{ problem: string | null; slots: SlotRange[] }> {
    const views = await Promise.all(live().map(async (n) => {
      const info = parseInfo(await askNode(n.port, 'CLUSTER', 'INFO'));
      const replication = parseInfo(await askNode(n.port, 'INFO', 'replication'));
      return { port: n.port, info, replication, slots: await clusterSlots(askNode, n.port) };
    }));
    if (views.length === 0) return { problem: 'every node is down', slots: [] };
    const reference = describeSlots(views[0].slots);
    for (const v of views) {
      const where = `node ${v.port}`;
      if (v.info.cluster_state !== 'ok') return { problem: `${where}: cluster_state ${v.info.cluster_state}`, slots: [] };
      if (v.info.cluster_slots_assigned !== String(CLUSTER_SLOTS)) return { problem: `${where}: ${v.info.cluster_slots_assigned} slots assigned`, slots: [] };
      if (v.info.cluster_known_nodes !== String(nodes.length)) return { problem: `${where}: knows ${v.info.cluster_known_nodes} of ${nodes.length} nodes`, slots: [] };
      const seen = describeSlots(v.slots);
      if (seen !== reference) return { problem: `nodes disagree on slots: ${views[0].port} sees ${reference}; ${v.port} sees ${seen}`, slots: [] };
      // Right after a crash the others still route to the dead master until node-timeout passes.
      const deadOwner = v.slots.find((r) => !live().some((n) => n.port === r.masterPort));
      if (deadOwner) return { problem: `${where}: slots ${deadOwner.start}-${deadOwner.end} still on down node ${deadOwner.masterPort}`, slots: [] };
      // A replica that never synced cannot take over (its data counts as too old), so "ok" includes replicas in sync.
      if (v.replication.role === 'slave' && v.replication.master_link_status !== 'up') {
        return { problem: `${where}: replica link to ${v.replication.master_port} is ${v.replication.master_link_status}`, slots: [] };
      }
    }
    return { problem: null, slots: views[0].slots };
  }

  const waitForClusterOk = (timeoutMs = 15_000) =>
    waitUntil('cluster ok on every live node', timeoutMs, async () => (await clusterProblem()).problem);

  async function masterPorts(): Promise<number[]> {
    const lines = parseClusterNodes(await askNode(anyLivePort(), 'CLUSTER', 'NODES'));
    return lines
      .filter((l) => l.flags.includes('master') && !l.flags.includes('fail') && l.slots.length > 0)
      .sort((a, b) => Math.min(...a.slots.map((s) => s.start)) - Math.min(...b.slots.map((s) => s.start)))
      .map((l) => l.port);
  }

  async function masterForSlot(slot: number): Promise<number> {
    if (!Number.isInteger(slot) || slot < 0 || slot >= CLUSTER_SLOTS) throw new Error(`not a hash slot: ${slot}`);
    const range = (await clusterSlots(askNode, anyLivePort())).find((r) => r.start <= slot && slot <= r.end);
    if (!range) throw new Error(`slot ${slot} is not served by any master`);
    return range.masterPort;
  }

  async function killNode(port: number): Promise<void> {
    const node = nodeAt(port);
    // The node's own view just before the crash: what it served and who replicated it.
    let record: KillRecord = { at: 0, slots: [], replicaPorts: [] };
    if (isAlive(node.server)) {
      const lines = parseClusterNodes(await askNode(port, 'CLUSTER', 'NODES').catch(() => ''));
      const self = lines.find((l) => l.flags.includes('myself'));
      if (self) {
        // Its replicas as every live node sees them: under load the master's own table can lag behind a replica that
        // already replicates it (a CI run failed here with 'had no replica' on the 3 + 3 fixture).
        const views = await Promise.all(live().map((n) => askNode(n.port, 'CLUSTER', 'NODES').catch(() => '')));
        const replicaPorts = new Set<number>();
        for (const view of [lines, ...views.map(parseClusterNodes)]) for (const l of view) if (l.masterId === self.id) replicaPorts.add(l.port);
        record = { at: 0, slots: self.slots, replicaPorts: [...replicaPorts] };
      }
    }
    record.at = performance.now();
    await node.server.kill();
    kills.set(port, record);
  }

  async function restartNode(port: number): Promise<void> {
    const node = nodeAt(port);
    node.server = await node.server.restart();
  }

  async function waitForFailover(oldMasterPort: number, timeoutMs = 15_000): Promise<{ newMasterPort: number; ms: number }> {
    const kill = kills.get(oldMasterPort);
    if (!kill) throw new Error(`waitForFailover(${oldMasterPort}): that node was not killed with killNode()`);
    if (kill.slots.length === 0) throw new Error(`node ${oldMasterPort} served no slots when killed: it was not a master`);
    if (kill.replicaPorts.length === 0) throw new Error(`master ${oldMasterPort} had no replica: nothing can take over its slots`);
    let newMasterPort = 0;
    await waitUntil(`failover of master ${oldMasterPort}`, timeoutMs, async () => {
      const { problem, slots } = await clusterProblem();
      if (problem) return problem;
      for (const killed of kill.slots) {
        const owner = slots.find((r) => r.start <= killed.start && killed.start <= r.end)?.masterPort;
        if (owner === undefined || !kill.replicaPorts.includes(owner)) {
          return `slot ${killed.start} is served by ${owner}, not by a replica of ${oldMasterPort} (${kill.replicaPorts.join(', ')})`;
        }
        newMasterPort = owner;
      }
      return null;
    });
    return { newMasterPort, ms: Math.round(performance.now() - kill.at) };
  }

  const scheme = options.tls ? 'rediss+cluster' : 'redis+cluster';
  let seedHosts = '';
  try {
    for (let i = 0; i < count; i++) {
      const port = ports[2 * i];
      const busPort = ports[2 * i + 1];
      const dir = join(root, `node-${port}`);
      mkdirSync(dir);
      nodes.push({ port, busPort, dir, server: undefined as unknown as RedisServerHandle });
    }
    await Promise.all(nodes.map(async (n) => {
      n.server = await startRedisServer({
        port: n.port, dir: n.dir,
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(n.dir, 'nodes.conf'),
          '--cluster-node-timeout', String(nodeTimeoutMs), '--cluster-port', String(n.busPort),
          // Replicas sync at once instead of after the default 5 s wait for more replicas to share the transfer.
          '--repl-diskless-sync-delay', '0',
          ...securityArgs(options, n.port),
          ...(options.args ?? [])],
      });
    }));
    const cliTls = options.tls ? ['--tls', '--cacert', options.tls.caFile] : [];
    await redisCli([...cliTls, '--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas', String(replicas), '--cluster-yes'], 30_000, options.password);
    await waitForClusterOk(20_000);
    seedHosts = (await masterPorts()).map((p) => `127.0.0.1:${p}`).join(',');
  } catch (e) {
    await Promise.allSettled(nodes.filter((n) => n.server).map((n) => n.server.stop()));
    rmSync(root, { recursive: true, force: true });
    throw e;
  }

  return {
    nodes: nodes.map((n) => ({
      port: n.port, busPort: n.busPort, dir: n.dir,
      get process() { return n.server.process; },
      async role() {
        return parseInfo(await askNode(n.port, 'INFO', 'replication')).role === 'master' ? 'master' : 'replica';
      },
    })),
    seedUrl: `${scheme}://${seedHosts}`,
    seedUrlWith: ({ username, password }) =>
      `${scheme}://${encodeURIComponent(username ?? '')}:${encodeURIComponent(password)}@${seedHosts}`,
    ask: askNode,
    startupMs: Math.round(performance.now() - started),
    masterPorts, masterForSlot, killNode, restartNode, waitForClusterOk, waitForFailover, stop,
  };
}

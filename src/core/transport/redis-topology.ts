// Reads what is behind a Redis connection into a Topology: CLUSTER NODES on a cluster, the sentinels' view under
// Sentinel, INFO replication on one server. Node addresses and ids come from servers: callers display them as text.
import type Redis from 'ioredis';
import type { ConnectionTarget } from './url';
import { parseInfo } from './redis-replies';
import type { Topology, TopologyNode } from './types';

/** True when the server has cluster mode on (INFO cluster); false when it has not or will not say. */
export async function isClusterNode(client: Redis): Promise<boolean> {
  try {
    return parseInfo(String(await client.info('cluster'))).cluster_enabled === '1';
  } catch {
    return false;
  }
}

/**
 * `CLUSTER NODES` lines: `<id> <ip:port@cport[,hostname]> <flags> <master|-> <ping> <pong> <epoch> <link> <slot>...`.
 * Slots are `n`, `a-b`, or `[n->-id]` / `[n-<-id]` while migrating (not served yet: left out).
 */
export function readClusterTopology(nodesText: string, infoText: string): Topology {
  const nodes: TopologyNode[] = [];
  for (const line of nodesText.split('\n')) {
    const parts = line.trim().split(' ');
    if (parts.length < 8) continue;
    const [id, addr, flagText, master, , , , link, ...slotParts] = parts;
    const flags = flagText.split(',');
    const address = addr.split('@')[0];
    const slots: Array<[number, number]> = [];
    for (const s of slotParts) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(s);
      if (m) slots.push([Number(m[1]), Number(m[2] ?? m[1])]);
    }
    slots.sort((a, b) => a[0] - b[0]);
    const node: TopologyNode = {
      id,
      address,
      role: flags.includes('master') ? 'master' : 'replica',
      slots,
      state: nodeState(flags, link),
    };
    if (master !== '-') node.masterId = master;
    nodes.push(node);
  }
  nodes.sort((a, b) => (a.role === b.role ? (a.slots[0]?.[0] ?? 1e9) - (b.slots[0]?.[0] ?? 1e9) || a.address.localeCompare(b.address) : a.role === 'master' ? -1 : 1));
  return { mode: 'cluster', nodes, clusterState: parseInfo(infoText).cluster_state ?? 'unknown' };
}

function nodeState(flags: string[], link: string): string {
  if (flags.includes('fail')) return 'fail';
  if (flags.includes('fail?')) return 'pfail';
  if (flags.includes('handshake')) return 'handshake';
  if (flags.includes('noaddr')) return 'noaddr';
  if (link === 'disconnected') return 'disconnected';
  return 'ok';
}

/** One server and its replicas from `INFO replication` (a replica names its master). */
export function replicationNodes(info: Record<string, string>, current: string | undefined): TopologyNode[] {
  const self = current ?? 'this server';
  if (info.role === 'slave') {
    const master = `${info.master_host}:${info.master_port}`;
    return [
      { id: master, address: master, role: 'master', slots: [], state: info.master_link_status === 'up' ? 'ok' : 'disconnected' },
      { id: self, address: self, role: 'replica', masterId: master, slots: [], state: 'ok', current: true },
    ];
  }
  const nodes: TopologyNode[] = [{ id: self, address: self, role: 'master', slots: [], state: 'ok', current: true }];
  for (const [key, value] of Object.entries(info)) {
    if (!/^slave\d+$/.test(key)) continue;
    const f = Object.fromEntries(value.split(',').map((kv) => kv.split('=') as [string, string]));
    const address = `${f.ip}:${f.port}`;
    nodes.push({ id: address, address, role: 'replica', masterId: self, slots: [], state: f.state === 'online' ? 'ok' : String(f.state ?? 'unknown') });
  }
  return nodes;
}

/** `SENTINEL MASTER` & co reply (flat name/value array) as an object. */
function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

function sentinelState(flags: string | undefined): string {
  const f = (flags ?? '').split(',');
  if (f.includes('o_down') || f.includes('s_down')) return 'down';
  if (f.includes('disconnected')) return 'disconnected';
  return 'ok';
}

/**
 * Asks the sentinels in turn (the first that answers wins) for the master, its replicas and the other sentinels.
 * `current` marks the master this transport is connected to.
 */
export async function readSentinelTopology(
  target: Extract<ConnectionTarget, { kind: 'redis' }>, current: string | undefined,
  probe: () => (host: string, port: number) => Redis, timeoutMs: number,
): Promise<Topology> {
  const { sentinels, masterName } = target.sentinel!;
  const open = probe();
  let lastError: unknown;
  for (const s of sentinels) {
    const client = open(s.host, s.port);
    client.on('error', () => undefined);
    try {
      await client.connect();
      const [master, replicas, others] = await Promise.race([
        Promise.all([
          client.call('SENTINEL', 'MASTER', masterName),
          client.call('SENTINEL', 'REPLICAS', masterName),
          client.call('SENTINEL', 'SENTINELS', masterName),
        ]),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('sentinel did not answer in time')), timeoutMs).unref()),
      ]);
      const m = pairs(master);
      const masterAddress = `${m.ip}:${m.port}`;
      // Right after a failover a sentinel may still flag the new master `disconnected` (its own link is reconnecting)
      // while this transport already talks to it: what we reach is not down.
      const masterState = sentinelState(m.flags);
      const nodes: TopologyNode[] = [{
        id: masterAddress, address: masterAddress, role: 'master', slots: [],
        state: masterState === 'disconnected' && masterAddress === current ? 'ok' : masterState, current: masterAddress === current,
      }];
      for (const r of (replicas as unknown[]) ?? []) {
        const f = pairs(r);
        const address = `${f.ip}:${f.port}`;
        nodes.push({ id: address, address, role: 'replica', masterId: masterAddress, slots: [], state: sentinelState(f.flags), current: address === current });
      }
      const sentinelNodes: TopologyNode[] = [{ id: `${s.host}:${s.port}`, address: `${s.host}:${s.port}`, role: 'sentinel', slots: [], state: 'ok' }];
      for (const o of (others as unknown[]) ?? []) {
        const f = pairs(o);
        const address = `${f.ip}:${f.port}`;
        sentinelNodes.push({ id: f.runid || address, address, role: 'sentinel', slots: [], state: sentinelState(f.flags) });
      }
      sentinelNodes.sort((a, b) => a.address.localeCompare(b.address));
      return { mode: 'sentinel', masterName, nodes: [...nodes, ...sentinelNodes] };
    } catch (e) {
      lastError = e;
    } finally {
      client.disconnect();
    }
  }
  throw lastError instanceof Error ? lastError : new Error('no sentinel answered');
}

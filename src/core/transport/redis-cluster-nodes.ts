// Commands a Cluster client cannot route by itself: a batch whose keys span slots (one pipeline per master), a
// question every node must answer (SCAN, PUBSUB, INFO), a command that must go to the socket of one key's master
// (WAIT). The arithmetic over the replies is in redis-cluster-ops.ts; this holds what talks to the nodes.
import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import { ClosedError, TimeoutError } from '../errors';
import { keySlot } from './key-slot';
import { nodeKeyOf, scanCluster } from './redis-cluster-ops';
import { classifyCommandError } from './redis-errors';
import { withTimeout } from './redis-timeouts';

export class ClusterNodes {
  /** `cluster` gives the command connection's Cluster client (it throws when not connected). */
  constructor(
    private readonly cluster: () => Cluster,
    private readonly description: string,
    private readonly commandTimeoutMs: number,
  ) {}

  /** Runs a command on every node (in parallel) within the command timeout ('all' includes replicas); a node that
   *  fails fails the call. */
  async onEveryNode<T>(which: 'master' | 'all', fn: (node: Redis) => Promise<T>): Promise<T[]> {
    const nodes = this.cluster().nodes(which);
    try {
      return await withTimeout(Promise.all(nodes.map(fn)), this.commandTimeoutMs, () => new TimeoutError(`a node of ${this.description} did not answer in time`));
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
  }

  /** One SCAN step over every master in turn (see scanCluster for the cursor's form). */
  scan(cursor: string, args: Array<string | number>): Promise<{ cursor: string; keys: string[] }> {
    const masters = this.cluster().nodes('master').slice().sort((a, b) => (nodeKeyOf(a) < nodeKeyOf(b) ? -1 : 1));
    return scanCluster(masters, cursor, async (node, nodeCursor) => {
      try {
        return (await withTimeout(node.call('SCAN', nodeCursor, ...args), this.commandTimeoutMs, () => new TimeoutError(`a cluster node did not answer SCAN in time`))) as [string, string[]];
      } catch (e) {
        throw classifyCommandError(e, this.description);
      }
    });
  }

  /**
   * A batch over many slots: one pipeline per master, sent on that master's own socket, grouped by the slot we
   * compute (key-slot.ts) rather than ioredis's: its cluster-key-slot puts keys such as `{}{x}` (Redis hashes the whole
   * key when the first braces are empty) on another slot, and one such key in an ioredis pipeline fails the commands
   * around it with MOVED. A command that still meets MOVED/ASK/TRYAGAIN/CLUSTERDOWN (slots moving, failover) is sent
   * again on its own through the Cluster client, which follows the redirection; those errors mean it was not applied.
   */
  async batch<I>(items: ReadonlyArray<I>, keyOf: (item: I) => string, argsOf: (item: I) => Array<string | number>): Promise<unknown[]> {
    const cluster = this.cluster();
    const byNode = new Map<string, { node: Redis; positions: number[] }>();
    const masters = new Map(cluster.nodes('master').map((n) => [nodeKeyOf(n), n]));
    const loose: number[] = [];
    items.forEach((item, i) => {
      const owner = cluster.slots[keySlot(keyOf(item))]?.[0];
      const node = owner ? masters.get(owner) : undefined;
      if (!node || !owner) { loose.push(i); return; }
      let g = byNode.get(owner);
      if (!g) byNode.set(owner, (g = { node, positions: [] }));
      g.positions.push(i);
    });
    const out = new Array<unknown>(items.length);
    const runAlone = async (i: number) => {
      const [command, ...args] = argsOf(items[i]);
      out[i] = await cluster.call(String(command), ...args);
    };
    try {
      await withTimeout(Promise.all([
        ...[...byNode.values()].map(async ({ node, positions }) => {
          const p = node.pipeline();
          for (const i of positions) {
            const [command, ...args] = argsOf(items[i]);
            p.call(String(command), ...args);
          }
          const results = (await p.exec()) ?? [];
          await Promise.all(positions.map(async (i, k) => {
            const [err, value] = results[k] ?? [new Error('Connection is closed'), null];
            if (!err) out[i] = value;
            else if (/^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/.test(err.message)) await runAlone(i);
            else throw err;
          }));
        }),
        ...loose.map(runAlone),
      ]), this.commandTimeoutMs, () => new TimeoutError(`Redis at ${this.description} did not answer in time`));
    } catch (e) {
      throw classifyCommandError(e, this.description);
    }
    return out;
  }

  /** The socket to the master that serves `key`'s slot now. */
  nodeForKey(key: string): Redis {
    const node = this.nodeForKeyIfServed(key);
    if (!node) throw new ClosedError(`no node of ${this.description} serves the slot of that key right now`);
    return node;
  }

  nodeForKeyIfServed(key: string): Redis | undefined {
    const cluster = this.cluster();
    const owner = cluster.slots[keySlot(key)]?.[0];
    return owner ? cluster.nodes('master').find((n) => nodeKeyOf(n) === owner) : undefined;
  }
}

/** ioredis routes by cluster-key-slot, which differs from Redis for a few key shapes (`{}{x}`, lone surrogates). */
export function ioredisAgreesOnSlot(key: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ioredisSlot = require('cluster-key-slot') as (key: string) => number;
  return ioredisSlot(key) === keySlot(key);
}

// `ucore topology`: what is behind the connection — one server, a Sentinel-managed master with its replicas and
// sentinels, or a cluster's masters with their slot ranges and replicas.
import type { Topology, TopologyNode } from '../../core/index';
import type { CliCommand } from '../command';
import { safeText, table } from '../output';

export const topologyCommand: CliCommand = {
  name: 'topology',
  usage: 'ucore topology',
  summary: 'the nodes behind the connection: cluster masters with slot ranges and replicas, or Sentinel master, replicas and sentinels',
  options: {},
  positionals: [0, 0],
  async run(ctx) {
    const t = await ctx.connect();
    const topo = await t.topology();
    if (ctx.out.json) {
      ctx.out.record(topo, '');
      return 0;
    }
    ctx.out.line(headline(topo));
    const rows = [['role', 'address', 'slots', 'state', 'of']];
    const byId = new Map(topo.nodes.map((n) => [n.id, n]));
    for (const n of topo.nodes) {
      const master = n.masterId ? byId.get(n.masterId)?.address ?? n.masterId.slice(0, 12) : '';
      rows.push([roleText(n), safeText(n.address, 60), slotText(n.slots), safeText(n.state, 20), safeText(master, 60)]);
    }
    ctx.out.line(table(rows));
    return topo.mode === 'cluster' && topo.clusterState !== 'ok' ? 1 : 0;
  },
};

function headline(t: Topology): string {
  if (t.mode === 'cluster') {
    const masters = t.nodes.filter((n) => n.role === 'master').length;
    return `Redis Cluster: state ${safeText(t.clusterState ?? 'unknown', 20)}, ${masters} master${masters === 1 ? '' : 's'}, ${t.nodes.length - masters} replica${t.nodes.length - masters === 1 ? '' : 's'}`;
  }
  if (t.mode === 'sentinel') return `Sentinel master "${safeText(t.masterName ?? '', 60)}"`;
  return t.mode === 'embedded' ? 'embedded (in-process)' : 'standalone server';
}

function roleText(n: TopologyNode): string {
  return n.current ? `${n.role} *` : n.role;
}

/** `0-5460, 10923` for a node's slot ranges; '' when it serves none. */
export function slotText(slots: Array<[number, number]>): string {
  return slots.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(', ');
}

// Who takes part in the flows, as Redis itself tells it: the consumer groups and consumers reading each stream
// (XINFO: exact lag and pending), the subscribers of each channel (PUBSUB NUMSUB / SHARDNUMSUB), and the named
// connections (CLIENT LIST). Publishers are what events say of themselves (`metadata.source`, in the flow nodes).
import { describeError, UCoreError } from '../errors';
import { groupsWithLag } from '../store/consumer-groups';
import type { ClientInfo, ConsumerInfo, Transport } from '../transport/types';
import { clip } from './entity-key';

/** Streams, channels and clients listed at most: a server with thousands of them still answers in one screen. */
export const MAX_SERVICE_ROWS = 200;

export interface GroupService {
  stream: string;
  group: string;
  pending: number;
  lag: number | null;
  lastDeliveredId: string;
  consumers: Array<Pick<ConsumerInfo, 'name' | 'pending' | 'idleMs'>>;
}

export interface ChannelService {
  channel: string;
  sharded: boolean;
  subscribers: number;
}

export interface FlowServices {
  groups: GroupService[];
  channels: ChannelService[];
  /** Named connections (unnamed ones only counted): their names say which service they belong to. */
  clients: Array<Pick<ClientInfo, 'name' | 'addr' | 'cmd' | 'sub' | 'psub' | 'ssub' | 'idle'>>;
  unnamedClients: number;
  /** What could not be asked (a server refusing CLIENT LIST to this user, …): one line each. */
  problems: string[];
}

export interface ServicesQuery {
  streams: string[];
  channels: Array<{ name: string; sharded?: boolean }>;
}

export async function collectServices(transport: Transport, query: ServicesQuery): Promise<FlowServices> {
  const out: FlowServices = { groups: [], channels: [], clients: [], unnamedClients: 0, problems: [] };
  const note = (what: string, e: unknown) => { if (out.problems.length < 20) out.problems.push(`${what}: ${clip(describeError(e), 200)}`); };
  for (const stream of [...new Set(query.streams)].slice(0, MAX_SERVICE_ROWS)) {
    try {
      for (const g of await groupsWithLag(transport, stream)) {
        if (out.groups.length >= MAX_SERVICE_ROWS) break;
        let consumers: GroupService['consumers'] = [];
        try {
          consumers = (await transport.xinfoConsumers(stream, g.name)).slice(0, MAX_SERVICE_ROWS).map(({ name, pending, idleMs }) => ({ name, pending, idleMs }));
        } catch (e) {
          note(`XINFO CONSUMERS ${stream} ${g.name}`, e);
        }
        out.groups.push({ stream, group: g.name, pending: g.pending, lag: g.lag, lastDeliveredId: g.lastDeliveredId, consumers });
      }
    } catch (e) {
      if (!(e instanceof UCoreError && /WRONGTYPE|no such key/i.test(e.message))) note(`XINFO GROUPS ${stream}`, e);
    }
  }
  const plain = [...new Set(query.channels.filter((c) => !c.sharded).map((c) => c.name))].slice(0, MAX_SERVICE_ROWS);
  const sharded = [...new Set(query.channels.filter((c) => c.sharded).map((c) => c.name))].slice(0, MAX_SERVICE_ROWS);
  try {
    for (const c of await transport.pubsubNumsub(plain)) out.channels.push({ channel: c.channel, sharded: false, subscribers: c.subscribers });
  } catch (e) {
    note('PUBSUB NUMSUB', e);
  }
  if (sharded.length) {
    try {
      for (const c of await transport.pubsubShardNumsub(sharded)) out.channels.push({ channel: c.channel, sharded: true, subscribers: c.subscribers });
    } catch (e) {
      note('PUBSUB SHARDNUMSUB', e);
    }
  }
  try {
    for (const c of await transport.clientList()) {
      if (!c.name) { out.unnamedClients++; continue; }
      if (out.clients.length < MAX_SERVICE_ROWS) out.clients.push({ name: clip(c.name, 120), addr: c.addr, cmd: c.cmd, sub: c.sub, psub: c.psub, ssub: c.ssub, idle: c.idle });
    }
  } catch (e) {
    note('CLIENT LIST', e);
  }
  return out;
}

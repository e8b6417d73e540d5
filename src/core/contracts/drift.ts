// Drift: where the running system and its contract have grown apart. From traffic: event types and properties seen
// live that the contract does not mention, and contract channels nobody sent anything on. From the server: contract
// channels nobody subscribes to (PUBSUB NUMSUB / SHARDNUMSUB) and stream channels missing the consumer groups the
// contract expects (XINFO GROUPS). Everything is counted in bounded maps; nothing here fails an event (that is check).
import type { EventTarget } from '../target';
import type { Transport } from '../transport/types';
import type { ContractSet } from './contract-set';
import { isRecord } from './pointer';
import { expandSchemas, type SchemaNode } from './schema-walk';
import { isRedisGlob, streamKeysOf } from './stream-sources';
import type { Contract, ContractChannel, ContractMessage, SchemaLocation } from './types';

export type DriftKind = 'unknown_event_type' | 'unknown_property' | 'no_traffic' | 'no_subscribers' | 'missing_stream' | 'missing_group';

export interface DriftFinding {
  readonly kind: DriftKind;
  /** The contract channel's address. */
  readonly channel: string;
  readonly eventType?: string;
  /** JSON pointer of an undeclared property in the events (`*` for any array item). */
  readonly property?: string;
  /** Events it was seen in. */
  readonly count?: number;
  readonly message: string;
  /** Where the contract should have said it. */
  readonly schema: SchemaLocation;
}

/** Distinct unknown types and properties remembered; more are counted in the last one's place. */
const MAX_TRACKED = 500;
/** Levels of an event compared with its schema. */
const MAX_WALK_DEPTH = 8;
const MAX_WALK_KEYS = 200;
const MAX_WALK_ITEMS = 20;

type Schema = SchemaNode;

/** Compares events with a contract: what they carry that it does not say. */
export class DriftObserver {
  private readonly traffic = new Map<ContractChannel, number>();
  private readonly unknownTypes = new Map<string, { channel: ContractChannel; eventType: string; count: number }>();
  private readonly unknownProps = new Map<string, { channel: ContractChannel; message: ContractMessage; eventType: string; property: string; count: number }>();
  observed = 0;

  constructor(private readonly contract: Contract, private readonly set: ContractSet) {}

  observe(target: EventTarget, text: string): void {
    let event: unknown;
    try { event = JSON.parse(text); } catch { event = undefined; }
    const r = this.set.check(target, event);
    if (!r.channel || r.contract !== this.contract) return;
    this.observed++;
    this.traffic.set(r.channel, (this.traffic.get(r.channel) ?? 0) + 1);
    if (!r.message) {
      if (r.issues.some((i) => i.code === 'unknown_event_type' || (i.code === 'missing' && i.path[0] === 'event_type'))) {
        this.bump(this.unknownTypes, `${r.channel.key}\u0000${r.eventType}`, () => ({ channel: r.channel!, eventType: r.eventType, count: 0 }));
      }
      return;
    }
    const schema = r.message.payload?.schema;
    if (!schema || typeof schema !== 'object' || !isRecord(event)) return;
    const defs = isRecord((schema as Schema).$defs) ? (schema as Schema).$defs as Record<string, unknown> : {};
    const found = new Set<string>();
    undeclared(event, [schema as Schema], defs, '', 0, found);
    for (const property of found) {
      this.bump(this.unknownProps, `${r.channel.key}\u0000${r.message.key}\u0000${property}`, () => ({ channel: r.channel!, message: r.message!, eventType: r.eventType, property, count: 0 }));
    }
  }

  private bump<T extends { count: number }>(map: Map<string, T>, key: string, make: () => T): void {
    let entry = map.get(key);
    if (!entry) {
      if (map.size >= MAX_TRACKED) return;
      entry = make();
      map.set(key, entry);
    }
    entry.count++;
  }

  /** Drift seen in the traffic so far (`noTraffic`: also the channels that had none). */
  findings(noTraffic = true): DriftFinding[] {
    const out: DriftFinding[] = [];
    const c = this.contract;
    for (const u of this.unknownTypes.values()) {
      out.push({ kind: 'unknown_event_type', channel: u.channel.address, eventType: u.eventType, count: u.count, schema: c.locate(`${u.channel.pointer}/messages`),
        message: u.eventType ? `event type "${u.eventType}" is sent but not in the contract` : 'events without event_type are sent but the contract tells its messages apart by it' });
    }
    for (const p of this.unknownProps.values()) {
      out.push({ kind: 'unknown_property', channel: p.channel.address, eventType: p.eventType, property: p.property, count: p.count, schema: c.locate(p.message.payloadPointer ?? p.message.pointer),
        message: `property ${p.property} of "${p.eventType || p.message.eventType}" is sent but not in the contract` });
    }
    if (noTraffic) {
      for (const ch of c.channels) {
        if (!this.traffic.has(ch)) out.push({ kind: 'no_traffic', channel: ch.address, schema: c.locate(ch.pointer), message: `no event seen on ${describeChannel(ch)}` });
      }
    }
    return out;
  }
}

/** Collects the pointers of properties in `value` that none of `schemas` declares, where the schemas list properties. */
function undeclared(value: unknown, schemas: Schema[], defs: Record<string, unknown>, at: string, depth: number, out: Set<string>): void {
  if (depth > MAX_WALK_DEPTH || out.size >= MAX_TRACKED) return;
  const nodes = expandSchemas(schemas, defs);
  if (Array.isArray(value)) {
    const items = nodes.map((n) => n.items).filter(isRecord) as Schema[];
    if (items.length) for (const v of value.slice(0, MAX_WALK_ITEMS)) undeclared(v, items, defs, `${at}/*`, depth + 1, out);
    return;
  }
  if (!isRecord(value)) return;
  // A schema without `properties`, or one that admits more by pattern or by an additionalProperties schema, declares
  // what it accepts by other means: nothing under it is drift.
  if (!nodes.some((n) => isRecord(n.properties)) || nodes.some((n) => n.patternProperties !== undefined || isRecord(n.additionalProperties))) return;
  for (const key of Object.keys(value).slice(0, MAX_WALK_KEYS)) {
    const child = nodes.map((n) => (isRecord(n.properties) ? n.properties[key] : undefined)).filter(isRecord) as Schema[];
    const pointer = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!child.length) out.add(pointer);
    else undeclared(value[key], child, defs, pointer, depth + 1, out);
  }
}

function describeChannel(ch: ContractChannel): string {
  return `${ch.kind === 'stream' ? 'stream' : ch.kind === 'shard' ? 'shard channel' : 'channel'} ${ch.address}`;
}

/** Drift the server shows now: channels without subscribers, streams or consumer groups that are missing. */
export async function serverDrift(transport: Transport, contract: Contract, signal?: AbortSignal): Promise<DriftFinding[]> {
  const out: DriftFinding[] = [];
  for (const ch of contract.channels) {
    if (signal?.aborted) break;
    const schema = contract.locate(ch.pointer);
    if (ch.kind === 'stream') {
      const keys = (await streamKeysOf(transport, ch.address, signal)).slice(0, 100);
      const present = [];
      for (const key of keys) if ((await transport.type(key)) === 'stream') present.push(key);
      if (!present.length) { out.push({ kind: 'missing_stream', channel: ch.address, schema, message: isRedisGlob(ch.address) ? `no stream matches ${ch.address}` : `stream ${ch.address} does not exist` }); continue; }
      if (!ch.groups.length) continue;
      const groupsAt = contract.locate(`${ch.pointer}/x-ucore/groups`);
      for (const key of present) {
        const have = new Set((await transport.xinfoGroups(key)).map((g) => g.name));
        for (const g of ch.groups) if (!have.has(g)) out.push({ kind: 'missing_group', channel: ch.address, schema: groupsAt, message: `stream ${key} has no consumer group "${g}"` });
      }
      continue;
    }
    const shard = ch.kind === 'shard';
    let names: string[];
    if (isRedisGlob(ch.address)) names = (shard ? [] : await transport.pubsubChannels(ch.address)).slice(0, 1000);
    else names = [ch.address];
    const counts = names.length ? await (shard ? transport.pubsubShardNumsub(names) : transport.pubsubNumsub(names)) : [];
    if (!counts.some((c) => c.subscribers > 0)) {
      out.push({ kind: 'no_subscribers', channel: ch.address, schema,
        message: `${isRedisGlob(ch.address) ? `no channel matching ${ch.address} has` : `${describeChannel(ch)} has`} no subscriber${shard ? '' : ' (pattern subscribers are not counted by Redis)'}` });
    }
  }
  return out;
}

// The contracts of a workspace (or of a CLI run) as one checker: which contract channel a Redis channel or stream
// belongs to, which of its messages an event is (by `event_type`, then `version`), and what is wrong with the event.
// Checking is synchronous and cheap on the hot path: channel lookups are cached per name and schemas compiled once.
import { isRecord } from './pointer';
import type { EventTarget } from '../target';
import { ANY_EVENT_TYPE } from './json-schema-file';
import type { ContractLibs } from './libs';
import { MessageValidator } from './validator';
import { KIND_TO_TARGET, type Contract, type ContractChannel, type ContractIssue, type ContractMessage } from './types';

export interface ContractCheck {
  /** False when no contract speaks about this channel or stream: nothing was checked. */
  readonly covered: boolean;
  readonly contract?: Contract;
  readonly channel?: ContractChannel;
  /** The message the event was checked against; absent when its type or version is not in the contract. */
  readonly message?: ContractMessage;
  /** The event's `event_type`, as found ('' when it has none). */
  readonly eventType: string;
  readonly issues: readonly ContractIssue[];
}

interface Bound { contract: Contract; channel: ContractChannel }

const LOOKUP_CACHE = 4096;
const DEFAULT_VERSION = '1.0';

export class ContractSet {
  private readonly validator: MessageValidator;
  /** Per target kind, name → channels: no key string is built per event on the monitor's path. */
  private readonly lookups: Record<EventTarget['kind'], Map<string, Bound[]>> = { channel: new Map(), shard: new Map(), stream: new Map() };

  constructor(readonly contracts: readonly Contract[], libs: ContractLibs) {
    this.validator = new MessageValidator(libs);
  }

  get problems() {
    return this.contracts.flatMap((c) => c.problems);
  }

  /** The contract channels that speak about `target`, literal addresses first. */
  channelsFor(target: EventTarget): readonly Bound[] {
    const cache = this.lookups[target.kind];
    let found = cache.get(target.name);
    if (!found) {
      found = [];
      for (const contract of this.contracts) {
        for (const channel of contract.channels) {
          if (KIND_TO_TARGET[channel.kind] === target.kind && channel.matches(target.name)) found.push({ contract, channel });
        }
      }
      found.sort((a, b) => Number(a.channel.address !== target.name) - Number(b.channel.address !== target.name));
      if (cache.size >= LOOKUP_CACHE) cache.clear();
      cache.set(target.name, found);
    }
    return found;
  }

  /** Checks a parsed event sent to (or seen on) `target`. */
  check(target: EventTarget, event: unknown): ContractCheck {
    const bound = this.channelsFor(target);
    const eventType = isRecord(event) && typeof event.event_type === 'string' ? event.event_type : '';
    if (bound.length === 0) return { covered: false, eventType, issues: [] };
    const { contract, channel, message, issues } = pick(bound, event, eventType);
    if (!message) return { covered: true, contract, channel, eventType, issues };
    return { covered: true, contract, channel, message, eventType, issues: this.validator.check(contract, message, event) };
  }

  /** Checks JSON text; text that is not JSON is a violation on a contract channel. */
  checkText(target: EventTarget, text: string): ContractCheck {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      const bound = this.channelsFor(target)[0];
      if (!bound) return { covered: false, eventType: '', issues: [] };
      return { covered: true, ...bound, eventType: '', issues: [{ path: [], code: 'not_object', message: 'the message is not JSON', schema: bound.contract.locate(bound.channel.pointer) }] };
    }
    return this.check(target, event);
  }

  /**
   * Compiles every message's check ahead of the traffic, one message per turn of the event loop, until `stop()` says
   * so. Without it the first events of each type paid for ajv and the compile on the monitor's path: at 100,000
   * events/s the extension host's event loop stood still for 0.9 s when traffic on contract channels began.
   */
  async warmUp(stop: () => boolean = () => false): Promise<void> {
    for (const contract of this.contracts) {
      for (const channel of contract.channels) {
        for (const message of channel.messages) {
          if (stop()) return;
          this.validator.compile(message);
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    }
  }

  /** Whether a message's schema could be compiled, or why not (for lint). */
  compileProblem(message: ContractMessage): string | undefined {
    const c = this.validator.compile(message);
    return 'error' in c && message.payload ? c.error : undefined;
  }
}

/** A channel's messages by event type, built once: picking a message is a map lookup on the hot path. */
interface MessageIndex { byType: Map<string, ContractMessage[]>; any: ContractMessage[] }
const indexes = new WeakMap<ContractChannel, MessageIndex>();

function indexOf(channel: ContractChannel): MessageIndex {
  let ix = indexes.get(channel);
  if (!ix) {
    ix = { byType: new Map(), any: [] };
    for (const m of channel.messages) {
      if (m.eventType === ANY_EVENT_TYPE) { ix.any.push(m); continue; }
      const list = ix.byType.get(m.eventType);
      if (list) list.push(m); else ix.byType.set(m.eventType, [m]);
    }
    indexes.set(channel, ix);
  }
  return ix;
}

function pick(bound: readonly Bound[], event: unknown, eventType: string): Bound & { message?: ContractMessage; issues: ContractIssue[] } {
  for (const b of bound) {
    const ix = indexOf(b.channel);
    const typed = ix.byType.get(eventType);
    const candidates = typed ? (ix.any.length ? [...typed, ...ix.any] : typed) : ix.any;
    if (candidates.length === 0) continue;
    const version = isRecord(event) && typeof event.version === 'string' ? event.version : DEFAULT_VERSION;
    let exact: ContractMessage | undefined;
    let unversioned: ContractMessage | undefined;
    for (const m of candidates) {
      if (m.versions.length === 0) unversioned ??= m;
      else if (m.versions.includes(version)) { exact = m; break; }
    }
    exact ??= unversioned;
    if (exact) return { contract: b.contract, channel: b.channel, message: exact, issues: [] };
    const known = candidates.flatMap((m) => m.versions);
    return { ...b, issues: [{ path: ['version'], code: 'unknown_version', message: `version ${JSON.stringify(version).slice(0, 40)} of "${eventType.slice(0, 80)}" is not in the contract (it has ${known.slice(0, 10).join(', ')})`, schema: b.contract.locate(candidates[0]!.pointer) }] };
  }
  const first = bound[0]!;
  // A channel with one message that does not pin `event_type` describes every event on it, typed or not.
  const only = first.channel.messages.length === 1 ? first.channel.messages[0]! : undefined;
  if (only && !eventType) return { ...first, message: only, issues: [] };
  const known = first.channel.messages.map((m) => m.eventType);
  const message = eventType
    ? `event type "${eventType.slice(0, 80)}" is not in the contract for ${first.channel.address} (it has ${known.slice(0, 10).join(', ') || 'no messages'})`
    : `the event has no event_type; the contract for ${first.channel.address} tells its messages apart by it`;
  return { ...first, issues: [{ path: ['event_type'], code: eventType ? 'unknown_event_type' : 'missing', message, schema: first.contract.locate(joinMessages(first.channel.pointer)) }] };
}

function joinMessages(channelPointer: string): string {
  return channelPointer ? `${channelPointer}/messages` : '';
}

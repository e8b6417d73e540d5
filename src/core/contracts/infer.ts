// Infers an AsyncAPI 3.0 contract from sampled traffic: one contract channel per sampled channel, glob or stream, one
// message per `event_type` seen there (pinned by a `const`, which is how the contract tells them apart), each with the
// payload schema its samples share and the first sample as its example. Stream channels carry `x-ucore` with the
// consumer groups found on the stream. Memory is bounded: samples per channel, message types per channel, and the
// shapes themselves (infer-shape.ts) are capped. The document accepts every sample it was inferred from.
import type { ContractLibs } from './libs';
import { loadContractLibs } from './libs';
import { isRecord } from './pointer';
import { INFERRED_FORMATS, Shape, type FormatTest, type InferredFormat } from './infer-shape';
import type { ContractKind } from './types';

/** Samples taken per channel; later events are counted but not looked at. */
export const MAX_INFER_SAMPLES = 10_000;
/** Distinct event types per channel; events of further types are counted under `skipped`. */
export const MAX_INFER_TYPES = 200;
/** An example longer than this (as JSON) is not written into the contract. */
const MAX_EXAMPLE_CHARS = 4000;

/** One channel, glob or stream to sample; `address` is what the contract calls it (a glob for a family of channels). */
export interface InferSource {
  readonly kind: ContractKind;
  readonly address: string;
}

interface MessageStats { eventType: string; shape: Shape; example: unknown; count: number }

interface ChannelStats {
  source: InferSource;
  groups: string[];
  seen: number;
  sampled: number;
  /** Events not described: not JSON objects, types past the cap, or untyped events beside typed ones. */
  skipped: number;
  messages: Map<string, MessageStats>;
}

export interface InferredContract {
  /** The AsyncAPI document as plain data. */
  readonly document: Record<string, unknown>;
  /** Events sampled in all, and notes on what the document does not describe. */
  readonly sampled: number;
  readonly notes: readonly string[];
}

export class ContractInferrer {
  private readonly channels = new Map<string, ChannelStats>();

  constructor(sources: readonly InferSource[], private readonly formatTest: FormatTest) {
    for (const s of sources) this.channels.set(idOf(s), { source: s, groups: [], seen: 0, sampled: 0, skipped: 0, messages: new Map() });
  }

  /** Total events looked at so far. */
  get sampled(): number {
    let n = 0;
    for (const c of this.channels.values()) n += c.sampled;
    return n;
  }

  /** The consumer groups found on a stream source. */
  setGroups(source: InferSource, groups: readonly string[]): void {
    const c = this.channels.get(idOf(source));
    if (c) c.groups = [...groups].slice(0, 100);
  }

  /** One event's JSON text seen on `source`. Returns false when the channel had enough samples already. */
  addText(source: InferSource, text: string): boolean {
    const c = this.channels.get(idOf(source));
    if (!c) return false;
    c.seen++;
    if (c.sampled >= MAX_INFER_SAMPLES) return false;
    c.sampled++;
    let event: unknown;
    try { event = JSON.parse(text); } catch { c.skipped++; return true; }
    if (!isRecord(event)) { c.skipped++; return true; }
    const eventType = typeof event.event_type === 'string' ? event.event_type : '';
    let m = c.messages.get(eventType);
    if (!m) {
      if (c.messages.size >= MAX_INFER_TYPES) { c.skipped++; return true; }
      m = { eventType, shape: new Shape(0, this.formatTest), example: undefined, count: 0 };
      c.messages.set(eventType, m);
    }
    m.count++;
    m.shape.add(event);
    if (m.example === undefined && text.length <= MAX_EXAMPLE_CHARS) m.example = event;
    return true;
  }

  /** The document: channels in the order given, messages by event type. */
  result(title = 'Inferred from traffic'): InferredContract {
    const notes: string[] = [];
    const channels: Record<string, unknown> = {};
    const used = new Set<string>();
    let sampled = 0;
    for (const c of this.channels.values()) {
      sampled += c.sampled;
      const messages: Record<string, unknown> = {};
      const usedMessages = new Set<string>();
      const typed = [...c.messages.values()].filter((m) => m.eventType !== '');
      const untyped = c.messages.get('');
      // Untyped events can only be told apart when they are all the channel carries (the one-message rule).
      if (untyped && typed.length) { c.skipped += untyped.count; notes.push(`${c.source.address}: ${untyped.count} event${untyped.count === 1 ? '' : 's'} without event_type beside typed ones: not described`); }
      const described = typed.length ? typed : untyped ? [untyped] : [];
      for (const m of described.sort((a, b) => a.eventType.localeCompare(b.eventType))) {
        const key = uniqueKey(m.eventType || 'event', usedMessages);
        const payload = m.shape.toSchema(m.eventType ? { event_type: m.eventType } : undefined);
        messages[key] = {
          name: m.eventType || key,
          ...(m.eventType ? {} : { summary: 'events without event_type' }),
          payload,
          ...(m.example !== undefined ? { examples: [{ name: 'sampled', payload: m.example }] } : {}),
        };
      }
      if (c.seen > c.sampled) notes.push(`${c.source.address}: ${c.seen} events seen, the first ${c.sampled} sampled`);
      const notJson = c.skipped - (untyped && typed.length ? untyped.count : 0);
      if (notJson > 0) notes.push(`${c.source.address}: ${notJson} event${notJson === 1 ? '' : 's'} not described (not a JSON object, or past ${MAX_INFER_TYPES} types)`);
      if (c.sampled === 0) notes.push(`${c.source.address}: no events seen; the channel has no messages`);
      const channel: Record<string, unknown> = { address: c.source.address };
      if (c.source.kind !== 'pubsub') channel['x-ucore'] = { kind: c.source.kind, ...(c.source.kind === 'stream' ? { groups: c.groups } : {}) };
      channel.messages = messages;
      channels[uniqueKey(c.source.address, used)] = channel;
    }
    const document = {
      asyncapi: '3.0.0',
      info: {
        title,
        version: '0.1.0',
        description: `Inferred by UCore from ${sampled} event${sampled === 1 ? '' : 's'} sampled at ${new Date().toISOString()}. Review before use: required properties, enums and formats are what the samples had in common.`,
      },
      channels,
    };
    return { document, sampled, notes };
  }
}

function idOf(s: InferSource): string {
  return `${s.kind}\u0000${s.address}`;
}

/** A channel or message key for the document: the name with characters outside [A-Za-z0-9_.-] replaced, made unique. */
function uniqueKey(name: string, used: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100) || 'channel';
  let key = base;
  for (let i = 2; used.has(key); i++) key = `${base}_${i}`;
  used.add(key);
  return key;
}

/** Format tests by the validator's own rules (ajv-formats), so an inferred format never rejects its own samples. */
export function formatTestOf(libs: ContractLibs): FormatTest {
  const ajv = new libs.Ajv2020({ strict: false, logger: false, validateSchema: false });
  libs.addFormats(ajv);
  const checks = new Map(INFERRED_FORMATS.map((f) => [f, ajv.compile({ type: 'string', format: f })]));
  return (format: InferredFormat, value: string) => checks.get(format)!(value) as boolean;
}

export async function createContractInferrer(sources: readonly InferSource[]): Promise<ContractInferrer> {
  return new ContractInferrer(sources, formatTestOf(await loadContractLibs()));
}

/** The document as YAML (what `ucore contract infer` prints and the editor opens). */
export async function contractToYaml(document: Record<string, unknown>): Promise<string> {
  const { yaml } = await loadContractLibs();
  return yaml.stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}

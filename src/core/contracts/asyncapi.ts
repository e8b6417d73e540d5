// An AsyncAPI 3.0 document read as a contract: each channel's `address` is a Redis channel name, stream key or glob
// (`{param}` placeholders become `*`), its messages' payloads are JSON Schemas, and the messages of a channel are
// told apart by `event_type` (the payload's `const`, else the message's name, else its key). Redis specifics live in
// the channel extension `x-ucore: {kind: pubsub | shard | stream, groups: [...]}`.
import * as z from 'zod/mini';
import { compileGlob } from '../glob';
import type { ContractLibs } from './libs';
import { getAt, isRecord, joinPointer, refToPointer } from './pointer';
import { bundleSchema, type BundleProblem } from './schema-bundle';
import type { SourceDocument } from './source';
import type { BundledSchema, Contract, ContractChannel, ContractKind, ContractMessage, ContractProblem } from './types';

// Built on first use: building zod schemas when the bundle loads costs the extension's activation time.
let xUcore: ReturnType<typeof buildXUcore> | undefined;
function buildXUcore() {
  return z.looseObject({
    kind: z.optional(z.enum(['pubsub', 'shard', 'stream'])),
    groups: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.maxLength(100))),
  });
}

/** Schema formats checked as JSON Schema; anything else (Avro, Protobuf, …) is reported and not checked. */
const JSON_SCHEMA_FORMAT = /^application\/(schema\+(json|yaml)|vnd\.aai\.asyncapi(\+(json|yaml))?)(;|$)/;

/** At most this many channels and messages per channel are read. */
const MAX_CHANNELS = 2000;
const MAX_MESSAGES = 500;

/** Follows `$ref`s from the object at `pointer` (a cycle or a dead end gives undefined). */
export function follow(doc: unknown, pointer: string): { value: unknown; pointer: string } | undefined {
  let value = getAt(doc, pointer);
  for (let hops = 0; hops < 32; hops++) {
    if (!isRecord(value) || typeof value.$ref !== 'string') return { value, pointer };
    const target = refToPointer(value.$ref);
    if (target === undefined) return undefined;
    pointer = target;
    value = getAt(doc, pointer);
  }
  return undefined;
}

/** The strings a payload schema pins `property` to: its `const`, or its `enum`; looked for through `$ref` and `allOf`. */
export function pinnedValues(doc: unknown, schemaPointer: string, property: string): string[] {
  const seen = new Set<string>();
  const queue = [schemaPointer];
  while (queue.length && seen.size < 64) {
    const ptr = queue.shift()!;
    if (seen.has(ptr)) continue;
    seen.add(ptr);
    const found = follow(doc, ptr);
    if (!found || !isRecord(found.value)) continue;
    const prop = follow(doc, joinPointer(found.pointer, 'properties', property));
    if (prop && isRecord(prop.value)) {
      if (typeof prop.value.const === 'string') return [prop.value.const];
      if (Array.isArray(prop.value.enum)) return prop.value.enum.filter((v): v is string => typeof v === 'string').slice(0, 100);
    }
    if (Array.isArray(found.value.allOf)) found.value.allOf.forEach((_, i) => queue.push(joinPointer(found.pointer, 'allOf', i)));
  }
  return [];
}

/** `orders.{id}` → `orders.*`: an AsyncAPI channel parameter stands for any text in Redis terms. */
export function addressToGlob(address: string): string {
  return address.replace(/\{[^{}]*\}/g, '*');
}

export function contractFromAsyncApi(src: SourceDocument, libs: ContractLibs): Contract {
  const problems: ContractProblem[] = [...src.problems];
  const doc = src.value;
  const report = (pointer: string, message: string, severity: 'error' | 'warning' = 'error') =>
    problems.push({ ...src.locate(pointer), message, severity });
  const base = { file: src.file, locate: src.locate, problems };
  if (!isRecord(doc)) {
    if (doc !== undefined) report('', 'an AsyncAPI document is an object');
    return { ...base, title: src.file, channels: [] };
  }
  const version = doc.asyncapi;
  if (typeof version !== 'string') report('', 'the document has no "asyncapi" version field');
  else if (!version.startsWith('3.')) report('/asyncapi', `AsyncAPI ${version.slice(0, 20)} is not read; write the contract in AsyncAPI 3.0`);
  const title = isRecord(doc.info) && typeof doc.info.title === 'string' ? doc.info.title : src.file;
  const channels: ContractChannel[] = [];
  // Payload pointer → its bundle: channels that name the same message (components/messages) share one bundle, so
  // the validator compiles it once and the monitor's hot path runs one function per message, not one per channel.
  const bundles = new Map<string, BundledSchema>();
  if (!isRecord(doc.channels)) {
    if (doc.channels !== undefined) report('/channels', '"channels" is an object of channels');
    return { ...base, title, channels };
  }
  for (const key of Object.keys(doc.channels).slice(0, MAX_CHANNELS)) {
    const at = joinPointer('/channels', key);
    const found = follow(doc, at);
    if (!found || !isRecord(found.value)) { report(at, `channel "${key}" is not an object (or its $ref leads nowhere)`); continue; }
    const ch = found.value;
    let address: string;
    if (ch.address === undefined) address = key;
    else if (typeof ch.address === 'string' && ch.address !== '') address = addressToGlob(ch.address);
    else { report(joinPointer(found.pointer, 'address'), `channel "${key}" has no fixed address; its events are not checked`, 'warning'); continue; }
    let kind: ContractKind = 'pubsub';
    let groups: string[] = [];
    if (ch['x-ucore'] !== undefined) {
      const x = (xUcore ??= buildXUcore()).safeParse(ch['x-ucore']);
      if (!x.success) report(joinPointer(found.pointer, 'x-ucore'), `x-ucore: ${x.error.issues[0]?.path.join('.') ?? ''} ${x.error.issues[0]?.message ?? 'invalid'}; expected {kind: pubsub | shard | stream, groups: [names]}`);
      else { kind = x.data.kind ?? 'pubsub'; groups = x.data.groups ?? []; }
    }
    if (groups.length && kind !== 'stream') report(joinPointer(found.pointer, 'x-ucore', 'groups'), 'consumer groups belong to a stream channel (kind: stream)', 'warning');
    const messages = readMessages(doc, found.pointer, key, report, libs, bundles);
    const matcher = compileGlob(address);
    channels.push({ key, address, kind, groups, pointer: found.pointer, messages, matches: matcher });
  }
  return { ...base, title, channels };
}

function readMessages(doc: Record<string, unknown>, channelPointer: string, channelKey: string,
  report: (pointer: string, message: string, severity?: 'error' | 'warning') => void, libs: ContractLibs, bundles: Map<string, BundledSchema>): ContractMessage[] {
  const list = getAt(doc, joinPointer(channelPointer, 'messages'));
  const out: ContractMessage[] = [];
  if (list === undefined) return out;
  if (!isRecord(list)) { report(joinPointer(channelPointer, 'messages'), '"messages" is an object of messages'); return out; }
  for (const key of Object.keys(list).slice(0, MAX_MESSAGES)) {
    const at = joinPointer(channelPointer, 'messages', key);
    const ref = isRecord(list[key]) && typeof (list[key] as { $ref?: unknown }).$ref === 'string' ? refToPointer((list[key] as { $ref: string }).$ref) : undefined;
    const found = follow(doc, at);
    if (!found || !isRecord(found.value)) { report(at, `message "${key}" is not an object (or its $ref leads nowhere)`); continue; }
    const m = found.value;
    let payloadPointer: string | undefined = joinPointer(found.pointer, 'payload');
    const payload = follow(doc, payloadPointer);
    if (m.payload === undefined) payloadPointer = undefined;
    else if (payload && isRecord(payload.value) && 'schemaFormat' in payload.value && 'schema' in payload.value) {
      const format = payload.value.schemaFormat;
      if (typeof format === 'string' && !JSON_SCHEMA_FORMAT.test(format)) {
        report(joinPointer(payload.pointer, 'schemaFormat'), `schema format "${format.slice(0, 80)}" is not checked; only JSON Schema payloads are`, 'warning');
        payloadPointer = undefined;
      } else {
        payloadPointer = joinPointer(payload.pointer, 'schema');
      }
    }
    const pinned = payloadPointer ? pinnedValues(doc, payloadPointer, 'event_type') : [];
    const componentKey = ref?.startsWith('/components/messages/') ? ref.split('/').pop() : undefined;
    const eventType = pinned.length === 1 ? pinned[0]! : typeof m.name === 'string' && m.name ? m.name : componentKey ?? key;
    const versions = payloadPointer ? pinnedValues(doc, payloadPointer, 'version') : [];
    const examples = Array.isArray(m.examples)
      ? m.examples.filter(isRecord).filter((e) => 'payload' in e).slice(0, 50).map((e) => ({ name: typeof e.name === 'string' ? e.name : undefined, payload: e.payload }))
      : [];
    let bundled = payloadPointer === undefined ? undefined : bundles.get(payloadPointer);
    if (payloadPointer !== undefined && !bundled) {
      const bundleProblems: BundleProblem[] = [];
      bundled = bundleSchema(doc, payloadPointer, bundleProblems, libs.safeRegex);
      for (const p of bundleProblems) report(p.pointer, p.message, p.severity);
      bundles.set(payloadPointer, bundled);
    }
    out.push({ key, eventType, versions, pointer: found.pointer, payloadPointer, examples, payload: bundled });
  }
  const seen = new Map<string, string>();
  for (const m of out) {
    for (const v of m.versions.length ? m.versions : ['*']) {
      const id = `${m.eventType}\u0000${v}`;
      if (seen.has(id)) report(m.pointer, `channel "${channelKey}" has two messages for event type "${m.eventType}"${v === '*' ? '' : ` version ${v}`}; the first one ("${seen.get(id)}") is used`, 'warning');
      else seen.set(id, m.key);
    }
  }
  return out;
}

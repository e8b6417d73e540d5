// A plain JSON Schema file as a contract, for teams without AsyncAPI: settings bind it to a channel or stream (a name
// or a Redis glob) and, optionally, to one event type; the whole file is the payload schema of that one message.
import { compileGlob } from '../glob';
import type { ContractLibs } from './libs';
import { isRecord } from './pointer';
import { pinnedValues } from './asyncapi';
import { bundleSchema, type BundleProblem } from './schema-bundle';
import type { SourceDocument } from './source';
import type { Contract, ContractKind, ContractProblem } from './types';

export interface SchemaBinding {
  /** Channel name, stream key or Redis glob. */
  readonly channel: string;
  readonly kind?: ContractKind;
  /** The event type the schema describes; default: the schema's `event_type` const, else every event on the channel. */
  readonly eventType?: string;
}

/** The event type of a message that stands for every event on its channel. */
export const ANY_EVENT_TYPE = '*';

export function contractFromJsonSchema(src: SourceDocument, binding: SchemaBinding, libs: ContractLibs): Contract {
  const problems: ContractProblem[] = [...src.problems];
  const base = { file: src.file, title: src.file, locate: src.locate, problems };
  if (src.value === undefined) return { ...base, channels: [] };
  if (!isRecord(src.value) && typeof src.value !== 'boolean') {
    problems.push({ ...src.locate(''), message: 'a JSON Schema is an object', severity: 'error' });
    return { ...base, channels: [] };
  }
  const bundleProblems: BundleProblem[] = [];
  const payload = bundleSchema(src.value, '', bundleProblems, libs.safeRegex);
  for (const p of bundleProblems) problems.push({ ...src.locate(p.pointer), message: p.message, severity: p.severity });
  const pinned = pinnedValues(src.value, '', 'event_type');
  const eventType = binding.eventType ?? (pinned.length === 1 ? pinned[0]! : ANY_EVENT_TYPE);
  const examples = isRecord(src.value) && Array.isArray(src.value.examples) ? src.value.examples.slice(0, 50).map((payload) => ({ payload })) : [];
  const message = { key: eventType, eventType, versions: pinnedValues(src.value, '', 'version'), pointer: '', payloadPointer: '', examples, payload };
  const channel = { key: binding.channel, address: binding.channel, kind: binding.kind ?? 'pubsub', groups: [], pointer: '', messages: [message], matches: compileGlob(binding.channel) };
  return { ...base, channels: [channel] };
}

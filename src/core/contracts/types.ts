// The contract model the core checks events against: where a rule lives in its file (for the editor and the CLI),
// what a channel of a contract accepts, and what is wrong with an event or with the contract document itself.
import type { ValidationIssue } from '../envelope/issues';
import type { TargetKind } from '../target';

/** A place in a contract file: a JSON pointer into the document and where it is written (1-based line and column). */
export interface SchemaLocation {
  readonly file: string;
  readonly pointer: string;
  readonly line: number;
  readonly column: number;
}

/** A validation issue of an event, with the rule of the contract it broke (absent when no rule is to blame). */
export interface ContractIssue extends ValidationIssue {
  readonly schema?: SchemaLocation;
}

/** Something wrong with a contract document itself: `ucore contract lint`, Problems on the contract file. */
export interface ContractProblem extends SchemaLocation {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** `x-ucore.kind`: how the channel's events travel on Redis. */
export type ContractKind = 'pubsub' | 'shard' | 'stream';

export const KIND_TO_TARGET: Readonly<Record<ContractKind, TargetKind>> = { pubsub: 'channel', shard: 'shard', stream: 'stream' };

/** A JSON Schema made self-contained (local `$ref`s copied under `$defs`), with where each of its objects came from. */
export interface BundledSchema {
  readonly schema: object | boolean;
  /** Each object of `schema` → the JSON pointer of the document object it was copied from. */
  readonly origin: ReadonlyMap<object, string>;
}

export interface ContractMessage {
  /** The key the message has in its channel's `messages`. */
  readonly key: string;
  /** The `event_type` it stands for: the payload's `const`, else the message's name, else its key. */
  readonly eventType: string;
  /** Versions the payload schema allows (`version` const or enum); empty when it does not say. */
  readonly versions: readonly string[];
  /** JSON pointer of the message object (after `$ref`s) and of its payload schema. */
  readonly pointer: string;
  readonly payloadPointer: string | undefined;
  /** Example payloads from the message's `examples`. */
  readonly examples: ReadonlyArray<{ name?: string; payload: unknown }>;
  /** undefined when the payload is not checked (no payload, or a schema format we do not check). */
  readonly payload: BundledSchema | undefined;
}

export interface ContractChannel {
  readonly key: string;
  /** The Redis channel name, stream key or glob. */
  readonly address: string;
  readonly kind: ContractKind;
  /** Consumer groups expected on a stream channel. */
  readonly groups: readonly string[];
  readonly pointer: string;
  readonly messages: readonly ContractMessage[];
  matches(name: string): boolean;
}

export interface Contract {
  readonly file: string;
  readonly title: string;
  readonly channels: readonly ContractChannel[];
  readonly problems: readonly ContractProblem[];
  /** Line and column of a JSON pointer in the file (the nearest written ancestor when the pointer is not written). */
  locate(pointer: string): SchemaLocation;
}

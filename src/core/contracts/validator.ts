// Checks a payload against one contract message with ajv (JSON Schema 2020-12, formats from ajv-formats). Each
// message's schema is compiled once, on the first event that needs it; a schema ajv refuses is reported once and
// then accepts everything rather than failing every event. Ajv's errors become the core's ValidationIssues (a path
// of keys and indexes into the event) with the contract rule each broke, traced back to its line in the file.
import type { ErrorObject, ValidateFunction } from 'ajv';
import type Ajv2020 from 'ajv/dist/2020.js';
import { MAX_ISSUES, type ValidationIssueCode } from '../envelope/issues';
import { useFastFormats } from './fast-formats';
import type { ContractLibs } from './libs';
import { joinPointer } from './pointer';
import type { BundledSchema, Contract, ContractIssue, ContractMessage } from './types';

type Compiled = { validate: ValidateFunction } | { error: string };
const NO_PAYLOAD: Compiled = { error: 'no payload schema' };

const CODES: Readonly<Record<string, ValidationIssueCode>> = {
  type: 'invalid_type', required: 'missing', dependentRequired: 'missing',
  minimum: 'too_small', exclusiveMinimum: 'too_small', minLength: 'too_small', minItems: 'too_small', minProperties: 'too_small', minContains: 'too_small',
  maximum: 'too_big', exclusiveMaximum: 'too_big', maxLength: 'too_big', maxItems: 'too_big', maxProperties: 'too_big', maxContains: 'too_big',
  format: 'invalid_format', pattern: 'invalid_format', multipleOf: 'not_multiple_of',
  additionalProperties: 'unrecognized_keys', unevaluatedProperties: 'unrecognized_keys',
  enum: 'invalid_value', const: 'invalid_value', anyOf: 'invalid_union', oneOf: 'invalid_union',
};

export class MessageValidator {
  private ajv: Ajv2020 | undefined;
  /** By bundle, not by message: messages that share a payload schema (one component, many channels) share its check. */
  private readonly compiled = new WeakMap<BundledSchema, Compiled>();

  constructor(private readonly libs: ContractLibs) {}

  private instance(): Ajv2020 {
    if (!this.ajv) {
      // verbose: each error carries the schema object it came from, which is how it is traced to the file.
      this.ajv = new this.libs.Ajv2020({ allErrors: true, strict: false, verbose: true, logger: false, unicodeRegExp: true, validateSchema: false });
      this.libs.addFormats(this.ajv);
      useFastFormats(this.ajv);
    }
    return this.ajv;
  }

  /** The compiled check of a message, or why it has none. */
  compile(message: ContractMessage): Compiled {
    const payload = message.payload;
    if (!payload) return NO_PAYLOAD;
    let c = this.compiled.get(payload);
    if (!c) {
      try {
        c = { validate: this.instance().compile(payload.schema) };
      } catch (e) {
        c = { error: e instanceof RangeError ? 'the schema is nested too deeply to compile' : String((e as Error).message).split('\n')[0]!.slice(0, 300) };
      }
      this.compiled.set(payload, c);
    }
    return c;
  }

  /** The issues of `payload` against `message`; [] when it conforms (or the message has no checkable schema). */
  check(contract: Contract, message: ContractMessage, payload: unknown): ContractIssue[] {
    const c = this.compile(message);
    if ('error' in c) return [];
    let ok: boolean;
    try {
      ok = c.validate(payload) as boolean;
    } catch (e) {
      return [{ path: [], code: 'check_failed', message: e instanceof RangeError ? 'the event is nested too deeply to check' : `the check failed: ${(e as Error).message}`.slice(0, 300) }];
    }
    if (ok) return [];
    return (c.validate.errors ?? []).slice(0, MAX_ISSUES).map((err) => toIssue(contract, message, payload, err));
  }
}

function toIssue(contract: Contract, message: ContractMessage, payload: unknown, err: ErrorObject): ContractIssue {
  const path = instancePath(payload, err.instancePath);
  const params = err.params as Record<string, unknown>;
  if (err.keyword === 'required' && typeof params.missingProperty === 'string') path.push(params.missingProperty);
  const extra = params.additionalProperty ?? params.unevaluatedProperty;
  if (typeof extra === 'string') path.push(extra);
  const origin = err.parentSchema ? message.payload?.origin.get(err.parentSchema) : undefined;
  const pointer = origin !== undefined ? joinPointer(origin, err.keyword) : message.payloadPointer ?? message.pointer;
  return { path, code: CODES[err.keyword] ?? 'custom', message: describe(err), schema: contract.locate(pointer) };
}

function describe(err: ErrorObject): string {
  const params = err.params as Record<string, unknown>;
  const short = (v: unknown) => { const s = JSON.stringify(v) ?? String(v); return s.length > 60 ? `${s.slice(0, 60)}…` : s; };
  switch (err.keyword) {
    case 'required': return 'required by the contract';
    case 'additionalProperties': case 'unevaluatedProperties': return 'not allowed by the contract';
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return `must be one of ${allowed.slice(0, 8).map(short).join(', ')}${allowed.length > 8 ? `, … (${allowed.length})` : ''}`;
    }
    case 'const': return `must be ${short(params.allowedValue)}`;
    default: return err.message ?? err.keyword;
  }
}

/** "/data/items/0" → ['data', 'items', 0]: an index only where the event has an array. */
function instancePath(payload: unknown, pointer: string): Array<string | number> {
  if (!pointer) return [];
  const out: Array<string | number> = [];
  let node: unknown = payload;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.includes('~') ? raw.replace(/~1/g, '/').replace(/~0/g, '~') : raw;
    if (Array.isArray(node)) { out.push(Number(seg)); node = node[Number(seg)]; } else {
      out.push(seg);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

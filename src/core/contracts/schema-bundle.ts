// Makes one payload schema self-contained for the validator: every local `$ref` ("#/components/schemas/Order", at any
// depth, cycles included) is copied once under the bundle's own `$defs` and pointed at there, so the schema compiles
// alone and a cycle stays a cycle (the validator handles recursive schemas; we never expand them). A remote `$ref`
// is never fetched: it accepts anything and is reported. Every copied object remembers the document pointer it came
// from, which is how a failed rule is traced back to its line in the file.
import { getAt, joinPointer, refToPointer } from './pointer';
import type { BundledSchema } from './types';

/** More schema objects than this in one payload's bundle are not copied (they accept anything) and are reported. */
export const MAX_SCHEMA_NODES = 50_000;
/** Longer `pattern`s are not run. */
export const MAX_PATTERN_LENGTH = 1000;

export interface BundleProblem { pointer: string; message: string; severity: 'error' | 'warning' }

// Keywords that would move the base URI or resolve dynamically: the bundle is resolved by us, once, by pointer.
const DROPPED = new Set(['$id', 'id', '$schema', '$anchor', '$dynamicAnchor', '$recursiveAnchor']);

/** Whether a `pattern` is safe to run on every event: not catastrophically backtracking, not huge, and valid. */
export function patternProblem(pattern: string, safeRegex: (re: string, opts?: { limit?: number }) => boolean): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern longer than ${MAX_PATTERN_LENGTH} characters: not checked`;
  try { new RegExp(pattern, 'u'); } catch { return 'pattern is not a valid regular expression: not checked'; }
  if (!safeRegex(pattern, { limit: 25 })) return 'pattern may backtrack catastrophically: not checked';
  return undefined;
}

export function bundleSchema(doc: unknown, pointer: string, problems: BundleProblem[], safeRegex: (re: string, opts?: { limit?: number }) => boolean): BundledSchema {
  const origin = new Map<object, string>();
  const defs: Record<string, unknown> = {};
  const defName = new Map<string, string>();
  const queue: string[] = [];
  let nodes = 0;
  let truncated = false;

  const nameFor = (target: string): string => {
    let name = defName.get(target);
    if (!name) {
      name = `r${defName.size}`;
      defName.set(target, name);
      queue.push(target);
    }
    return name;
  };

  // Iterative copy: a hostile document may nest deeply, and the copy must never run out of stack.
  const copy = (source: unknown, at: string): unknown => {
    if (typeof source === 'boolean') return source;
    if (!source || typeof source !== 'object') return {};
    const root = Array.isArray(source) ? [] as unknown[] : {} as Record<string, unknown>;
    const stack: Array<[unknown, string, Record<string, unknown> | unknown[]]> = [[source, at, root]];
    while (stack.length) {
      const [src, ptr, out] = stack.pop()!;
      if (++nodes > MAX_SCHEMA_NODES) {
        if (!truncated) problems.push({ pointer: ptr, message: `schema has more than ${MAX_SCHEMA_NODES} parts; the rest is not checked`, severity: 'warning' });
        truncated = true;
        continue;
      }
      if (!Array.isArray(out)) origin.set(out, ptr);
      const entries: Array<[string | number, unknown]> = Array.isArray(src) ? src.map((v, i) => [i, v]) : Object.entries(src as object);
      for (const [k, v] of entries) {
        const childPtr = joinPointer(ptr, k);
        if (!Array.isArray(out)) {
          const key = k as string;
          if (DROPPED.has(key) && typeof v === 'string') continue;
          if ((key === '$ref' || key === '$dynamicRef' || key === '$recursiveRef') && typeof v === 'string') {
            const target = refToPointer(v);
            if (target === undefined) {
              problems.push({ pointer: childPtr, message: `remote $ref "${v.slice(0, 200)}" is not fetched; that part accepts anything`, severity: 'warning' });
            } else if (getAt(doc, target) === undefined) {
              problems.push({ pointer: childPtr, message: `$ref "${v.slice(0, 200)}" points at nothing in the document; that part accepts anything`, severity: 'error' });
            } else {
              out.$ref = `#/$defs/${nameFor(target)}`;
            }
            continue;
          }
          if (key === 'pattern' && typeof v === 'string') {
            const p = patternProblem(v, safeRegex);
            if (p) { problems.push({ pointer: childPtr, message: p, severity: 'warning' }); continue; }
          }
          if (key === 'patternProperties' && v && typeof v === 'object' && !Array.isArray(v)) {
            const kept: Record<string, unknown> = {};
            for (const [re, sub] of Object.entries(v)) {
              const p = patternProblem(re, safeRegex);
              if (p) problems.push({ pointer: joinPointer(childPtr, re), message: `patternProperties ${p}`, severity: 'warning' });
              else kept[re] = sub;
            }
            const child: Record<string, unknown> = {};
            out[key] = child;
            stack.push([kept, childPtr, child]);
            origin.set(child, childPtr);
            continue;
          }
        }
        let value: unknown = v;
        if (v && typeof v === 'object') {
          value = Array.isArray(v) ? [] : {};
          stack.push([v, childPtr, value as Record<string, unknown> | unknown[]]);
        }
        if (Array.isArray(out)) out[k as number] = value;
        else out[k as string] = value;
      }
    }
    return root;
  };

  const rootName = nameFor(pointer);
  while (queue.length) {
    const target = queue.shift()!;
    defs[defName.get(target)!] = copy(getAt(doc, target), target);
  }
  const schema = { $defs: defs, $ref: `#/$defs/${rootName}` };
  origin.set(schema, pointer);
  return { schema, origin };
}

// Reading a bundled payload schema by path, for people rather than the validator: which properties an object at a
// path may have (names, required, type, description), which values a property takes (`const`/`enum`), following
// `$ref` into the bundle's `$defs` and through allOf/anyOf/oneOf. Used by drift (what the contract declares) and by
// `.events` completion (what to offer). Bounded: a hostile schema with cycles or huge fan-out stops at the caps.
import { isRecord } from './pointer';
import type { BundledSchema } from './types';

export type SchemaNode = Record<string, unknown>;

const MAX_EXPANDED = 64;
const MAX_OFFERED = 500;

/** The schemas plus what their `$ref`s (into `$defs`) and allOf/anyOf/oneOf lead to. */
export function expandSchemas(schemas: readonly SchemaNode[], defs: Readonly<Record<string, unknown>>): SchemaNode[] {
  const out: SchemaNode[] = [];
  const queue = [...schemas];
  while (queue.length && out.length < MAX_EXPANDED) {
    const s = queue.shift()!;
    if (out.includes(s)) continue;
    out.push(s);
    if (typeof s.$ref === 'string' && s.$ref.startsWith('#/$defs/')) {
      const target = defs[s.$ref.slice('#/$defs/'.length)];
      if (isRecord(target)) queue.push(target);
    }
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(s[k])) queue.push(...(s[k] as unknown[]).filter(isRecord));
  }
  return out;
}

export function defsOf(bundled: BundledSchema): Record<string, unknown> {
  const s = bundled.schema;
  return isRecord(s) && isRecord(s.$defs) ? s.$defs : {};
}

/** The schemas that describe the value at `path` (object keys, array indexes); [] when the schema does not say. */
export function schemasAt(bundled: BundledSchema, path: ReadonlyArray<string | number>): SchemaNode[] {
  const defs = defsOf(bundled);
  let nodes = isRecord(bundled.schema) ? expandSchemas([bundled.schema], defs) : [];
  for (const seg of path) {
    const next: SchemaNode[] = [];
    for (const n of nodes) {
      if (typeof seg === 'number') {
        if (isRecord(n.items)) next.push(n.items);
        if (Array.isArray(n.prefixItems) && isRecord(n.prefixItems[seg])) next.push(n.prefixItems[seg] as SchemaNode);
      } else if (isRecord(n.properties) && isRecord(n.properties[seg])) {
        next.push(n.properties[seg] as SchemaNode);
      }
    }
    if (!next.length) return [];
    nodes = expandSchemas(next, defs);
  }
  return nodes;
}

export interface OfferedProperty { name: string; required: boolean; type?: string; description?: string }

/** The properties the schemas at a path declare, required ones first. */
export function propertiesOf(nodes: readonly SchemaNode[], defs: Readonly<Record<string, unknown>>): OfferedProperty[] {
  const out = new Map<string, OfferedProperty>();
  const required = new Set(nodes.flatMap((n) => (Array.isArray(n.required) ? n.required.filter((r): r is string => typeof r === 'string') : [])));
  for (const n of nodes) {
    if (!isRecord(n.properties)) continue;
    for (const [name, sub] of Object.entries(n.properties)) {
      if (out.size >= MAX_OFFERED) break;
      if (out.has(name)) continue;
      const described = isRecord(sub) ? expandSchemas([sub], defs) : [];
      const type = described.map((d) => d.type).find((t) => t !== undefined);
      const description = described.map((d) => d.description).find((d): d is string => typeof d === 'string');
      out.set(name, { name, required: required.has(name), type: Array.isArray(type) ? type.join(' | ') : typeof type === 'string' ? type : undefined, description });
    }
  }
  return [...out.values()].sort((a, b) => Number(b.required) - Number(a.required));
}

/** The values the schemas allow (`const` and `enum`), in the order written. */
export function valuesOf(nodes: readonly SchemaNode[]): unknown[] {
  const out: unknown[] = [];
  for (const n of nodes) {
    if ('const' in n) out.push(n.const);
    if (Array.isArray(n.enum)) out.push(...n.enum.slice(0, MAX_OFFERED));
  }
  const seen = new Set<string>();
  return out.filter((v) => { const k = JSON.stringify(v); if (seen.has(k)) return false; seen.add(k); return true; }).slice(0, MAX_OFFERED);
}

// Reads a contract file (YAML or JSON: JSON is YAML 1.2) into plain data, keeping its syntax tree so a JSON pointer can
// be turned back into a line and column. Hostile files end in problems, never in a throw or a hang: size and nesting
// are capped, aliases are counted (no "billion laughs"), and a parser that runs out of stack is caught.
import type { Document, LineCounter } from 'yaml';
import type { ContractLibs } from './libs';
import { splitPointer } from './pointer';
import type { ContractProblem, SchemaLocation } from './types';

/** Larger files are refused: a contract is written by people, and every event is checked against it. */
export const MAX_CONTRACT_BYTES = 4 * 1024 * 1024;
/** Deeper documents are refused before anything walks them recursively. */
export const MAX_CONTRACT_DEPTH = 128;
const MAX_ALIASES = 1000;
/** Located pointers remembered per document. */
const MAX_LOCATED = 10_000;

type YamlModule = ContractLibs['yaml'];

export interface SourceDocument {
  readonly file: string;
  /** The document as plain data; undefined when it could not be read. */
  readonly value: unknown;
  readonly problems: ContractProblem[];
  locate(pointer: string): SchemaLocation;
}

export function readSource(yaml: YamlModule, file: string, text: string): SourceDocument {
  const problems: ContractProblem[] = [];
  const at = (line: number, column: number, message: string, severity: 'error' | 'warning' = 'error') =>
    problems.push({ file, pointer: '', line, column, message, severity });
  const none = { file, value: undefined, problems, locate: (pointer: string) => ({ file, pointer, line: 1, column: 1 }) };
  if (text.length > MAX_CONTRACT_BYTES) {
    at(1, 1, `the file is larger than ${MAX_CONTRACT_BYTES / 1024 / 1024} MiB; it is not read`);
    return none;
  }
  if (nestingOfText(text) > MAX_CONTRACT_DEPTH * 2) {
    at(1, 1, `the document is nested deeper than ${MAX_CONTRACT_DEPTH} levels; it is not read`);
    return none;
  }
  const lineCounter = new yaml.LineCounter();
  let doc: Document.Parsed;
  let value: unknown;
  try {
    doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: false });
    for (const e of doc.errors.slice(0, 20)) {
      const pos = lineCounter.linePos(e.pos[0]);
      at(pos.line, pos.col, firstLine(e.message));
    }
    if (doc.errors.length) return none;
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    at(1, 1, e instanceof RangeError ? 'the document is nested too deeply to be read' : `the document cannot be read: ${firstLine((e as Error).message)}`);
    return none;
  }
  if (depthExceeds(value, MAX_CONTRACT_DEPTH)) {
    at(1, 1, `the document is nested deeper than ${MAX_CONTRACT_DEPTH} levels; it is not read`);
    return none;
  }
  // A broken rule is located on every violating event the monitor checks: walking the YAML tree each time cost more
  // than the check itself. The pointers are the contract's own rules (few), the cache bounded all the same.
  const located = new Map<string, SchemaLocation>();
  const locate = (pointer: string): SchemaLocation => {
    let at = located.get(pointer);
    if (!at) {
      at = locateIn(yaml, doc, lineCounter, file, pointer);
      if (located.size >= MAX_LOCATED) located.clear();
      located.set(pointer, at);
    }
    return at;
  };
  return { file, value, problems, locate };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}

/** Brackets open at most at once: a cheap bound on flow nesting, checked before the recursive parser sees the text. */
function nestingOfText(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) { if (++depth > max) max = depth; } else if (c === 0x5d || c === 0x7d) { if (depth > 0) depth--; }
  }
  return max;
}

/** True when `value` nests deeper than `limit` (walked with an explicit stack; shared aliased nodes counted once). */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  const seen = new Set<object>();
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (!v || typeof v !== 'object' || seen.has(v)) continue;
    if (d >= limit) return true;
    seen.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** Where `pointer` is written: the key of the last property found (or the item), else its nearest written ancestor. */
function locateIn(yaml: YamlModule, doc: Document.Parsed, lc: LineCounter, file: string, pointer: string): SchemaLocation {
  let node: unknown = doc.contents;
  let offset = (node as { range?: [number] } | null)?.range?.[0] ?? 0;
  for (const seg of splitPointer(pointer) ?? []) {
    if (yaml.isAlias(node)) node = node.resolve(doc);
    if (yaml.isMap(node)) {
      const pair = node.items.find((p) => (yaml.isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg);
      if (!pair) break;
      offset = (pair.key as { range?: [number] } | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (yaml.isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined || !/^\d+$/.test(seg)) break;
      offset = (item as { range?: [number] } | null)?.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  const pos = lc.linePos(offset);
  return { file, pointer, line: pos.line, column: pos.col };
}

// What is wrong with a `.events` file, as plain data (the vscode layer turns it into Diagnostics): invalid JSON,
// envelope errors, schema errors from the registry, unknown placeholders, blocks without a target, limits hit.
// The same checks run again on the expanded event just before it is sent. No vscode import.
import { parseEvent } from '../envelope/envelope';
import { isoNow, uuidv7 } from '../envelope/ids';
import { describeIssue, type IssuePath, MAX_ISSUES, type ValidationIssue } from '../envelope/issues';
import type { SchemaRegistry } from '../envelope/registry';
import { type DocRange, type EventBlock, type ExpectBlock, type ParsedEventsFile, targetOf } from './parser';
import { checkPlaceholder } from './placeholders';

export type ProblemSeverity = 'error' | 'warning' | 'information';
export type ProblemCode = 'json' | 'envelope' | 'schema' | 'placeholder' | 'target' | 'header' | 'limit' | 'duplicate-key' | 'contract';

export interface EventsProblem extends DocRange {
  severity: ProblemSeverity;
  code: ProblemCode;
  message: string;
  /** The range is a line; the editor widens it to the whole line. */
  wholeLine?: boolean;
  blockIndex?: number;
  /** For contract problems: the rule broken, in the contract file. */
  rule?: { file: string; line: number; column: number };
}

/** A problem of an event value (before positions): the core's ValidationIssue, and whether the envelope or a schema. */
export interface EventIssue extends ValidationIssue {
  kind: 'envelope' | 'schema';
  /** For schema issues: the schema checked, "order_created 1.0". */
  schema?: string;
}

/** One line: "timestamp: timestamp must be ISO-8601…", "order_created 1.0: data.items.0.quantity: Too small…". */
export function describeEventIssue(issue: EventIssue): string {
  const line = describeIssue(issue);
  // An unknown version's message already names the type and the version.
  return issue.schema && issue.code !== 'unknown_version' ? `${issue.schema}: ${line}` : line;
}

export const MAX_PROBLEMS = 1_000;

/**
 * Fills only the envelope fields the event does not have (event_id, timestamp, version, data, metadata), as
 * sending does: the file may leave them out. Present fields are kept as written, even when wrong.
 */
export function fillMissing(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  if (out.event_id === undefined) out.event_id = uuidv7();
  if (out.timestamp === undefined) out.timestamp = isoNow();
  if (out.version === undefined) out.version = '1.0';
  if (out.data === undefined) out.data = {};
  if (out.metadata === undefined) out.metadata = {};
  return out;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Envelope and schema problems of one event value (placeholders already expanded). Never throws. */
export function checkEvent(value: unknown, registry?: SchemaRegistry): EventIssue[] {
  if (!isPlainObject(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return [{ kind: 'envelope', path: [], code: 'not_object', message: `an event must be a JSON object, not ${kind}` }];
  }
  if (value.event_type === undefined) return [{ kind: 'envelope', path: ['event_type'], code: 'missing', message: 'event_type is required, e.g. "event_type": "order_created"' }];
  const filled = fillMissing(value);
  const issues: EventIssue[] = [];
  const parsed = parseEvent(filled);
  if (!parsed.ok) {
    const list: readonly ValidationIssue[] = 'issues' in parsed.error && parsed.error.issues.length
      ? parsed.error.issues
      : [{ path: [], code: 'custom', message: parsed.error.message }];
    const seen = new Set<string>();
    for (const issue of list.slice(0, MAX_ISSUES)) {
      // One message per field: a bad timestamp fails both the format and the "real date" check.
      const key = JSON.stringify(issue.path);
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push({ kind: 'envelope', path: issue.path, code: issue.code, message: issue.message });
    }
  }
  if (registry && typeof filled.event_type === 'string') {
    let r;
    try {
      r = registry.validate(filled);
    } catch (e) {
      r = { ok: false as const, issues: [{ path: [], code: 'check_failed' as const, message: `schema check failed: ${(e as Error).message}` }] };
    }
    if (!r.ok) {
      const schema = `${filled.event_type} ${typeof filled.version === 'string' ? filled.version : '1.0'}`;
      for (const issue of r.issues.slice(0, MAX_ISSUES)) issues.push({ kind: 'schema', schema, path: issue.path, code: issue.code, message: issue.message });
    }
  }
  return issues;
}

/**
 * The range of the deepest recorded key on the issue's path, else the event's first character. The scanner records
 * paths dotted ("data.items.0"), to PATH_DEPTH levels; an issue deeper than that points at its deepest recorded parent.
 */
export function locate(block: EventBlock, path: IssuePath): DocRange {
  for (let n = path.length; n >= 0; n--) {
    const r = block.keyRanges.get(path.slice(0, n).map(String).join('.'));
    if (r) return r;
  }
  return { line: block.startLine, column: 0, endLine: block.startLine, endColumn: 0 };
}

const at = (block: EventBlock, r: DocRange) => ({ line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn, blockIndex: block.index });

/** Problems of placeholders and JSON syntax, which events and expectations share. */
function checkSyntax(block: EventBlock, out: EventsProblem[]): boolean {
  for (const p of block.placeholders) {
    const msg = checkPlaceholder(p);
    if (msg) out.push({ ...at(block, p.range), severity: 'error', code: 'placeholder', message: msg });
  }
  if (block.placeholdersTruncated) {
    out.push({ ...at(block, headerLineOf(block)), wholeLine: true, severity: 'warning', code: 'limit', message: 'too many placeholders in one event: only the first 10,000 are expanded' });
  }
  if (block.jsonError) {
    out.push({ ...at(block, block.jsonError), severity: 'error', code: 'json', message: block.jsonError.message });
    return false;
  }
  for (const d of block.duplicateKeys) out.push({ ...at(block, d), severity: 'warning', code: 'duplicate-key', message: d.message });
  return true;
}

function headerLineOf(block: EventBlock): DocRange {
  return { line: block.startLine, column: 0, endLine: block.startLine, endColumn: 0 };
}

/** An expectation's body: valid JSON (placeholders allowed), and an object. It is no event: the envelope is not checked. */
export function checkExpectation(block: ExpectBlock): EventsProblem[] {
  const out: EventsProblem[] = [];
  if (checkSyntax(block, out) && !isPlainObject(block.json)) {
    out.push({ ...at(block, headerLineOf(block)), wholeLine: true, severity: 'error', code: 'json', message: 'an expectation is a JSON object: the properties the event must have' });
  }
  return out;
}

export function checkBlock(block: EventBlock, registry?: SchemaRegistry): EventsProblem[] {
  const out: EventsProblem[] = [];
  const headerLine = headerLineOf(block);

  if (checkSyntax(block, out)) {
    for (const issue of checkEvent(block.json, registry)) {
      out.push({ ...at(block, locate(block, issue.path)), severity: 'error', code: issue.kind, message: describeEventIssue(issue) });
    }
  }
  if (!targetOf(block)) {
    out.push({
      ...at(block, headerLine), wholeLine: true, severity: 'warning', code: 'target',
      message: 'no channel or stream: Publish will ask (add "### channel: NAME", "### shard: NAME" or "### stream: KEY" above the event)',
    });
  }
  return out;
}

/** Every problem of the file, at most MAX_PROBLEMS. */
export function checkFile(file: ParsedEventsFile, registry?: SchemaRegistry): EventsProblem[] {
  const out: EventsProblem[] = [];
  for (const h of file.headerProblems) {
    out.push({ line: h.line, column: h.column, endLine: h.endLine, endColumn: h.endColumn, severity: h.severity, code: 'header', message: h.message });
  }
  for (const b of file.blocks) {
    if (out.length >= MAX_PROBLEMS) break;
    out.push(...checkBlock(b, registry));
  }
  for (const e of file.expectations ?? []) {
    if (out.length >= MAX_PROBLEMS) break;
    out.push(...checkExpectation(e));
  }
  if ((file.expectations ?? []).length) out.sort((a, b) => a.line - b.line || a.column - b.column);
  if (file.truncated) {
    const l = file.truncated.line;
    out.push({ line: l, column: 0, endLine: l, endColumn: 0, wholeLine: true, severity: 'warning', code: 'limit', message: file.truncated.reason });
  }
  return out.slice(0, MAX_PROBLEMS);
}

// Filters over events written in CEL (the Common Expression Language, as kafka-ui and Kubernetes use it), through
// @marcbachmann/cel-js: a parser and tree-walking evaluator, no eval, no code generation, no loops in the language.
// An expression is compiled once and run per event with the event's top-level fields as variables:
//   event_type == "order_created" && data.total_price > 100
// plus `_id` (the stream entry id) and `_stream` when the expression names them. JSON numbers are CEL doubles (as
// in CEL's own JSON mapping); `data.total_price > 100` compares across number kinds, `data.n + 1` needs `1.0`.
// An event the expression cannot be evaluated on (a missing field, a type mismatch) does not match and is counted,
// with a bounded sample of the reasons; nothing an event contains can make evaluation throw or run unbounded.
import type { Environment } from '@marcbachmann/cel-js';
import { BadInputError } from '../errors';
import { checkExpressionCost, MAX_EXPRESSION_CHARS, PARSE_LIMITS } from './expression-limits';
import { BAIL, compileQuick, type QuickFilter } from './quick-eval';
import { requiredLiterals } from './required-literals';

/** What one evaluation gave: a match, no match, or why it could not be evaluated. */
export type FilterOutcome = true | false | { error: string };

/** Variables the search adds beside the event's own fields. */
export interface EntryMeta {
  _id?: string;
  _stream?: string;
}

const META_NAMES = new Set(['_id', '_stream']);
const MAX_ERROR_KINDS = 10;

// One environment for every filter: cloning per compile would cost more than it protects (nothing is registered).
// Made when the first filter is compiled: CEL builds its standard library as it loads (~40 ms of the extension's
// activation when it was evaluated with the bundle), and most sessions never filter.
let shared: Environment | undefined;
function environment(): Environment {
  if (shared) return shared;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cel = require('./cel-entry.js') as typeof import('./cel-entry.js');
  return (shared = new cel.Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false, limits: PARSE_LIMITS }));
}

type Program = ((context: Record<string, unknown>) => unknown) & { ast: unknown };

export class EventFilter {
  /**
   * Texts a matching event's JSON must contain, from `field == "text"`, `.contains("text")` and the like at the top
   * level of an `&&` chain: an entry whose JSON has no backslash (so no escaped character) and lacks one of them
   * cannot match, and is skipped without being parsed.
   */
  readonly required: readonly string[];
  /** The expression names `_id` or `_stream`. */
  readonly usesMeta: boolean;
  /** Closures for the common subset (quick-eval.ts): true/false when sure, else cel-js decides. */
  private readonly quick: QuickFilter | null;

  private constructor(readonly text: string, private readonly program: Program, ast: unknown) {
    this.required = requiredLiterals(ast);
    this.usesMeta = identifiers(ast).some((n) => META_NAMES.has(n));
    this.quick = compileQuick(ast);
  }

  /** Parses and checks `text`; throws a BadInputError saying what is wrong and where. */
  static compile(text: string): EventFilter {
    if (typeof text !== 'string' || text.trim() === '') throw new BadInputError('the filter expression is empty');
    if (text.length > MAX_EXPRESSION_CHARS) throw new BadInputError(`the filter expression is ${text.length} characters; at most ${MAX_EXPRESSION_CHARS}`);
    let program: Program;
    try {
      program = environment().parse(text) as unknown as Program;
    } catch (e) {
      throw new BadInputError(`not a valid filter expression: ${firstLines((e as Error).message)}`);
    }
    checkExpressionCost(program.ast);
    return new EventFilter(text, program, program.ast);
  }

  /** Runs the expression on one event (any JSON value: only an object's fields become variables). */
  evaluate(event: unknown, meta?: EntryMeta): FilterOutcome {
    let context: Record<string, unknown>;
    if (event !== null && typeof event === 'object' && !Array.isArray(event)) {
      context = this.usesMeta && meta ? { ...(event as Record<string, unknown>), ...meta } : (event as Record<string, unknown>);
    } else {
      context = this.usesMeta && meta ? { ...meta } : {};
    }
    if (this.quick !== null) {
      const quick = this.quick(context);
      if (quick !== BAIL) return quick;
    }
    try {
      const value = this.program(context);
      if (value === true) return true;
      if (value === false) return false;
      return { error: `the expression gave ${describeValue(value)}, not true or false` };
    } catch (e) {
      return { error: firstLines(e instanceof Error ? e.message : String(e)) };
    }
  }

  /** False when `raw` (an event's JSON text) certainly does not match; true when it may. */
  mayMatchText(raw: string): boolean {
    if (this.required.length === 0 || raw.includes('\\')) return true;
    for (const r of this.required) if (!raw.includes(r)) return false;
    return true;
  }
}

/** Counts of a filter's outcomes, with the first few distinct reasons it could not be evaluated. */
export class FilterStats {
  evaluated = 0;
  matched = 0;
  errors = 0;
  /** Reason → count, at most 10 reasons (later new ones are counted in `errors` only). */
  readonly errorKinds = new Map<string, number>();

  add(outcome: FilterOutcome): boolean {
    this.evaluated++;
    if (outcome === true) {
      this.matched++;
      return true;
    }
    if (outcome !== false) {
      this.errors++;
      const n = this.errorKinds.get(outcome.error);
      if (n !== undefined) this.errorKinds.set(outcome.error, n + 1);
      else if (this.errorKinds.size < MAX_ERROR_KINDS) this.errorKinds.set(outcome.error, 1);
    }
    return false;
  }

  /** e.g. "3 events could not be evaluated: No such key: total_price (3)" */
  summary(): string | null {
    if (this.errors === 0) return null;
    const kinds = [...this.errorKinds].map(([k, n]) => `${k} (${n})`).join('; ');
    return `${this.errors} event${this.errors === 1 ? '' : 's'} could not be evaluated: ${kinds}`;
  }
}

function identifiers(ast: unknown): string[] {
  const out: string[] = [];
  const visit = (n: unknown, depth: number): void => {
    if (depth > 200 || !n || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x, depth + 1);
      return;
    }
    const node = n as { op?: unknown; args?: unknown };
    if (node.op === 'id' && typeof node.args === 'string') out.push(node.args);
    else visit(node.args, depth + 1);
  };
  visit(ast, 0);
  return out;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `the number ${v}`;
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return `the number ${v}`;
  return Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : typeof v;
}

/** cel-js messages carry a source excerpt with a caret on the next lines; keep them short for a status line. */
function firstLines(message: string): string {
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  const text = lines.slice(0, 3).join(' ').replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

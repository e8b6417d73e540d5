// What an expression may cost per event, checked once on its syntax tree before any event is read. CEL has no loops,
// so an expression's cost is its size times the event's size, except in two places this file closes:
//   - a list macro (map, filter, all, exists, exists_one) inside another one's body multiplies the list sizes
//     (a 10,000-item list nested three deep is 10^12 steps); one level is allowed, nesting is not;
//   - `matches` runs a JavaScript RegExp (backtracking, not RE2): a pattern such as `(a+)+$` takes exponential time on
//     hostile text. Patterns must be literal text without a quantified group, backreference or lookaround, with one
//     unbounded quantifier at most (left: quadratic time in one very long field; an RE2 engine would remove it).
import { BadInputError } from '../errors';

/** Longest expression text accepted. */
export const MAX_EXPRESSION_CHARS = 2000;
/** Structural limits handed to the parser. */
export const PARSE_LIMITS = { maxAstNodes: 400, maxDepth: 40, maxListElements: 200, maxMapEntries: 100, maxCallArguments: 8 } as const;
const MAX_PATTERN_CHARS = 200;
const LIST_MACROS = new Set(['map', 'filter', 'all', 'exists', 'exists_one', 'existsOne', 'transformList', 'transformMap']);

interface Node {
  op: string;
  args: unknown;
  start?: number;
}

/** Throws a BadInputError naming the first part of the expression that is over budget. */
export function checkExpressionCost(ast: unknown): void {
  walk(ast as Node, 0);
}

function walk(node: Node | undefined, macroDepth: number): void {
  if (!node || typeof node !== 'object' || typeof node.op !== 'string') return;
  const args = node.args;
  if (node.op === 'rcall' && Array.isArray(args)) {
    const [name, receiver, callArgs] = args as [string, Node, Node[]];
    if (LIST_MACROS.has(name)) {
      if (macroDepth > 0) throw new BadInputError(`${name}() inside another list macro at ${where(node)}: nested list macros can take too long per event; use one level`);
      walk(receiver, macroDepth);
      for (const a of callArgs ?? []) walk(a, macroDepth + 1);
      return;
    }
    if (name === 'matches') checkPattern(callArgs?.[0], node);
    walk(receiver, macroDepth);
    for (const a of callArgs ?? []) walk(a, macroDepth);
    return;
  }
  if (node.op === 'call' && Array.isArray(args)) {
    const [name, callArgs] = args as [string, Node[]];
    if (name === 'matches') checkPattern(callArgs?.[1], node);
    for (const a of callArgs ?? []) walk(a, macroDepth);
    return;
  }
  if (node.op === 'value' || node.op === 'id') return;
  if (Array.isArray(args)) {
    for (const a of args) {
      if (Array.isArray(a)) for (const b of a) walk(b as Node, macroDepth); // map entries are [key, value] pairs
      else walk(a as Node, macroDepth);
    }
  } else {
    walk(args as Node, macroDepth);
  }
}

function checkPattern(arg: Node | undefined, call: Node): void {
  if (!arg || arg.op !== 'value' || typeof arg.args !== 'string') {
    throw new BadInputError(`matches() at ${where(call)} needs the pattern as literal text, so it can be checked before it runs`);
  }
  const problem = patternProblem(arg.args);
  if (problem) throw new BadInputError(`matches() pattern at ${where(arg)}: ${problem}`);
}

/**
 * Why a pattern could backtrack badly, or null. Conservative: a quantifier on a group, a backreference, lookaround,
 * or more than one unbounded quantifier (`*`, `+`, `{n,}`) are refused; character classes, anchors and single-atom quantifiers pass.
 */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_CHARS) return `longer than ${MAX_PATTERN_CHARS} characters`;
  try {
    new RegExp(pattern);
  } catch (e) {
    return `not a valid pattern (${(e as Error).message})`;
  }
  let unbounded = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && /[1-9k]/.test(next)) return 'backreferences are not allowed';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' && pattern[i + 1] === '?' && /[=!<]/.test(pattern[i + 2] ?? '')) return 'lookaround is not allowed';
    else if (c === ')' && /[*+?{]/.test(pattern[i + 1] ?? '')) return 'a quantifier on a group can backtrack exponentially; quantify single characters or classes';
    else if (c === '*' || c === '+' || (c === '{' && /^\{\d+,\}/.test(pattern.slice(i)))) {
      if (++unbounded > 1) return 'more than one unbounded quantifier (*, +, {n,}) can backtrack badly; use contains(), startsWith() or endsWith() for the rest';
    }
  }
  return null;
}

function where(node: Node): string {
  return typeof node.start === 'number' ? `position ${node.start + 1}` : 'an unknown position';
}

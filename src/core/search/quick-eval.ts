// A fast path for the filters people write most: field access, literals, comparisons, `&&`, `||`, `!`, `size()` and
// the string tests `contains`/`startsWith`/`endsWith`, compiled once into plain closures (no eval, no code generation).
// It answers only what it is sure of: true or false when every value on the way is of the kind it expects. Anything
// else (a missing key, a null, mixed kinds, a list compared) gives BAIL, and the caller runs cel-js, which gives the
// exact CEL result or error message. Why: on a history search where every entry is parsed and evaluated, cel-js's
// evaluation (runtime type dispatch per operator) was a quarter of the CPU of the whole scan; these closures take a
// few percent. A differential test (test/core/quick-eval.test.ts) holds the two to the same results.

/** The quick path cannot tell: ask cel-js. */
export const BAIL: unique symbol = Symbol('bail');
type Value = unknown;
type Quick = (ctx: Record<string, unknown>) => Value | typeof BAIL;
export type QuickFilter = (ctx: Record<string, unknown>) => boolean | typeof BAIL;

interface Node {
  op: string;
  args: unknown;
}

/** The static kind cel-js type-checks operands by: `dyn` for values read from the event (checked when evaluated). */
type Kind = 'dyn' | 'int' | 'double' | 'string' | 'bool' | 'null';

interface Compiled {
  run: Quick;
  kind: Kind;
}

const MAX_DEPTH = 64;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const has = Object.prototype.hasOwnProperty;
const ORDER = new Set(['<', '<=', '>', '>=']);
const STRING_TESTS = new Set(['contains', 'startsWith', 'endsWith']);
const ORDERED = new Set<Kind>(['dyn', 'int', 'double', 'string']);

/** The quick filter for a parsed expression, or null when it uses anything outside the subset. */
export function compileQuick(ast: unknown): QuickFilter | null {
  const c = compile(ast as Node, 0);
  if (!c || (c.kind !== 'bool' && c.kind !== 'dyn')) return null;
  const run = c.run;
  return (ctx) => {
    const v = run(ctx);
    return v === true || v === false ? v : BAIL;
  };
}

function compile(node: Node | undefined, depth: number): Compiled | null {
  if (!node || typeof node !== 'object' || depth > MAX_DEPTH) return null;
  const args = node.args;
  switch (node.op) {
    case 'value':
      return literal(args);
    case 'id': {
      if (typeof args !== 'string') return null;
      const name = args;
      return { kind: 'dyn', run: (ctx) => (has.call(ctx, name) ? ctx[name] : BAIL) };
    }
    case '.': {
      const [target, name] = args as [Node, unknown];
      const t = compile(target, depth + 1);
      if (!t || t.kind !== 'dyn' || typeof name !== 'string') return null;
      const read = t.run;
      return { kind: 'dyn', run: (ctx) => {
        const o = read(ctx);
        return isMap(o) && has.call(o, name) ? o[name] : BAIL;
      } };
    }
    case '&&':
    case '||': {
      const [a, b] = (args as [Node, Node]).map((n) => compile(n, depth + 1));
      if (!a || !b || !boolish(a.kind) || !boolish(b.kind)) return null;
      const ra = a.run;
      const rb = b.run;
      // An error or non-bool on either side (BAIL) leaves the answer to cel-js: CEL's && and || absorb errors.
      const and = node.op === '&&';
      return { kind: 'bool', run: (ctx) => {
        const x = ra(ctx);
        if (x !== true && x !== false) return BAIL;
        if (x !== and) return x;
        const y = rb(ctx);
        return y === true || y === false ? y : BAIL;
      } };
    }
    case '!_': {
      const a = compile(args as Node, depth + 1);
      if (!a || !boolish(a.kind)) return null;
      const ra = a.run;
      return { kind: 'bool', run: (ctx) => {
        const x = ra(ctx);
        return x === true ? false : x === false ? true : BAIL;
      } };
    }
    case '==':
    case '!=':
      return equality(node.op, args as [Node, Node], depth);
    case 'call': {
      const [name, callArgs] = args as [unknown, Node[]];
      if (name !== 'size' || !Array.isArray(callArgs) || callArgs.length !== 1) return null;
      const a = compile(callArgs[0], depth + 1);
      if (!a || (a.kind !== 'dyn' && a.kind !== 'string')) return null;
      const ra = a.run;
      return { kind: 'int', run: (ctx) => sizeOf(ra(ctx)) };
    }
    case 'rcall': {
      const [name, receiver, callArgs] = args as [unknown, Node, Node[]];
      if (typeof name !== 'string' || !STRING_TESTS.has(name) || !Array.isArray(callArgs) || callArgs.length !== 1) return null;
      const r = compile(receiver, depth + 1);
      const a = compile(callArgs[0], depth + 1);
      if (!r || !a || (r.kind !== 'dyn' && r.kind !== 'string') || (a.kind !== 'dyn' && a.kind !== 'string')) return null;
      const rr = r.run;
      const ra = a.run;
      const test = name === 'contains' ? (s: string, t: string) => s.includes(t) : name === 'startsWith' ? (s: string, t: string) => s.startsWith(t) : (s: string, t: string) => s.endsWith(t);
      return { kind: 'bool', run: (ctx) => {
        const s = rr(ctx);
        const t = ra(ctx);
        return typeof s === 'string' && typeof t === 'string' ? test(s, t) : BAIL;
      } };
    }
    default:
      if (ORDER.has(node.op)) return order(node.op, args as [Node, Node], depth);
      return null;
  }
}

function literal(v: unknown): Compiled | null {
  if (typeof v === 'bigint') {
    // Ints beyond 2^53 compare exactly against doubles in JS too, but keep the subset to what is plainly safe.
    if (v > MAX_SAFE || v < -MAX_SAFE) return null;
    return { kind: 'int', run: () => v };
  }
  if (typeof v === 'number') return { kind: 'double', run: () => v };
  if (typeof v === 'string') return { kind: 'string', run: () => v };
  if (typeof v === 'boolean') return { kind: 'bool', run: () => v };
  if (v === null) return { kind: 'null', run: () => null };
  return null; // uint, bytes and other typed literals: cel-js
}

/** cel-js rejects int against double when both kinds are fixed before evaluation (`size(l) == 2.0`): leave those to it. */
function staticallyComparable(a: Kind, b: Kind): boolean {
  return a === 'dyn' || b === 'dyn' || a === b;
}

function equality(op: '==' | '!=', args: [Node, Node], depth: number): Compiled | null {
  const a = compile(args[0], depth + 1);
  const b = compile(args[1], depth + 1);
  if (!a || !b || !staticallyComparable(a.kind, b.kind)) return null;
  const ra = a.run;
  const rb = b.run;
  const negate = op === '!=';
  return { kind: 'bool', run: (ctx) => {
    const x = ra(ctx);
    const y = rb(ctx);
    const same = sameScalar(x, y);
    return same === BAIL ? BAIL : same !== negate;
  } };
}

function order(op: string, args: [Node, Node], depth: number): Compiled | null {
  const a = compile(args[0], depth + 1);
  const b = compile(args[1], depth + 1);
  // cel-js type-checks the whole expression first: `null < a` is an error even where `&&` would never reach it.
  if (!a || !b || !ORDERED.has(a.kind) || !ORDERED.has(b.kind) || !staticallyComparable(a.kind, b.kind)) return null;
  const ra = a.run;
  const rb = b.run;
  const cmp = op === '<' ? (x: number | bigint, y: number | bigint) => x < y : op === '<=' ? (x: number | bigint, y: number | bigint) => x <= y : op === '>' ? (x: number | bigint, y: number | bigint) => x > y : (x: number | bigint, y: number | bigint) => x >= y;
  return { kind: 'bool', run: (ctx) => {
    const x = ra(ctx);
    const y = rb(ctx);
    // Numbers only (JS compares a number with a bigint exactly); strings, nulls and the rest go to cel-js.
    return isNumeric(x) && isNumeric(y) ? cmp(x, y) : BAIL;
  } };
}

/** Equality of two scalars of one kind (numbers of either kind count as one); BAIL for anything else. */
function sameScalar(x: unknown, y: unknown): boolean | typeof BAIL {
  if (isNumeric(x) && isNumeric(y)) return x == y; // loose: a number against a bigint, compared exactly
  if (typeof x === 'string' && typeof y === 'string') return x === y;
  if (typeof x === 'boolean' && typeof y === 'boolean') return x === y;
  return BAIL;
}

function isNumeric(v: unknown): v is number | bigint {
  return (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'bigint';
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** CEL's size of a string (code points) or a list, as a number: it is compared like the int cel-js gives. Maps: cel-js. */
function sizeOf(v: unknown): number | typeof BAIL {
  if (typeof v === 'string') {
    let n = 0;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      // A surrogate pair is one code point; a lone surrogate cel-js may count otherwise: ask it.
      if (c >= 0xd800 && c <= 0xdfff) return BAIL;
      n++;
    }
    return n;
  }
  if (Array.isArray(v)) return v.length;
  return BAIL;
}

function boolish(kind: Kind): boolean {
  return kind === 'bool' || kind === 'dyn';
}

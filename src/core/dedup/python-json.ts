// Python's `json.dumps(value, sort_keys=True)` with its defaults, byte for byte: separators ", " and ": ",
// ensure_ascii (every char outside printable ASCII as \uXXXX, astral chars as surrogate pairs, lowercase hex),
// keys sorted by code point (not by UTF-16 unit, which orders astral chars differently), float repr as Python
// prints it (`1e-05`, `1e+16`, `100.0`), NaN/Infinity as Python writes them. The dedup fingerprint hashes this
// text, so a single differing byte means two services disagree on what a duplicate is.
//
// Numbers: a JS number that is integral is written as a Python int (JS cannot tell `100` from `100.0` once
// parsed); anything else as a Python float. An `ExactNumber` (from `parseJsonExact`) keeps the int/float
// distinction of the original text, and a bigint is written as the exact integer it holds.
import { BadInputError } from '../errors';
import { ExactNumber } from './exact-json';

/** Deeper than this is refused: Python itself gives up with RecursionError near 1000 levels. */
export const MAX_JSON_DEPTH = 1000;

/** Python `json.dumps(value, sort_keys=True)`; JSON.stringify's rules for undefined, functions and toJSON. */
export function canonicalJson(value: unknown): string {
  const out = write(value, 0);
  if (out === undefined) throw new BadInputError(`a ${typeof value} has no JSON form`);
  return out;
}

/** canonicalJson, but undefined (not an error) for a value with no JSON form: undefined, a function, a symbol. */
export function canonicalJsonOrUndefined(value: unknown): string | undefined {
  return write(value, 1);
}

function write(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string': return pyString(value);
    case 'number': return pyNumber(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    case 'object': break;
    default: return undefined; // undefined, function, symbol: left out of objects, null in arrays
  }
  if (value === null) return 'null';
  if (value instanceof ExactNumber) return exactNumber(value);
  if (depth >= MAX_JSON_DEPTH) throw new BadInputError(`nested deeper than ${MAX_JSON_DEPTH} levels (or circular)`);
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return write(toJson.call(value), depth + 1);
  if (Array.isArray(value)) return writeArray(value, depth);
  return writeObject(value as Record<string, unknown>, depth);
}

function writeArray(items: readonly unknown[], depth: number): string {
  if (items.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ', ';
    out += write(items[i], depth + 1) ?? 'null';
  }
  return `${out}]`;
}

function writeObject(obj: Record<string, unknown>, depth: number): string {
  const keys = sortByCodePoint(Object.keys(obj));
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = write(obj[k], depth + 1);
    if (v === undefined) continue;
    if (!first) out += ', ';
    first = false;
    out += `${pyString(k)}: ${v}`;
  }
  return `${out}}`;
}

// ---------------------------------------------------------------- numbers

/** An int as Python prints it; a float as Python's repr (shortest round-trip, its own exponent rules). */
export function pyNumber(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  return pyFloatRepr(n);
}

/** Python `repr(float)`: exponent form when the decimal exponent is < -4 or >= 16, `.0` on integral values. */
export function pyFloatRepr(x: number): string {
  // The usual price or ratio: both languages print the same shortest round-trip digits, and JS uses plain decimal
  // notation from 1e-7 up to 1e21, Python from 1e-4 up to 1e16. Only integral values need Python's `.0`.
  const abs = x < 0 ? -x : x;
  if (abs >= 1e-4 && abs < 1e16 && !Number.isInteger(x)) return String(x);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest digits that round-trip, as Python's repr does.
  const s = x.toExponential();
  const e = s.indexOf('e');
  const exp = Number(s.slice(e + 1));
  const negative = s.charCodeAt(0) === 0x2d;
  const digits = s.slice(negative ? 1 : 0, e).replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const absExp = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${absExp}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  return `${sign}${intPart}.${digits.slice(exp + 1) || '0'}`;
}

function exactNumber(n: ExactNumber): string {
  if (n.isFloat) return pyFloatRepr(Number(n.text));
  // JSON ints have no leading zeros; Python's int("-0") is 0.
  return n.text === '-0' ? '0' : n.text;
}

// ---------------------------------------------------------------- strings

// Anything but printable ASCII without `"` and `\` needs escaping (regex without /u works on UTF-16 units).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };

/** A string as Python's ensure_ascii encoder writes it. Lone surrogates come out as their own \udXXX. */
export function pyString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(runStart, i) + (SHORT_ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, '0')}`);
    runStart = i + 1;
  }
  return `${out}${s.slice(runStart)}"`;
}

// ---------------------------------------------------------------- key order

const HAS_SURROGATE = /[\ud800-\udfff]/;

/** Sorts as Python sorts str: by code point. Plain `sort()` compares UTF-16 units, which puts 😀 before \uff01. */
export function sortByCodePoint(keys: string[]): string[] {
  if (!keys.some((k) => HAS_SURROGATE.test(k))) return keys.sort();
  return keys.sort(compareCodePoints);
}

export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return (a.length - i) - (b.length - j);
}

// A small JSON syntax checker for `.events` blocks: the first error with its exact offset and a message a person
// understands ("missing ',' after this value", "trailing comma", "strings need double quotes"), plus where each
// property sits so envelope and schema problems can point at their key. JSON.parse's messages differ between Node
// versions and only some carry a position, so positions come from here. Iterative (no recursion): hostile nesting
// cannot overflow the stack; linear in the text. No vscode import.

export interface JsonProblem {
  offset: number;
  length: number;
  message: string;
  /** Offset of the '{' or '[' the problem is about (an unclosed or mismatched one), for "opened on line N". */
  related?: number;
}

export interface JsonLocation {
  offset: number;
  length: number;
}

export interface JsonScanResult {
  /** The first syntax error; undefined when the text is one valid JSON value. */
  error?: JsonProblem;
  /**
   * Where properties are: path ("data.items.0.quantity") → the key token for object properties, the value for array
   * elements. '' is the whole value. Only the first PATH_DEPTH levels and MAX_PATHS paths are recorded.
   */
  paths: Map<string, JsonLocation>;
  /** Keys that appear twice in one object (JSON.parse keeps the last one). */
  duplicates: JsonProblem[];
}

export const DEFAULT_MAX_DEPTH = 2_000;
const PATH_DEPTH = 6;
const MAX_PATHS = 5_000;
const MAX_KEY_FOR_PATH = 256;
const MAX_TRACKED_KEYS = 50_000;

const WS = /[ \t\n\r]*/y;
const STRING_RUN = /[^"\\\u0000-\u001f]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NUMBER_TAIL = /[\w.+-]*/y;
const WORD = /[A-Za-z_$][\w$]*/y;

const enum State {
  /** A value must come (after ':' or an array ',', or at the top). */
  Value,
  /** After '[': a value or ']'. */
  ValueOrEnd,
  /** After '{': a key or '}'. */
  KeyOrEnd,
  /** After ',' in an object: a key. */
  Key,
  /** After a key: ':'. */
  Colon,
  /** After a value inside an object or array: ',' or the closer. */
  After,
  /** After the top-level value: nothing more. */
  End,
}

interface Frame {
  object: boolean;
  open: number;
  /** Path of this container; null below PATH_DEPTH. */
  path: string | null;
  /** Elements seen so far (arrays). */
  count: number;
  lastComma: number;
  /** Path of the property whose value comes next (objects). */
  pendingPath: string | null;
  /** Keys seen in this object, for duplicate warnings; null below PATH_DEPTH or past MAX_TRACKED_KEYS. */
  keys: Set<string> | null;
}

class Fail {
  constructor(readonly offset: number, readonly length: number, readonly message: string, readonly related?: number) {}
}

export function scanJson(text: string, options: { maxDepth?: number } = {}): JsonScanResult {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const paths = new Map<string, JsonLocation>();
  const duplicates: JsonProblem[] = [];
  const n = text.length;
  const stack: Frame[] = [];
  // Widened: the closures below change it, which TypeScript's narrowing does not see.
  let state = State.Value as State;
  let lastValueEnd = 0;
  let i = 0;

  let trackedKeys = 0;
  const record = (path: string, offset: number, length: number) => {
    if (!paths.has(path) && paths.size < MAX_PATHS) paths.set(path, { offset, length });
  };
  const noteKey = (frame: Frame, key: string, offset: number, length: number) => {
    if (!frame.keys) return;
    if (frame.keys.has(key)) {
      if (duplicates.length < 100) duplicates.push({ offset, length, message: `duplicate key "${key.length > 60 ? `${key.slice(0, 60)}…` : key}": JSON keeps only the last one` });
    } else if (trackedKeys < MAX_TRACKED_KEYS) {
      frame.keys.add(key);
      trackedKeys++;
    }
  };
  const childPath = (parent: string | null, segment: string): string | null =>
    parent === null || stack.length > PATH_DEPTH ? null : parent === '' ? segment : `${parent}.${segment}`;

  const valueDone = (end: number) => {
    lastValueEnd = end;
    state = stack.length === 0 ? State.End : State.After;
  };

  const scanString = (start: number): number => {
    let j = start + 1;
    for (;;) {
      STRING_RUN.lastIndex = j;
      STRING_RUN.test(text);
      j = STRING_RUN.lastIndex;
      if (j >= n) throw new Fail(start, Math.max(1, Math.min(n - start, 200)), 'unterminated string: the closing " is missing');
      const c = text.charCodeAt(j);
      if (c === 0x22) return j + 1;
      if (c === 0x5c) {
        const e = text.charAt(j + 1);
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) throw new Fail(j, Math.min(6, n - j), 'invalid \\u escape: it needs four hex digits, e.g. \\u00e9');
          j += 6;
        } else if ('"\\/bfnrt'.includes(e) && e !== '') {
          j += 2;
        } else {
          throw new Fail(j, e ? 2 : 1, e ? `invalid escape \\${describeChar(e)} in a string (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)` : 'unterminated string: the closing " is missing');
        }
      } else if (c === 0x0a || c === 0x0d) {
        throw new Fail(start, j - start, 'unterminated string: a line break inside a string must be written as \\n');
      } else {
        throw new Fail(j, 1, `control character ${describeChar(text.charAt(j))} must be escaped in a string`);
      }
    }
  };

  const scanScalar = (start: number): number => {
    const c = text.charCodeAt(start);
    if (c === 0x22) return scanString(start);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = start;
      const m = NUMBER.exec(text);
      const end = m ? start + m[0].length : start;
      NUMBER_TAIL.lastIndex = end;
      const tail = NUMBER_TAIL.exec(text)?.[0] ?? '';
      if (!m || tail.length > 0) {
        const token = text.slice(start, Math.min(end + tail.length, start + 40));
        const why = /^-?0\d/.test(token) ? ': numbers cannot start with 0' : /^-?(Infinity|NaN)/i.test(token.slice(1)) ? ': Infinity and NaN are not JSON' : '';
        throw new Fail(start, Math.max(1, token.length), `invalid number "${token}"${why}`);
      }
      return end;
    }
    WORD.lastIndex = start;
    const w = WORD.exec(text);
    if (w) {
      const word = w[0];
      if (word === 'true' || word === 'false' || word === 'null') return start + word.length;
      const shown = word.length > 40 ? `${word.slice(0, 40)}…` : word;
      const lower = word.toLowerCase();
      let why: string;
      if (lower === 'true' || lower === 'false' || lower === 'null') why = `JSON literals are lowercase: ${lower}`;
      else if (word === 'None') why = 'use null (JSON is not Python)';
      else if (word === 'undefined') why = 'undefined is not JSON: use null';
      else if (word === 'NaN' || word === 'Infinity') why = `${word} is not a JSON number`;
      else why = `strings need double quotes: "${shown}"`;
      throw new Fail(start, word.length, `unexpected word ${shown}: ${why}`);
    }
    if (c === 0x27) throw new Fail(start, 1, "strings need double quotes (\"), not single quotes (')");
    if (c === 0x2f) throw new Fail(start, Math.min(2, n - start), 'comments are not allowed in JSON');
    if (c === 0x2e) throw new Fail(start, 1, "unexpected '.': numbers need a digit before the point, e.g. 0.5");
    throw new Fail(start, 1, `expected a value, found ${describeChar(text.charAt(start))}`);
  };

  const push = (object: boolean, at: number, path: string | null) => {
    if (stack.length >= maxDepth) throw new Fail(at, 1, `nested deeper than ${maxDepth} levels: not checked further`);
    stack.push({ object, open: at, path, count: 0, lastComma: -1, pendingPath: null, keys: object && stack.length < PATH_DEPTH ? new Set() : null });
    state = object ? State.KeyOrEnd : State.ValueOrEnd;
  };

  /** A value starts at i; parent path for it is given. */
  const startValue = (path: string | null) => {
    const c = text.charCodeAt(i);
    if (c === 0x7b) {
      push(true, i, path);
      i++;
    } else if (c === 0x5b) {
      push(false, i, path);
      i++;
    } else {
      const end = scanScalar(i);
      i = end;
      valueDone(end);
    }
  };

  const pathForNextValue = (): string | null => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.object) return top.pendingPath;
    const p = childPath(top.path, String(top.count));
    top.count++;
    if (p !== null) record(p, i, 1);
    return p;
  };

  try {
    for (;;) {
      WS.lastIndex = i;
      WS.test(text);
      i = WS.lastIndex;
      const top = stack[stack.length - 1];
      if (i >= n) {
        if (state === State.End) break;
        if (!top) throw new Fail(n, 0, 'the event is empty: expected a JSON object');
        const what = top.object ? "'}' to close the object" : "']' to close the array";
        throw new Fail(lastNonBlank(text), 1, `unexpected end of the event: expected ${what}`, top.open);
      }
      const c = text.charCodeAt(i);
      switch (state) {
        case State.Value:
          if ((c === 0x7d || c === 0x5d) && top && top.lastComma >= 0 && !top.object) {
            throw new Fail(top.lastComma, 1, "trailing comma: remove this ',' (JSON allows no comma before ']')");
          }
          if (c === 0x2c) throw new Fail(i, 1, "expected a value before ','");
          if (c === 0x7d || c === 0x5d || c === 0x3a) throw new Fail(i, 1, `expected a value, found '${text.charAt(i)}'`);
          startValue(pathForNextValue());
          break;
        case State.ValueOrEnd:
          if (c === 0x5d) {
            stack.pop();
            i++;
            valueDone(i);
          } else {
            if (c === 0x2c) throw new Fail(i, 1, "expected a value before ','");
            startValue(pathForNextValue());
          }
          break;
        case State.KeyOrEnd:
        case State.Key:
          if (c === 0x22) {
            const end = scanString(i);
            const raw = text.slice(i + 1, end - 1);
            if (raw.length <= MAX_KEY_FOR_PATH && (top!.keys || top!.path !== null)) {
              const key = raw.includes('\\') ? decodeKey(text.slice(i, end)) : raw;
              noteKey(top!, key, i, end - i);
              const p = childPath(top!.path, key);
              top!.pendingPath = p;
              if (p !== null) record(p, i, end - i);
            } else {
              top!.pendingPath = null;
            }
            i = end;
            state = State.Colon;
          } else if (c === 0x7d && state === State.KeyOrEnd) {
            stack.pop();
            i++;
            valueDone(i);
          } else if (c === 0x7d) {
            throw new Fail(top!.lastComma, 1, "trailing comma: remove this ',' (JSON allows no comma before '}')");
          } else {
            WORD.lastIndex = i;
            const w = WORD.exec(text);
            if (w) throw new Fail(i, w[0].length, `property names need double quotes: "${w[0].slice(0, 40)}"`);
            if (c === 0x27) throw new Fail(i, 1, "property names need double quotes (\"), not single quotes (')");
            if (c === 0x2f) throw new Fail(i, Math.min(2, n - i), 'comments are not allowed in JSON');
            throw new Fail(i, 1, `expected a property name in double quotes, found ${describeChar(text.charAt(i))}`);
          }
          break;
        case State.Colon:
          if (c !== 0x3a) throw new Fail(i, 1, `expected ':' after the property name, found ${describeChar(text.charAt(i))}`);
          i++;
          state = State.Value;
          break;
        case State.After:
          if (c === 0x2c) {
            top!.lastComma = i;
            i++;
            state = top!.object ? State.Key : State.Value;
          } else if ((c === 0x7d && top!.object) || (c === 0x5d && !top!.object)) {
            stack.pop();
            i++;
            valueDone(i);
          } else if (c === 0x7d || c === 0x5d) {
            throw new Fail(i, 1, `'${text.charAt(i)}' does not match the '${top!.object ? '{' : '['}'`, top!.open);
          } else if (c === 0x22 || c === 0x7b || c === 0x5b || c === 0x2d || (c >= 0x30 && c <= 0x39) || WORD_START.test(text.charAt(i))) {
            throw new Fail(Math.max(0, lastValueEnd - 1), 1, `missing ',' after this value`);
          } else {
            throw new Fail(i, 1, `expected ',' or '${top!.object ? '}' : ']'}', found ${describeChar(text.charAt(i))}`);
          }
          break;
        case State.End:
          if (c === 0x7b) throw new Fail(i, 1, 'a second JSON value: one event per block, separate events with a ### line');
          throw new Fail(i, 1, `unexpected ${describeChar(text.charAt(i))} after the end of the event`);
      }
    }
  } catch (e) {
    if (e instanceof Fail) {
      const error: JsonProblem = { offset: e.offset, length: e.length, message: e.message };
      if (e.related !== undefined) error.related = e.related;
      return { error, paths, duplicates };
    }
    throw e;
  }
  if (!paths.has('')) paths.set('', { offset: firstNonBlank(text), length: 1 });
  return { paths, duplicates };
}

const WORD_START = /[A-Za-z_$]/;

function decodeKey(token: string): string {
  try {
    return String(JSON.parse(token));
  } catch {
    return token.slice(1, -1);
  }
}

function lastNonBlank(text: string): number {
  let k = text.length - 1;
  while (k > 0 && ' \t\n\r'.includes(text.charAt(k))) k--;
  return Math.max(0, k);
}

function firstNonBlank(text: string): number {
  WS.lastIndex = 0;
  WS.test(text);
  return Math.min(WS.lastIndex, Math.max(0, text.length - 1));
}

/** A character for a message: itself when printable, else its code point name. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0xa0) return `${hex} (no-break space)`;
  if (cp === 0xfeff) return `${hex} (byte order mark)`;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffd) return hex;
  return `'${ch}'`;
}

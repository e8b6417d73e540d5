// A JSON parser that keeps what JSON.parse throws away and Python's json.loads keeps: whether a number was written
// as an int or a float (`100` vs `100.0`), and the exact digits of ints beyond 2^53. It also accepts NaN,
// Infinity and -Infinity, as json.loads does, so text a Python service wrote fingerprints the same here.
// Objects come back with a null prototype (keys are other people's: `__proto__` is just a key); a repeated key
// keeps its last value, as both JSON.parse and json.loads do. Nesting is limited (an error, never a stack overflow).
import { BadInputError, NotJsonError } from '../errors';
import { previewText } from '../envelope/envelope';

/** A number as written in the JSON text. */
export class ExactNumber {
  constructor(
    readonly text: string,
    /** Written with a fraction or exponent (a Python float), or NaN/Infinity. */
    readonly isFloat: boolean,
  ) {}

  toNumber(): number {
    return Number(this.text);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const NON_FINITE = /NaN|Infinity|-Infinity/y;

/** Parses JSON text with numbers as `ExactNumber`. Throws NotJsonError (bad text) or BadInputError (too deep). */
export function parseJsonExact(text: string, maxDepth = 1000): unknown {
  const p = new ExactParser(text, maxDepth);
  p.skipSpace();
  const value = p.value(0);
  p.skipSpace();
  if (p.pos < text.length) p.fail('unexpected text after the JSON value');
  return value;
}

class ExactParser {
  pos = 0;
  constructor(private readonly text: string, private readonly maxDepth: number) {}

  value(depth: number): unknown {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: return this.object(depth + 1); // {
      case 0x5b: return this.array(depth + 1); // [
      case 0x22: return this.string(); // "
      case 0x74: return this.literal('true', true);
      case 0x66: return this.literal('false', false);
      case 0x6e: return this.literal('null', null);
      default: return this.number();
    }
  }

  private object(depth: number): Record<string, unknown> {
    this.checkDepth(depth);
    const obj: Record<string, unknown> = Object.create(null);
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) { this.pos++; return obj; }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected a property name in double quotes');
      const key = this.string();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.skipSpace();
      obj[key] = this.value(depth);
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return obj;
      if (c !== 0x2c) { this.pos--; this.fail("expected ',' or '}'"); }
      this.skipSpace();
    }
  }

  private array(depth: number): unknown[] {
    this.checkDepth(depth);
    const items: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) { this.pos++; return items; }
    for (;;) {
      items.push(this.value(depth));
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return items;
      if (c !== 0x2c) { this.pos--; this.fail("expected ',' or ']'"); }
      this.skipSpace();
    }
  }

  private string(): string {
    const start = this.pos;
    let i = start + 1;
    let plain = true;
    for (;;) {
      if (i >= this.text.length) { this.pos = start; this.fail('unterminated string'); }
      const c = this.text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) { plain = false; i += 2; continue; }
      if (c < 0x20) { this.pos = i; this.fail('control character in a string'); }
      i++;
    }
    this.pos = i + 1;
    if (plain) return this.text.slice(start + 1, i);
    // JSON.parse decodes escapes exactly as json.loads does, lone surrogates included.
    try {
      return JSON.parse(this.text.slice(start, i + 1)) as string;
    } catch {
      this.pos = start;
      return this.fail('bad escape in a string');
    }
  }

  private number(): ExactNumber {
    NON_FINITE.lastIndex = this.pos;
    const nf = NON_FINITE.exec(this.text);
    if (nf) { this.pos += nf[0].length; return new ExactNumber(nf[0], true); }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail(this.pos >= this.text.length ? 'unexpected end of the text' : 'unexpected character');
    this.pos += m[0].length;
    return new ExactNumber(m[0], m[1] !== undefined || m[2] !== undefined);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('unexpected character');
    this.pos += word.length;
    return value;
  }

  skipSpace(): void {
    const t = this.text;
    let i = this.pos;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.pos = i;
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth) throw new BadInputError(`JSON nested deeper than ${this.maxDepth} levels`);
  }

  fail(reason: string): never {
    throw new NotJsonError(`not JSON: ${reason} at position ${this.pos}`, previewText(this.text));
  }
}

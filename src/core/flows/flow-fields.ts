// Reads only the fields flow mining looks at (event_type, entity_id, timestamp, event_id, metadata.source and the
// configured key paths such as data.order_id) straight from an event's JSON bytes, without building the event: a
// JSON.parse of every event was most of the time of mining a store. Each field comes out as the value JSON.parse
// would have given it (objects and arrays as empty stand-ins of the same kind, which is all the miner asks of them);
// type names are kept and reused instead of made anew for every event, and the usual timestamp form is read as a
// number straight from the bytes.
// The whole text is still checked to be JSON (a broken event must count as malformed, as it would after
// JSON.parse); whenever the reader is not sure (an escaped key where one matters, a type that is an object, deep
// nesting, a top level that is not an object) read() answers false and the caller parses the event in full.
import { isoBytesMicros, parseIsoMicros } from '../store/time-range';

/** One key the reader looks for at a level of the event, and what is under it. */
interface KeyNode {
  name: string;
  bytes: Buffer;
  /** Where its value goes (-1: only whether it is an object matters, to go down to `children`). */
  slot: number;
  children: KeyNode[];
  /** Slots of this node and every node under it: emptied when the key comes again (the last one counts). */
  below: number[];
}

/** The slots of the fixed fields; key paths follow from KEY_PATH_SLOT on, in the order given. */
export const TYPE_SLOT = 0;
export const ENTITY_SLOT = 1;
export const TIME_SLOT = 2;
export const EVENT_ID_SLOT = 3;
export const SOURCE_SLOT = 4;
export const KEY_PATH_SLOT = 5;
const FIXED_PATHS = [['event_type'], ['entity_id'], ['timestamp'], ['event_id'], ['metadata', 'source']];
const ALL_FIXED = FIXED_PATHS.map((_, slot) => slot);

/** Deepest nesting skipped over before giving up (JSON.parse then decides, with the core's own limit). */
const MAX_SKIP_DEPTH = 64;
/** Type names kept for reuse; past this, names are made as they come. */
const MAX_INTERNED = 256;
const OBJ = 1;
const ARR = 2;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class FlowFieldReader {
  /** After a read() that answered true: the value of each slot, undefined when the event has no such field. */
  readonly values: unknown[];
  /** After read(): the timestamp in µs (parseIsoMicros of it), null when it has none that reads as a time. */
  atMicros: number | null = null;
  private readonly root: KeyNode[];
  private readonly interned: Array<{ bytes: Buffer; text: string }> = [];
  private b: Buffer = Buffer.alloc(0);
  private n = 0;
  private i = 0;
  /** Set by string(): the text had escapes / bytes above ASCII. */
  private escaped = false;
  private wide = false;
  private readonly stack = new Uint8Array(MAX_SKIP_DEPTH);

  private constructor(root: KeyNode[], slots: number) {
    this.root = root;
    this.values = new Array<unknown>(slots).fill(undefined);
  }

  /**
   * A reader for these key paths (split at dots); null when a part is not plain ASCII (then parse in full). `fixed`:
   * the fixed slots to fill (the others stay undefined; making texts of fields nobody reads was a fifth of a replay's
   * reading).
   */
  static create(keyPaths: ReadonlyArray<readonly string[]> = [], fixed: readonly number[] = ALL_FIXED): FlowFieldReader | null {
    const root: KeyNode[] = [];
    const all = [...FIXED_PATHS, ...keyPaths];
    for (let slot = 0; slot < all.length; slot++) {
      if (slot < KEY_PATH_SLOT && !fixed.includes(slot)) continue;
      const path = all[slot];
      const chain: KeyNode[] = [];
      let level = root;
      for (let p = 0; p < path.length; p++) {
        const name = path[p];
        // A key with other characters could be spelt in the bytes in more than one way: not worth the risk.
        if (!/^[\x20-\x7e]*$/.test(name) || name.includes('"') || name.includes('\\')) return null;
        let node = level.find((k) => k.name === name);
        if (!node) level.push((node = { name, bytes: Buffer.from(name, 'latin1'), slot: -1, children: [], below: [] }));
        chain.push(node);
        level = node.children;
      }
      const leaf = chain[chain.length - 1];
      // Two paths to one field (a key path of `entity_id`): the first slot is filled, the other copied in read().
      if (leaf.slot >= 0) return null;
      leaf.slot = slot;
      for (const node of chain) node.below.push(slot);
    }
    return new FlowFieldReader(root, all.length);
  }

  /** Reads an event's JSON bytes into `values` and `atMicros`; false when it is not sure (parse it in full then). */
  read(bytes: Buffer): boolean {
    this.b = bytes;
    this.n = bytes.length;
    this.i = 0;
    this.values.fill(undefined);
    this.atMicros = null;
    this.space();
    if (bytes[this.i] !== 0x7b || !this.object(this.root)) return false;
    this.space();
    return this.i === this.n;
  }

  /**
   * The bytes are one JSON object and nothing else (no space around it), checked without building it (export writes
   * such an event's bytes as they are). false: not one, or not sure (deep nesting): JSON.parse decides then.
   */
  isObject(bytes: Buffer): boolean {
    this.b = bytes;
    this.n = bytes.length;
    this.i = 0;
    return bytes[0] === 0x7b && this.skip() && this.i === this.n;
  }

  private space(): void {
    const b = this.b;
    let i = this.i;
    for (;;) {
      const c = b[i];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.i = i;
  }

  /** At `{`: reads the planned keys of this object. */
  private object(keys: KeyNode[]): boolean {
    const b = this.b;
    this.i++;
    this.space();
    if (b[this.i] === 0x7d) {
      this.i++;
      return true;
    }
    for (;;) {
      if (b[this.i] !== QUOTE) return false;
      const start = this.i + 1;
      if (!this.string()) return false;
      const end = this.i - 1;
      this.space();
      if (b[this.i] !== 0x3a) return false;
      this.i++;
      this.space();
      let node: KeyNode | undefined;
      if (keys.length > 0) {
        // An escaped key could spell a planned one (`"event\u005ftype"`).
        if (this.escaped) return false;
        if (!this.wide) node = find(keys, b, start, end);
      }
      if (node) {
        // A key given twice: the last one counts, as in JSON.parse.
        for (const s of node.below) this.values[s] = undefined;
        if (node.slot === TIME_SLOT) this.atMicros = null;
        if (!this.value(node)) return false;
      } else if (!this.skip()) return false;
      this.space();
      const c = b[this.i];
      if (c === 0x2c) {
        this.i++;
        this.space();
      } else if (c === 0x7d) {
        this.i++;
        return true;
      } else return false;
    }
  }

  /** The value of a planned key into its slot (and the ones under it); false: not JSON, or not sure. */
  private value(node: KeyNode): boolean {
    const b = this.b;
    const c = b[this.i];
    const slot = node.slot;
    if (c === 0x7b) {
      // An event_type that is an object would be shown as text: only a full parse knows that text.
      if (slot === TYPE_SLOT) return false;
      if (node.children.length > 0 ? !this.object(node.children) : !this.skip()) return false;
      if (slot >= 0) this.values[slot] = {};
      return true;
    }
    if (c === 0x5b) {
      if (slot === TYPE_SLOT || !this.skip()) return false;
      if (slot >= 0) this.values[slot] = [];
      return true;
    }
    if (slot < 0) return this.skip();
    const start = this.i;
    if (!this.skip()) return false;
    const end = this.i;
    if (c === QUOTE) {
      const v = this.text(start + 1, end - 1, slot);
      if (v === undefined) return false;
      this.values[slot] = v;
      if (slot === TIME_SLOT) this.atMicros = this.escaped || this.wide ? parseIsoMicros(v) : isoBytesMicros(b, start + 1, end - 1) ?? parseIsoMicros(v);
    } else if (c === 0x74) this.values[slot] = true;
    else if (c === 0x66) this.values[slot] = false;
    else if (c === 0x6e) this.values[slot] = null;
    else this.values[slot] = numberAt(b, start, end);
    return true;
  }

  /** The text of a checked string's content [start, end); the flags of string() still describe it. */
  private text(start: number, end: number, slot: number): string | undefined {
    const b = this.b;
    if (this.escaped) return unescape(b, start - 1, end + 1);
    if (this.wide) return b.toString('utf8', start, end);
    if (slot !== TYPE_SLOT) return latin1(b, start, end);
    const known = find(this.interned, b, start, end);
    if (known) return known.text;
    const text = latin1(b, start, end);
    if (this.interned.length < MAX_INTERNED) this.interned.push({ bytes: Buffer.from(text, 'latin1'), text });
    return text;
  }

  /** At `"`: moves past the closing quote; false when the string is not valid JSON. */
  private string(): boolean {
    const b = this.b;
    const n = this.n;
    let i = this.i + 1;
    let escaped = false;
    let wide = false;
    for (;;) {
      if (i >= n) return false;
      const c = b[i++];
      if (c === QUOTE) break;
      if (c < 0x20) return false;
      if (c >= 0x80) wide = true;
      else if (c === BACKSLASH) {
        escaped = true;
        if (i >= n) return false;
        const e = b[i++];
        if (e === 0x75) {
          if (i + 4 > n) return false;
          for (let k = 0; k < 4; k++) if (!isHex(b[i++])) return false;
        } else if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return false;
      }
    }
    this.i = i;
    this.escaped = escaped;
    this.wide = wide;
    return true;
  }

  /** Moves past one value of any kind, checking it is JSON; false when it is not (or nests too deep to be sure). */
  private skip(): boolean {
    const b = this.b;
    const stack = this.stack;
    let top = 0;
    for (;;) {
      const c = b[this.i];
      if (c === 0x7b || c === 0x5b) {
        this.i++;
        this.space();
        if (b[this.i] === (c === 0x7b ? 0x7d : 0x5d)) this.i++;
        else {
          if (top === MAX_SKIP_DEPTH) return false;
          stack[top++] = c === 0x7b ? OBJ : ARR;
          if (c === 0x7b && !this.key()) return false;
          continue;
        }
      } else if (c === QUOTE) {
        if (!this.string()) return false;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        if (!this.number()) return false;
      } else if (!this.literal(c)) return false;
      // After a value: a comma and the next one, or the end of one or more containers.
      for (;;) {
        if (top === 0) return true;
        this.space();
        const d = b[this.i];
        if (d === 0x2c) {
          this.i++;
          this.space();
          if (stack[top - 1] === OBJ && !this.key()) return false;
          break;
        }
        if (d !== (stack[top - 1] === OBJ ? 0x7d : 0x5d)) return false;
        this.i++;
        top--;
      }
    }
  }

  /** A key and its colon, and the space up to its value. */
  private key(): boolean {
    if (this.b[this.i] !== QUOTE || !this.string()) return false;
    this.space();
    if (this.b[this.i] !== 0x3a) return false;
    this.i++;
    this.space();
    return true;
  }

  private number(): boolean {
    const b = this.b;
    let i = this.i;
    if (b[i] === 0x2d) i++;
    if (b[i] === 0x30) i++;
    else if (isDigit(b[i])) while (isDigit(b[i])) i++;
    else return false;
    if (b[i] === 0x2e) {
      i++;
      if (!isDigit(b[i])) return false;
      while (isDigit(b[i])) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!isDigit(b[i])) return false;
      while (isDigit(b[i])) i++;
    }
    this.i = i;
    return true;
  }

  private literal(c: number): boolean {
    const word = c === 0x74 ? TRUE : c === 0x66 ? FALSE : c === 0x6e ? NULL : null;
    if (word === null) return false;
    const b = this.b;
    const i = this.i;
    for (let k = 1; k < word.length; k++) if (b[i + k] !== word[k]) return false;
    this.i = i + word.length;
    return true;
  }
}

/**
 * Buffer#latin1Slice, what toString('latin1', start, end) calls after checking its arguments: a tenth of the
 * reader's time went to those checks for the handful of short texts it makes per event.
 */
function latin1(b: Buffer, start: number, end: number): string {
  return (b as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** A checked number's value: small whole numbers summed from their digits, the rest as JSON.parse reads them. */
function numberAt(b: Buffer, start: number, end: number): number {
  if (end - start <= 15) {
    let v = 0;
    let i = start;
    for (; i < end; i++) {
      const c = b[i] - 0x30;
      if (!(c >= 0 && c <= 9)) break;
      v = v * 10 + c;
    }
    if (i === end) return v;
  }
  return Number(latin1(b, start, end));
}

/** A checked JSON string with escapes, quotes included: JSON.parse decodes it (\u escapes, lone surrogates). */
function unescape(b: Buffer, start: number, end: number): string | undefined {
  try {
    return JSON.parse(b.toString('utf8', start, end)) as string;
  } catch {
    return undefined; // cannot happen for a checked string; not sure, so parse the event in full
  }
}

function find<K extends { bytes: Buffer }>(keys: K[], b: Buffer, start: number, end: number): K | undefined {
  const len = end - start;
  outer: for (let k = 0; k < keys.length; k++) {
    const kb = keys[k].bytes;
    if (kb.length !== len) continue;
    for (let j = 0; j < len; j++) if (kb[j] !== b[start + j]) continue outer;
    return keys[k];
  }
  return undefined;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

// Where a cursor is inside the JSON of a `.events` block, for completion: the path of the object or array it is in,
// and whether a property name or a value goes there (with the text typed so far). Reads only the text before the
// cursor, iteratively (hostile nesting cannot overflow the stack), and stops at a budget: text past it gives nothing.
export interface JsonCursor {
  /** Keys and indexes from the root to the container the cursor is in. */
  readonly path: ReadonlyArray<string | number>;
  /** 'key': a property name of that object goes here; 'value': the value of `key` (or an array item). */
  readonly position: 'key' | 'value';
  /** The property whose value is being written (position 'value' in an object). */
  readonly key?: string;
  /** The string typed so far when the cursor is inside an open string, else undefined. */
  readonly partial?: string;
  /** Keys the object the cursor is in already has before the cursor (position 'key'). */
  readonly written: readonly string[];
}

const MAX_TEXT = 100_000;
const MAX_DEPTH = 64;

const MAX_KEYS = 500;

type Frame = { type: 'object'; key?: string; expectKey: boolean; keys: string[] } | { type: 'array'; index: number };

/** The cursor at the end of `text` (the block's body up to the cursor); undefined outside any object or array. */
export function jsonCursorAt(text: string): JsonCursor | undefined {
  if (text.length > MAX_TEXT) return undefined;
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) { s += text[j + 1]; j += 2; } else { s += text[j]; j++; }
      }
      if (j >= text.length) return cursorOf(stack, s);
      const top = stack.at(-1);
      if (top?.type === 'object' && top.expectKey) {
        top.key = s;
        if (top.keys.length < MAX_KEYS) top.keys.push(s);
      }
      i = j + 1;
      continue;
    }
    if (c === '{' && text[i + 1] === '{') {
      // A bare placeholder ({{uuid}}): a value, not an object.
      const end = text.indexOf('}}', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
      continue;
    }
    const top = stack.at(-1);
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_DEPTH) return undefined;
      stack.push(c === '{' ? { type: 'object', expectKey: true, keys: [] } : { type: 'array', index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ':' && top?.type === 'object') {
      top.expectKey = false;
    } else if (c === ',' && top) {
      if (top.type === 'object') { top.expectKey = true; top.key = undefined; } else top.index++;
    }
    i++;
  }
  return cursorOf(stack, undefined);
}

function cursorOf(stack: readonly Frame[], partial: string | undefined): JsonCursor | undefined {
  const top = stack.at(-1);
  if (!top) return undefined;
  const path: Array<string | number> = [];
  for (const f of stack.slice(0, -1)) {
    if (f.type === 'array') path.push(f.index);
    else if (f.key !== undefined) path.push(f.key);
    else return undefined;
  }
  if (top.type === 'array') return { path: [...path, top.index], position: 'value', partial, written: [] };
  if (top.expectKey) return { path, position: 'key', partial, written: top.keys };
  return top.key === undefined ? undefined : { path, position: 'value', key: top.key, partial, written: top.keys };
}

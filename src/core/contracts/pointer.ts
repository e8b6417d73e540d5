// JSON pointers (RFC 6901) into a parsed document, and the `#/…` fragments of local `$ref`s.

export function encodeSegment(s: string | number): string {
  return String(s).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(base: string, ...segments: Array<string | number>): string {
  return base + segments.map((s) => `/${encodeSegment(s)}`).join('');
}

/** The segments of a pointer ('' is the whole document); undefined when it is not a pointer. */
export function splitPointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The pointer a local `$ref` ("#/components/schemas/Order") names, or undefined when the ref is not local. */
export function refToPointer(ref: string): string | undefined {
  if (!ref.startsWith('#')) return undefined;
  let fragment: string;
  try { fragment = decodeURIComponent(ref.slice(1)); } catch { return undefined; }
  return fragment === '' || fragment.startsWith('/') ? fragment : undefined;
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The value at `pointer`, or undefined. Own properties only: "__proto__" or "constructor" never reach the prototype. */
export function getAt(root: unknown, pointer: string): unknown {
  const segments = splitPointer(pointer);
  if (!segments) return undefined;
  let node = root;
  for (const s of segments) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(s)) return undefined;
      node = node[Number(s)];
    } else if (node && typeof node === 'object' && hasOwn(node, s)) {
      node = (node as Record<string, unknown>)[s];
    } else {
      return undefined;
    }
  }
  return node;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}

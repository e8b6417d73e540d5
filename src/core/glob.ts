// Redis glob matching, as util.c `stringmatchlen` does it (PSUBSCRIBE, PUBSUB CHANNELS, SCAN MATCH, KEYS):
// `*`, `?`, `[abc]`, `[^a]`, `[a-z]` (reversed ranges allowed, bytes compared as signed chars), `\x` escapes,
// an unterminated `[` class closing at the end of the pattern, and every quirk that follows from matching bytes:
// `?` matches one UTF-8 byte, not one character, and no pattern but the empty one matches the empty string.
// Compiled matchers take fast paths for the common shapes (`*`, `prefix*`, `*suffix`, `*middle*`, literals).

export type GlobMatcher = (subject: string) => boolean;

const STAR = 0x2a;
const QUESTION = 0x3f;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;

/** Deepest `*` recursion before a match is given up, as Redis does against abusive patterns. */
const MAX_NESTING = 1000;

interface SkipFlag { skip: boolean }

function signedByte(b: number): number {
  return (b << 24) >> 24;
}

function matchBytes(
  p: Uint8Array, pi: number, plen: number,
  s: Uint8Array, si: number, slen: number,
  flag: SkipFlag, nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false;
  while (plen > 0 && slen > 0) {
    switch (p[pi]) {
      case STAR: {
        while (plen > 1 && p[pi + 1] === STAR) { pi++; plen--; }
        if (plen === 1) return true;
        while (slen > 0) {
          if (matchBytes(p, pi + 1, plen - 1, s, si, slen, flag, nesting + 1)) return true;
          // The rest of the pattern matched nowhere in a longer tail: a longer `*` cannot help either.
          if (flag.skip) return false;
          si++; slen--;
        }
        flag.skip = true;
        return false;
      }
      case QUESTION:
        si++; slen--;
        break;
      case LBRACKET: {
        pi++; plen--;
        const not = plen > 0 && p[pi] === CARET;
        if (not) { pi++; plen--; }
        let match = false;
        for (;;) {
          if (plen >= 2 && p[pi] === BACKSLASH) {
            pi++; plen--;
            if (p[pi] === s[si]) match = true;
          } else if (plen > 0 && p[pi] === RBRACKET) {
            break;
          } else if (plen === 0) {
            // Unterminated class: step back so the shared `pi++` below lands on the end of the pattern.
            pi--; plen++;
            break;
          } else if (plen >= 3 && p[pi + 1] === DASH) {
            let start = signedByte(p[pi]!);
            let end = signedByte(p[pi + 2]!);
            const c = signedByte(s[si]!);
            if (start > end) { const t = start; start = end; end = t; }
            pi += 2; plen -= 2;
            if (c >= start && c <= end) match = true;
          } else if (p[pi] === s[si]) {
            match = true;
          }
          pi++; plen--;
        }
        if (not) match = !match;
        if (!match) return false;
        si++; slen--;
        break;
      }
      case BACKSLASH:
        if (plen >= 2) { pi++; plen--; }
        if (p[pi] !== s[si]) return false;
        si++; slen--;
        break;
      default:
        if (p[pi] !== s[si]) return false;
        si++; slen--;
        break;
    }
    pi++; plen--;
    if (slen === 0) {
      while (p[pi] === STAR) { pi++; plen--; }
      break;
    }
  }
  return plen === 0 && slen === 0;
}

const encoder = new TextEncoder();

/** `stringmatchlen(pattern, subject)`, uncompiled. */
export function globMatch(pattern: string, subject: string): boolean {
  const p = encoder.encode(pattern);
  const s = encoder.encode(subject);
  return matchBytes(p, 0, p.length, s, 0, s.length, { skip: false }, 0);
}

function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === STAR || c === QUESTION || c === LBRACKET || c === BACKSLASH) return false;
  }
  return true;
}

/** A matcher for one pattern; equivalent to `globMatch(pattern, subject)` for every subject. */
export function compileGlob(pattern: string): GlobMatcher {
  if (pattern.length === 0) return (s) => s.length === 0;
  if (isPlain(pattern)) return (s) => s === pattern;
  // Shapes built from stars around one plain literal. Only a non-empty subject can match a non-empty pattern.
  let lead = 0;
  while (lead < pattern.length && pattern.charCodeAt(lead) === STAR) lead++;
  if (lead === pattern.length) return (s) => s.length > 0;
  let trail = 0;
  while (trail < pattern.length - lead && pattern.charCodeAt(pattern.length - 1 - trail) === STAR) trail++;
  const literal = pattern.slice(lead, pattern.length - trail);
  if (isPlain(literal)) {
    if (lead === 0) return (s) => s.startsWith(literal);
    if (trail === 0) return (s) => s.endsWith(literal);
    return (s) => s.includes(literal);
  }
  const p = encoder.encode(pattern);
  return (s) => {
    const b = encoder.encode(s);
    return matchBytes(p, 0, p.length, b, 0, b.length, { skip: false }, 0);
  };
}

/** Compiled matchers of recently used patterns (PUBSUB CHANNELS, SCAN MATCH), bounded. */
export class GlobCache {
  private readonly map = new Map<string, GlobMatcher>();
  constructor(private readonly capacity = 256) {}

  get(pattern: string): GlobMatcher {
    let m = this.map.get(pattern);
    if (m) {
      // Refresh its place so the least recently used pattern is evicted first.
      this.map.delete(pattern);
      this.map.set(pattern, m);
      return m;
    }
    m = compileGlob(pattern);
    this.map.set(pattern, m);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
    return m;
  }
}

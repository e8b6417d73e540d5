// How big one write to Redis may be. ioredis turns a command, or a whole pipeline, into one string before writing
// it; past V8's 128 KiB limit for ordinary heap objects (a two-byte string counts two bytes a character) that string
// and its UTF-8 copy are fresh large allocations, paid in page faults and GC. In the publish benchmark one write of
// 1000 events of 300 bytes cost 1.9 ms of CPU per 1000 events, writes of ~200 events 0.75 ms (profile:
// writeUtf8String and the garbage collector); a replay's pipelines of 1000 XADD showed the same.

/** Characters of arguments per write at most (plus FRAMING_CHARS per argument): ~150 events of 300 bytes. */
export const WRITE_CHARS = 48 * 1024;
/** What RESP adds around an argument (`$<length>\r\n…\r\n`), counted generously. */
export const FRAMING_CHARS = 8;

/** `items` in order, cut into parts of at most `maxCount` items and about WRITE_CHARS; an oversized item goes alone. */
export function cutBySize<I>(items: ReadonlyArray<I>, charsOf: (item: I) => number, maxCount = Number.POSITIVE_INFINITY): I[][] {
  const parts: I[][] = [];
  let part: I[] = [];
  let chars = 0;
  for (const item of items) {
    const size = charsOf(item);
    if (part.length > 0 && (part.length >= maxCount || chars + size > WRITE_CHARS)) {
      parts.push(part);
      part = [];
      chars = 0;
    }
    part.push(item);
    chars += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

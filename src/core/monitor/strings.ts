// String helpers for data kept across events: names from outside are capped in length, and strings that may be
// slices of a large payload are copied so the payload can be garbage-collected.

/** Longest channel name / event type tracked as its own key; longer ones are shortened with a marker. */
export const MAX_NAME_CHARS = 256;

export function limitName(name: string, max = MAX_NAME_CHARS): string {
  return name.length > max ? `${name.slice(0, max)}…` : name;
}

/**
 * A flat copy of `s`. V8 represents a substring of a long string as a view into it, so keeping a 20-char type
 * name sliced out of a 10 MB payload would keep the 10 MB alive. The UTF-16 round trip is lossless (lone
 * surrogates included).
 */
export function detachString(s: string): string {
  return s.length === 0 ? '' : Buffer.from(s, 'utf16le').toString('utf16le');
}

/** At most `maxChars` of `s`, as a detached copy, never ending in half a surrogate pair. */
export function truncateDetached(s: string, maxChars: number): string {
  let end = Math.min(s.length, maxChars);
  const last = s.charCodeAt(end - 1);
  if (end < s.length && last >= 0xd800 && last <= 0xdbff) end--;
  return detachString(s.slice(0, end));
}

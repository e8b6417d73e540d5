// The guide's EventDeduplicator.generate_fingerprint, bit-exact:
//   sha256(json.dumps({'event_type', 'user_id', 'entity_id', 'data'}, sort_keys=True)).hexdigest()[:32]
// with `event.get(...)` semantics: a missing field is null, a missing `data` is {} (a `data` that is present but
// null stays null). Test vectors: testdata/dedup-fingerprints.json.
//
// Which to call:
// - `fingerprintJson(text)` when you have the JSON text as it travelled: it keeps `100.0` a float and ints beyond
//   2^53 exact, so it agrees with Python on every input json.loads accepts.
// - `fingerprint(event)` for a JS object. Integral numbers count as Python ints (JS cannot tell `100.0` from `100`,
//   so an event whose data holds an integral float, e.g. `{"price": 100.0}` from a Python publisher, fingerprints
//   differently than in Python), and ints beyond 2^53 have already lost digits in JSON.parse. Use a bigint for an
//   exact large int.
import * as crypto from 'node:crypto';
import { BadInputError } from '../errors';
import type { EventLike } from '../envelope/envelope';
import { parseJsonExact } from './exact-json';
import { canonicalJsonOrUndefined } from './python-json';

export const FINGERPRINT_HEX_CHARS = 32;

/** The four fields in sorted order, as json.dumps(sort_keys=True) writes them. */
const CANONICAL_FIELDS = [['data', {}], ['entity_id', null], ['event_type', null], ['user_id', null]] as const;

/** The text the fingerprint hashes (Python's json.dumps of the four fields). */
export function fingerprintCanonical(event: EventLike): string {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new BadInputError('an event to fingerprint must be an object');
  }
  // canonicalJson of {data, entity_id, event_type, user_id}, written directly: the keys are known and sorted, so
  // the outer object is neither built nor sorted (a third of the fingerprint's cost in the dedup benchmark).
  let out = '{';
  for (const [key, fallback] of CANONICAL_FIELDS) {
    const value = field(event, key, fallback);
    // A value with no JSON form (a function) leaves its key out, as it would from an object.
    const text = canonicalJsonOrUndefined(value);
    if (text === undefined) continue;
    if (out.length > 1) out += ', ';
    out += `"${key}": ${text}`;
  }
  return `${out}}`;
}

/**
 * First 32 hex chars of the SHA-256 of `fingerprintCanonical(event)`, for an event you only have as an object.
 *
 * Equal to Python's only as far as the object still holds what the JSON text said: once `JSON.parse` has read it,
 * `12.0` is the number 12 (written as Python's int `12`, not the float `12.0`), `-0.0` is written `0`, `1e+21` is
 * written as an int, and ints beyond 2^53 (`9007199254740993`, `123456789012345678`) have lost digits. A Python
 * service that published such text gets another fingerprint. When you have the text (a message, a stream entry, a
 * file), call `fingerprintJson(text)` (or pass the text to the Deduplicator), which equals Python for anything
 * `json.loads` accepts. A bigint is written as the exact int it holds.
 */
export function fingerprint(event: EventLike): string {
  return sha256Prefix(fingerprintCanonical(event));
}

/** The canonical text of an event given as JSON text, numbers kept as written (see the note at the top). */
export function fingerprintCanonicalJson(text: string): string {
  return fingerprintCanonical(parseJsonExact(text) as EventLike);
}

/** The fingerprint of an event given as JSON text: equal to Python's for anything json.loads accepts. */
export function fingerprintJson(text: string): string {
  return sha256Prefix(fingerprintCanonicalJson(text));
}

// The one-shot `crypto.hash` (Node 20.12+) is about twice as fast as createHash for short inputs.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function sha256Prefix(text: string): string {
  const hex = oneShotHash ? oneShotHash('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
  return hex.slice(0, FINGERPRINT_HEX_CHARS);
}

/** Python's `event.get(key, fallback)`: only own fields count; `undefined` counts as missing, `null` does not. */
function field(event: EventLike, key: string, fallback: unknown): unknown {
  const v = Object.prototype.hasOwnProperty.call(event, key) ? event[key] : undefined;
  return v === undefined ? fallback : v;
}

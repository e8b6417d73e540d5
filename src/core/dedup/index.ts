// Dedup: the guide's fingerprint, bit-exact, and an atomic SET NX EX idempotency check.
export { canonicalJson, pyFloatRepr, pyString, compareCodePoints, MAX_JSON_DEPTH } from './python-json';
export { ExactNumber, parseJsonExact } from './exact-json';
export { fingerprint, fingerprintJson, fingerprintCanonical, fingerprintCanonicalJson, FINGERPRINT_HEX_CHARS } from './fingerprint';
export {
  Deduplicator, type DeduplicatorOptions, type DedupInput, DEFAULT_DEDUP_TTL_SECONDS, DEFAULT_DEDUP_KEY_PREFIX,
} from './deduplicator';

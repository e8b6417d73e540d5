// Dedup: the guide's fingerprint, bit-exact, and an atomic idempotency check (SET NX EX GET with a token per check).
export { canonicalJson, pyFloatRepr, pyString, compareCodePoints, MAX_JSON_DEPTH } from './python-json';
export { ExactNumber, parseJsonExact } from './exact-json';
export { fingerprint, fingerprintJson, fingerprintCanonical, fingerprintCanonicalJson, FINGERPRINT_HEX_CHARS } from './fingerprint';
export {
  Deduplicator, type DeduplicatorOptions, type DedupInput, type DedupCheckOptions, type DedupResult, newDedupToken,
  DEFAULT_DEDUP_TTL_SECONDS, DEFAULT_DEDUP_KEY_PREFIX, DEFAULT_DEDUP_RETRY_FOR_MS,
} from './deduplicator';

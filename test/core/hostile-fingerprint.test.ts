// Hostile input, fingerprinting (the dedup key): fingerprint / fingerprintJson / canonicalJson never throw anything
// but a typed UCoreError (BadInputError for a non-object or > 1000 levels, NotJsonError for text that is not JSON),
// always give 32 hex chars otherwise, do not depend on key order (the guide's sort_keys=True), agree between the text
// and the object form, keep `__proto__` keys as data, and never pollute a prototype. 10,000 cases per property.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, fingerprint, fingerprintCanonical, fingerprintJson } from '../../src/core/dedup/index';
import { Deduplicator } from '../../src/core/dedup/deduplicator';
import { UCoreError } from '../../src/core/errors';
import { EmbeddedTransport } from '../../src/core/transport/embedded/transport';
import {
  NUM_RUNS, assertNoPollution, deepNesting, hostileEventText, hostileJsonText, hostileKey, hostilePayload, hostileString, hugePayloads, prototypeSnapshot,
} from '../support/hostile';
import { cpuMs } from '../support/cpu-time';

const HEX32 = /^[0-9a-f]{32}$/;
let cases = 0;

/** Returns the fingerprint, or null when the core refused the input with a typed error. */
function tryFingerprint(f: () => string): string | null {
  cases++;
  try {
    const fp = f();
    assert.match(fp, HEX32);
    return fp;
  } catch (e) {
    assert.ok(e instanceof UCoreError, `threw ${String(e)}`);
    assert.ok(['BAD_INPUT', 'NOT_JSON'].includes(e.code), e.code);
    return null;
  }
}

/** The same JSON value with every object's keys in another order (own keys only; __proto__ kept as an own key). */
function reorder(value: unknown, rnd: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, rnd));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) Object.defineProperty(out, k, { value: reorder((value as Record<string, unknown>)[k], rnd), enumerable: true, writable: true, configurable: true });
  return out;
}

/** A JSON value without numbers JSON.stringify writes in exponent form (≥ 1e21), where JS and Python disagree (documented). */
function hasHugeNumber(v: unknown): boolean {
  if (typeof v === 'number') return Math.abs(v) >= 1e21;
  if (Array.isArray(v)) return v.some(hasHugeNumber);
  if (v && typeof v === 'object') return Object.values(v).some(hasHugeNumber);
  return false;
}

describe('hostile input: fingerprinting', () => {
  let protoBefore: string;
  before(() => { protoBefore = prototypeSnapshot(); });
  after(() => {
    assertNoPollution(protoBefore);
    console.log(`FIGURE: hostile fingerprint: ${cases} fingerprints tried, 0 untyped throws, prototypes unchanged`);
  });

  it('fingerprintJson on hostile text: 32 hex chars or a typed error', () => {
    fc.assert(fc.property(hostilePayload, (text) => { tryFingerprint(() => fingerprintJson(text)); }), { numRuns: NUM_RUNS });
  });

  it('fingerprint on any parsed value: 32 hex chars or a typed error', () => {
    fc.assert(fc.property(fc.oneof(hostileJsonText, hostileEventText), (text) => {
      const value = JSON.parse(text) as unknown;
      tryFingerprint(() => fingerprint(value as Record<string, unknown>));
    }), { numRuns: NUM_RUNS });
  });

  it('fingerprint on any JS value (null prototypes, bigints, boxed values, sparse arrays, maps)', () => {
    const anything = fc.anything({ withNullPrototype: true, withBigInt: true, withBoxedValues: true, withSparseArray: true, withMap: true, withSet: true, withDate: true, key: hostileKey, values: [hostileString] });
    fc.assert(fc.property(anything, (v) => { tryFingerprint(() => fingerprint(v as Record<string, unknown>)); }), { numRuns: NUM_RUNS });
  });

  it('key order does not matter; the text and the object form agree', () => {
    fc.assert(fc.property(hostileEventText, fc.integer(), (text, seed) => {
      const value = JSON.parse(text) as Record<string, unknown>;
      fc.pre(!hasHugeNumber(value));
      let s = seed >>> 0;
      const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const a = tryFingerprint(() => fingerprint(value));
      const b = tryFingerprint(() => fingerprint(reorder(value, rnd) as Record<string, unknown>));
      assert.equal(a, b, 'key order changed the fingerprint');
      const c = tryFingerprint(() => fingerprintJson(JSON.stringify(value)));
      assert.equal(a, c, `text and object forms disagree on ${JSON.stringify(value).slice(0, 200)}`);
    }), { numRuns: NUM_RUNS });
  });

  it('__proto__ keys are fingerprinted as data, not dropped and not followed', () => {
    const a = JSON.parse('{"event_type":"t","data":{"__proto__":{"x":1}}}') as Record<string, unknown>;
    const b = JSON.parse('{"event_type":"t","data":{"__proto__":{"x":2}}}') as Record<string, unknown>;
    const c = JSON.parse('{"event_type":"t","data":{}}') as Record<string, unknown>;
    assert.notEqual(fingerprint(a), fingerprint(b));
    assert.notEqual(fingerprint(a), fingerprint(c));
    assert.match(fingerprintCanonical(a), /"__proto__": \{"x": 1\}/);
    assert.equal(fingerprint(a), fingerprintJson('{"event_type":"t","data":{"__proto__":{"x":1}}}'));
    assertNoPollution(protoBefore);
  });

  it('1,000+ levels are refused with a typed error, not a stack overflow; 10 MB payloads hash', () => {
    for (const levels of [999, 1000, 1001, 10_000, 100_000]) {
      for (const text of deepNesting(levels)) {
        tryFingerprint(() => fingerprintJson(text));
        let value: unknown;
        try { value = JSON.parse(text); } catch { continue; }
        tryFingerprint(() => fingerprint(value as Record<string, unknown>));
        if (levels > 1001) assert.throws(() => canonicalJson(value), (e) => e instanceof UCoreError);
      }
    }
    for (const text of hugePayloads(10 * 1024 * 1024)) {
      const started = process.cpuUsage();
      tryFingerprint(() => fingerprintJson(text));
      assert.ok(cpuMs(started) < 10_000, `took ${cpuMs(started)} ms of CPU`);
    }
  });

  it('the Deduplicator keys hostile events (embedded transport) without throwing untyped errors', async () => {
    const t = new EmbeddedTransport({ name: `hostile-fp-${process.pid}` });
    await t.connect();
    const dedup = new Deduplicator(t);
    const samples = fc.sample(hostilePayload, 2000);
    let fresh = 0;
    for (const text of samples) {
      cases++;
      try {
        if (!(await dedup.isDuplicate(text))) fresh++;
      } catch (e) {
        assert.ok(e instanceof UCoreError, String(e));
      }
    }
    assert.ok(fresh > 0);
    await t.close();
  });
});

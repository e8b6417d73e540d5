// Hostile input, envelope parsing: parseJson / parseEvent / readEvent / completeEvent / eventTypeOf / entityOf /
// toStoredEvent never throw, whatever arrives (hostile JSON with __proto__ keys and script in every field, broken
// JSON, control characters, invalid UTF-8, any JS value), always answer with a typed result and a bounded message,
// and never pollute a prototype. 10,000 cases per property; plus 1,000- to 100,000-level nesting and 10 MB payloads.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { completeEvent, entityOf, eventTypeOf, parseEvent, parseJson, readEvent } from '../../src/core/envelope/envelope';
import { UCoreError } from '../../src/core/errors';
import { toStoredEvent } from '../../src/core/store/stored-event';
import {
  NUM_RUNS, assertNoPollution, deepNesting, hostileKey, hostilePayload, hostileString, hugePayloads, invalidUtf8, prototypeSnapshot,
} from '../support/hostile';
import { cpuMs } from '../support/cpu-time';

let cases = 0;
const MAX_MESSAGE = 20_000;

/** Everything a reader does with one input; throws only if the core did. */
function readAll(input: string | Buffer | unknown, deep = false): void {
  cases++;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    const j = parseJson(input);
    if (!j.ok) {
      assert.ok(j.error instanceof UCoreError && j.error.code === 'NOT_JSON');
      assert.ok(j.error.preview.length <= 201, 'the preview is short');
      assert.ok(j.error.message.length < MAX_MESSAGE, 'the message is bounded');
    }
  }
  const strict = parseEvent(input);
  if (strict.ok) {
    assert.equal(typeof strict.event.event_type, 'string');
    assert.equal(typeof strict.event.data, 'object');
    JSON.stringify(strict.event);
  } else {
    assert.ok(strict.error instanceof UCoreError && (strict.error.code === 'NOT_JSON' || strict.error.code === 'INVALID_EVENT'), String(strict.error));
    assert.ok(strict.error.message.length < MAX_MESSAGE, `message of ${strict.error.message.length} chars`);
  }
  const lenient = readEvent(input);
  if (lenient.ok) {
    const full = completeEvent(lenient.event);
    assert.equal(typeof full.event_type, 'string');
    assert.equal(typeof full.event_id, 'string');
    eventTypeOf(lenient.event);
    entityOf(lenient.event);
    try {
      JSON.stringify(full);
    } catch (e) {
      // Only a value JSON itself cannot express (a BigInt, a cycle) may fail to serialise, and text nested deeper
      // than JSON.stringify's own recursion goes (JSON.parse reads 100,000 levels, stringify overflows the stack).
      const wire = typeof input === 'string' || Buffer.isBuffer(input);
      assert.ok(!wire || (e instanceof RangeError && deep), `JSON text came back unserialisable: ${(e as Error).message}`);
    }
  } else {
    assert.ok(lenient.error instanceof UCoreError);
  }
  eventTypeOf(input);
  entityOf(input);
}

describe('hostile input: envelope parsing', () => {
  let protoBefore: string;
  before(() => { protoBefore = prototypeSnapshot(); });
  after(() => {
    assertNoPollution(protoBefore);
    console.log(`FIGURE: hostile envelope: ${cases} inputs parsed, 0 throws, prototypes unchanged`);
  });

  it('hostile JSON text, broken JSON and hostile strings', () => {
    fc.assert(fc.property(hostilePayload, (text) => { readAll(text); }), { numRuns: NUM_RUNS });
  });

  it('invalid UTF-8 and binary buffers', () => {
    fc.assert(fc.property(invalidUtf8, (buf) => { readAll(buf); readAll(buf.toString('latin1')); }), { numRuns: NUM_RUNS });
  });

  it('any JS value (null prototypes, boxed values, maps, typed arrays, bigints, sparse arrays)', () => {
    const anything = fc.anything({
      withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withBigInt: true, withDate: true,
      withTypedArray: true, withSparseArray: true, withObjectString: true, key: hostileKey, values: [hostileString],
    });
    fc.assert(fc.property(anything, (v) => { readAll(v); }), { numRuns: NUM_RUNS });
  });

  it('stream entries with hostile field names and values (toStoredEvent)', () => {
    const fields = fc.array(fc.tuple(fc.oneof(hostileKey, fc.constant('event')), fc.oneof(hostilePayload, hostileString)), { maxLength: 6 }).map((pairs) => {
      const f: Record<string, string> = Object.create(null);
      for (const [k, v] of pairs) f[k] = v;
      return f;
    });
    fc.assert(fc.property(fc.string(), fields, (id, f) => {
      cases++;
      const s = toStoredEvent({ id, fields: f });
      assert.equal(typeof s.raw, 'string');
      assert.ok(s.error === undefined || s.error.length < MAX_MESSAGE);
      JSON.stringify(s.event);
    }), { numRuns: NUM_RUNS });
  });

  it('__proto__ / constructor / prototype keys stay data: no prototype is touched', () => {
    const text = '{"event_id":"e1","event_type":"t","timestamp":"2025-01-01T00:00:00Z","__proto__":{"polluted":1},' +
      '"data":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}},"metadata":{"prototype":{"polluted":1}}}';
    const strict = parseEvent(text);
    assert.ok(strict.ok);
    const lenient = readEvent(text);
    assert.ok(lenient.ok);
    const full = completeEvent(lenient.event);
    for (const o of [strict.event, strict.event.data, lenient.event, full, full.data as object]) {
      assert.equal((o as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.getPrototypeOf(o), Object.prototype);
    }
    assertNoPollution(protoBefore);
  });

  it('1,000 to 100,000 levels of nesting', () => {
    for (const levels of [1000, 10_000, 100_000]) {
      for (const text of deepNesting(levels)) {
        const started = process.cpuUsage();
        readAll(text, true);
        readAll(Buffer.from(text), true);
        assert.ok(cpuMs(started) < 5000, `${levels} levels took ${cpuMs(started)} ms of CPU`);
      }
    }
  });

  it('10 MB payloads', () => {
    for (const text of hugePayloads(10 * 1024 * 1024)) {
      const started = process.cpuUsage();
      readAll(text);
      const r = parseJson(text);
      if (!r.ok) assert.ok(r.error.preview.length <= 201);
      assert.ok(cpuMs(started) < 10_000, `took ${cpuMs(started)} ms of CPU`);
    }
  });
});

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  canonicalJson, Deduplicator, fingerprint, fingerprintCanonical, fingerprintCanonicalJson, fingerprintJson, parseJsonExact,
} from '../../src/core/dedup/index';
import { BadInputError, NotJsonError } from '../../src/core/errors';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';

interface Vector { event: Record<string, unknown>; canonical: string; fingerprint: string }
// A copy of shared/testdata/dedup-fingerprints.json (the guide's fingerprints), so the repo's tests stand alone.
const vectorFile = join(__dirname, '../../../test/fixtures/dedup-fingerprints.json');
const vectors = (JSON.parse(readFileSync(vectorFile, 'utf8')) as { cases: Vector[] }).cases;

// Made with CPython 3 from the guide's generate_fingerprint over `json.loads(text)`: the cases where the JSON text
// matters (float-ness, ints beyond 2^53, NaN/Infinity, code-point key order, lone surrogates, repeated keys).
const pythonTextVectors: Array<{ text: string; canonical: string; fingerprint: string }> = [
  {
    text: '{"event_type":"order_created","data":{"price":100.0,"qty":100,"big":1e16,"small":1e-05,"neg0":-0.0,"negint0":-0}}',
    canonical: '{"data": {"big": 1e+16, "neg0": -0.0, "negint0": 0, "price": 100.0, "qty": 100, "small": 1e-05}, "entity_id": null, "event_type": "order_created", "user_id": null}',
    fingerprint: '17ec83355c7e2efe69396e2aa311c799',
  },
  {
    text: '{"event_type":"big_int","user_id":123456789012345678901234567890,"data":{"n":9007199254740993,"f":1.2345678901234568e+20}}',
    canonical: '{"data": {"f": 1.2345678901234568e+20, "n": 9007199254740993}, "entity_id": null, "event_type": "big_int", "user_id": 123456789012345678901234567890}',
    fingerprint: '17754378104a8008a846a06543ae328c',
  },
  {
    text: '{"event_type":"non_finite","data":{"a":NaN,"b":Infinity,"c":-Infinity,"d":1e400}}',
    canonical: '{"data": {"a": NaN, "b": Infinity, "c": -Infinity, "d": Infinity}, "entity_id": null, "event_type": "non_finite", "user_id": null}',
    fingerprint: '522f0ec50253305e345b0e085ca52397',
  },
  {
    text: '{"event_type":"astral_keys","data":{"\\uff01":1,"\\ud83d\\ude00":2,"a":3,"\\u00e9":4,"":5}}',
    canonical: '{"data": {"": 5, "a": 3, "\\u00e9": 4, "\\uff01": 1, "\\ud83d\\ude00": 2}, "entity_id": null, "event_type": "astral_keys", "user_id": null}',
    fingerprint: 'b4d41581d691905eb0554d7413b8b27a',
  },
  {
    text: '{"event_type":"lone_surrogate","data":{"s":"\\ud800x","del":"\\u007f","nul":"\\u0000","bs":"\\b\\f/"}}',
    canonical: '{"data": {"bs": "\\b\\f/", "del": "\\u007f", "nul": "\\u0000", "s": "\\ud800x"}, "entity_id": null, "event_type": "lone_surrogate", "user_id": null}',
    fingerprint: '054d36c6d9c180e8a6a61e336c07148b',
  },
  {
    text: '{"event_type":"data_null","data":null,"entity_id":42}',
    canonical: '{"data": null, "entity_id": 42, "event_type": "data_null", "user_id": null}',
    fingerprint: '578b74e1898f8ddf0aceb897b71f8027',
  },
  {
    text: '{"event_type":"__proto__","data":{"__proto__":{"x":1},"constructor":2}}',
    canonical: '{"data": {"__proto__": {"x": 1}, "constructor": 2}, "entity_id": null, "event_type": "__proto__", "user_id": null}',
    fingerprint: '23f53741ccdd6382b54886b4192abbb5',
  },
  {
    text: '{"event_type":"repeated","data":{"k":1,"k":2}}',
    canonical: '{"data": {"k": 2}, "entity_id": null, "event_type": "repeated", "user_id": null}',
    fingerprint: 'ec5a33ab5b887a307fb3ae3bcaafbdce',
  },
];

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe('dedup fingerprint (the guide\'s generate_fingerprint, bit-exact)', () => {
  it('has the vectors file', () => assert.ok(vectors.length >= 9, `only ${vectors.length} vectors`));

  for (const v of vectors) {
    it(`matches Python for ${String(v.event.event_type)}`, () => {
      assert.equal(fingerprintCanonical(v.event), v.canonical);
      assert.equal(fingerprint(v.event), v.fingerprint);
      assert.equal(fingerprintCanonicalJson(JSON.stringify(v.event)), v.canonical);
      assert.equal(fingerprintJson(JSON.stringify(v.event)), v.fingerprint);
    });
  }

  for (const v of pythonTextVectors) {
    it(`matches Python on the JSON text of ${v.text.slice(15, 40)}…`, () => {
      assert.equal(fingerprintCanonicalJson(v.text), v.canonical);
      assert.equal(fingerprintJson(v.text), v.fingerprint);
    });
  }

  it('agrees with Python on objects for everything but integral floats and ints beyond 2^53', () => {
    for (const v of pythonTextVectors.slice(3)) {
      assert.equal(fingerprint(JSON.parse(v.text)), v.fingerprint, v.text);
    }
    // The documented limitation: once parsed, 100.0 is 100, so the object form writes a Python int.
    const parsed = JSON.parse('{"event_type":"x","data":{"price":100.0}}');
    assert.equal(fingerprintCanonical(parsed), '{"data": {"price": 100}, "entity_id": null, "event_type": "x", "user_id": null}');
    assert.equal(fingerprintCanonicalJson('{"event_type":"x","data":{"price":100.0}}'),
      '{"data": {"price": 100.0}, "entity_id": null, "event_type": "x", "user_id": null}');
  });

  it('ignores the fields Python ignores and treats undefined as missing', () => {
    const base = { event_type: 'a', user_id: 1, data: { x: 1 } };
    const other = { ...base, event_id: 'different', timestamp: '2020-01-01T00:00:00Z', entity_id: undefined, metadata: { m: 1 } };
    assert.equal(fingerprint(other), fingerprint(base));
    assert.notEqual(fingerprint({ ...base, data: { x: 2 } }), fingerprint(base));
    assert.notEqual(fingerprint({ ...base, data: null }), fingerprint({ event_type: 'a', user_id: 1 }));
  });

  it('writes bigints exactly and skips undefined/function values as JSON.stringify does', () => {
    assert.equal(canonicalJson({ b: 123456789012345678901234567890n, a: [undefined, () => 1], u: undefined }),
      '{"a": [null, null], "b": 123456789012345678901234567890}');
    assert.equal(canonicalJson({ d: new Date(Date.UTC(2025, 8, 12, 10, 30)) }), '{"d": "2025-09-12T10:30:00.000Z"}');
    assert.equal(canonicalJson(1e21), '1000000000000000000000');
    assert.equal(canonicalJson([0.1, -2.5e-7, 123.456, -0]), '[0.1, -2.5e-07, 123.456, 0]');
  });

  it('reports hostile nesting and non-objects as errors, never a stack overflow', () => {
    assert.throws(() => fingerprintJson(`{"event_type":"x","data":${nested(200_000)}}`), BadInputError);
    assert.throws(() => parseJsonExact(nested(1_001)), BadInputError);
    assert.deepEqual(parseJsonExact(nested(3)), [[[]]]);
    const deep = JSON.parse(nested(100_000)) as unknown;
    assert.throws(() => fingerprint({ event_type: 'x', data: { deep } }), BadInputError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.throws(() => fingerprint({ event_type: 'x', data: circular }), BadInputError);
    assert.throws(() => fingerprint([] as never), BadInputError);
    assert.throws(() => fingerprintJson('"just a string"'), BadInputError);
  });

  it('reports malformed JSON text as NotJsonError with the position', () => {
    for (const bad of ['', '{', '{"a":}', '{"a":1,}', '[1 2]', '{"a":"\u0001"}', '{"a":01}', '{"a":1} x', '\ufeff{}', '{"a":"\\x"}']) {
      assert.throws(() => fingerprintJson(bad), (e: unknown) => e instanceof NotJsonError && /position \d+/.test(e.message), JSON.stringify(bad));
    }
  });
});

const transports = transportTargets('dedup-test');

for (const t of transports) {
  describe(`Deduplicator on the ${t.name} transport`, () => {
    let transport: Transport;
    let done: () => Promise<void>;
    before(async () => ({ transport, done } = await t.make()));
    after(async () => done?.());

    const order = { event_type: 'order_created', user_id: 12345, data: { order_id: 789, items: [{ product_id: 456, quantity: 2 }], total_price: 99.99 } };

    it('stores the guide\'s key with value 1 and a 3600 s TTL, and says duplicate the second time', async () => {
      const dedup = new Deduplicator(transport);
      const key = 'event_idempotent:864d2006d2e71eeaa9291b2cce2d4590';
      assert.equal(dedup.key(order), key);
      assert.equal(await dedup.isDuplicate(order), false);
      assert.equal(await dedup.isDuplicate({ ...order, event_id: 'another-id' }), true);
      assert.equal(await transport.get(key), '1');
      const ttl = await transport.ttl(key);
      assert.ok(ttl >= 3598 && ttl <= 3600, `ttl ${ttl}`);
    });

    it('lets exactly one of 100 concurrent checks of the same event through', async () => {
      const dedup = new Deduplicator(transport);
      const event = { event_type: 'payment_processed', entity_id: 'order:race', data: { amount: 5 } };
      const results = await Promise.all(Array.from({ length: 100 }, () => dedup.isDuplicate(event)));
      assert.equal(results.filter((d) => !d).length, 1);
      assert.equal(results.filter((d) => d).length, 99);
    });

    it('checks a batch in order, a repeat inside the batch included', async () => {
      const dedup = new Deduplicator(transport, { keyPrefix: 'batch:' });
      const a = { event_type: 'a' };
      const b = { event_type: 'b' };
      const c = { event_type: 'c' };
      assert.deepEqual(await dedup.checkBatch([a, b, a, c]), [false, false, true, false]);
      assert.deepEqual(await dedup.checkBatch([c, { event_type: 'd' }]), [true, false]);
      assert.deepEqual(await dedup.checkBatch([]), []);
      const many = Array.from({ length: 12_000 }, (_, i) => ({ event_type: 'many', data: { i } }));
      const first = await dedup.checkBatch(many);
      assert.equal(first.filter((d) => d).length, 0);
      const again = await dedup.checkBatch(many);
      assert.equal(again.filter((d) => d).length, 12_000);
      const ttl = await transport.ttl(dedup.key(many[11_999]!));
      assert.ok(ttl > 3590, `ttl ${ttl}`);
    });

    it('forgets an event, uses a custom TTL and prefix, and treats JSON text like the object', async () => {
      const dedup = new Deduplicator(transport, { ttlSeconds: 60, keyPrefix: 'myapp:seen:' });
      const text = '{"event_type":"order_created","data":{"price":100.0}}';
      assert.equal(await dedup.isDuplicate(text), false);
      assert.equal(await dedup.isDuplicate(text), true);
      assert.equal(dedup.key(text), `myapp:seen:${fingerprintJson(text)}`);
      const ttl = await transport.ttl(dedup.key(text));
      assert.ok(ttl > 55 && ttl <= 60, `ttl ${ttl}`);
      await dedup.forget(text);
      assert.equal(await dedup.isDuplicate(text), false);
      assert.throws(() => new Deduplicator(transport, { ttlSeconds: 0 }), BadInputError);
      assert.throws(() => new Deduplicator(transport, { ttlSeconds: 1.5 }), BadInputError);
    });
  });
}

// Flow mining reads events from the store as bytes, picking out only the fields it needs (flow-fields.ts) instead of
// JSON.parse-ing every one. These properties hold it to the answer of the full parse: two miners, one fed the bytes
// (FlowMiner.addRaw), one fed what JSON.parse made of them (the store's lenient read), must build the same flow
// map from the same events: random and hostile events (escaped and duplicate keys, __proto__, binary, invalid
// UTF-8, broken JSON, deep nesting, every timestamp form) and sequences of events of a few entities, so that steps,
// durations, repeats and stuck entities are compared too.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FlowMiner, type FlowMinerOptions } from '../../src/core/flows/flow-miner';
import { readEvent } from '../../src/core/envelope/envelope';
import { isoBytesMicros, parseIsoMicros } from '../../src/core/store/time-range';
import { deepNesting, hostileJsonText, hostilePayload, hostileString, hugePayloads, invalidUtf8, NUM_RUNS } from '../support/hostile';

const VIA = { kind: 'stream' as const, name: 'event_store' };
const NOW = Date.UTC(2026, 5, 1);

/** Feeds the same entries to a miner by bytes and to one by the full parse; their flow maps must be equal. */
function assertSameMap(entries: Buffer[], options: FlowMinerOptions = {}): void {
  const fast = new FlowMiner(options);
  const full = new FlowMiner(options);
  entries.forEach((bytes, k) => {
    const id = `${1_700_000_000_000 + k}-0`;
    fast.addRaw(bytes, VIA, id);
    const r = readEvent(bytes.toString('utf8'));
    if (r.ok) full.add({ event: r.event, via: VIA, id });
    else full.addMalformed();
  });
  assert.deepStrictEqual(fast.snapshot(NOW), full.snapshot(NOW));
}

const timestampText = fc.oneof(
  fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).chain((d) => {
    const iso = d.toISOString();
    return fc.constantFrom(iso, iso.replace('Z', ''), iso.replace('Z', '000'), iso.replace('Z', '123456789'), iso.replace('Z', '1234567890'), iso.slice(0, 19), iso.slice(0, 10), iso.replace('T', ' '),
      iso.replace('Z', 'z'), iso.replace('Z', '+02:00'), iso.replace('Z', '-0530'), iso.replace('.', ','), iso.replace(/\.\d+Z/, '.Z'), ` ${iso}`, iso.replace(/^\d{4}/, '+002026'));
  }),
  fc.tuple(fc.nat(9999), fc.nat(14), fc.nat(33), fc.nat(25), fc.nat(61), fc.nat(61), fc.string({ unit: fc.constantFrom('0', '5', '9'), maxLength: 11 })).map(
    ([y, mo, d, h, mi, s, f]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}${f === '' ? '' : `.${f}`}`,
  ),
  hostileString,
);

/** JSON text of a value for a field the miner reads: mostly what events carry, sometimes anything at all. */
const fieldValue = (usual: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: usual.map((s) => JSON.stringify(s)) }, { weight: 1, arbitrary: hostileJsonText });
const spaced = (s: string, pad: string) => (pad === '' ? s : `${pad}${s}${pad}`);

/** Events of a few entities and types, with the ways real and hostile writers spell them. */
const eventText = fc.record({
  type: fieldValue(fc.constantFrom('order_created', 'order_paid', 'order_shipped', 'pay', '', '(other)', '<b>x</b>', 'é', '\u2028')),
  entity: fc.oneof(fieldValue(fc.constantFrom('order:1', 'order:2', 'user:1', 'x', '')), fc.constantFrom('1', '2.0', '-0', '1e400', 'true', 'null')),
  order: fc.oneof(fc.nat(12).map(String), fc.constantFrom('1', '2', '3', '-0', '1.5', '1e2', '123456789012345678', '"7"', '"order-7"', '""', 'null', '{}', '[]'), hostileJsonText),
  time: fieldValue(timestampText),
  eventId: fieldValue(fc.constantFrom('e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'é1')),
  source: fc.oneof(fieldValue(fc.constantFrom('orders', 'payments', '')), fc.constantFrom('{}', '[]', '1')),
  order_keys: fc.subarray(['type', 'entity', 'data', 'time', 'eventId', 'meta', 'extra', 'dupType', 'escapedKey', 'dupData'], { minLength: 0 }),
  extra: hostileJsonText,
  pad: fc.constantFrom('', ' ', '\n\t ', '\r'),
  metaShape: fc.constantFrom('object', 'array', 'string', 'proto'),
}).map((e) => {
  const parts: string[] = [];
  for (const k of e.order_keys) {
    if (k === 'type') parts.push(`"event_type":${e.type}`);
    if (k === 'entity') parts.push(`"entity_id":${e.entity}`);
    if (k === 'data') parts.push(`"data":{"total":1,"order_id":${e.order},"x":[1,{"order_id":2}]}`);
    if (k === 'dupData') parts.push(`"data":${e.extra}`);
    if (k === 'time') parts.push(`"timestamp":${e.time}`);
    if (k === 'eventId') parts.push(`"event_id":${e.eventId}`);
    if (k === 'meta') parts.push(e.metaShape === 'object' ? `"metadata":{"source":${e.source}}` : e.metaShape === 'array' ? `"metadata":[${e.source}]` : e.metaShape === 'proto' ? `"metadata":{"__proto__":{"source":"p"}}` : '"metadata":"source"');
    if (k === 'extra') parts.push(`"more":${e.extra}`);
    if (k === 'dupType') parts.push('"event_type":"second"');
    if (k === 'escapedKey') parts.push('"event\\u005ftype":"escaped"');
  }
  return Buffer.from(spaced(`{${parts.join(e.pad === '' ? ',' : `${e.pad},${e.pad}`)}}`, e.pad));
});

/** A valid event with one byte put in, changed or taken out somewhere: mostly broken JSON, sometimes not. */
const damagedEvent = fc.tuple(eventText, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('insert', 'replace', 'delete')).map(([bytes, at, byte, how]) => {
  const i = at % (bytes.length + 1);
  const b = [...bytes];
  if (how === 'insert') b.splice(i, 0, byte);
  else if (how === 'replace' && i < b.length) b[i] = byte;
  else b.splice(i, 1);
  return Buffer.from(b);
});

describe('flow mining from bytes agrees with JSON.parse', () => {
  it('the same flow map from sequences of events of a few entities (keys by entity_id, data.order_id, data.__proto__)', () => {
    fc.assert(fc.property(fc.array(eventText, { minLength: 1, maxLength: 30 }), fc.constantFrom<string[][]>([], ['data.order_id'], ['data.order_id', 'metadata'], ['data.__proto__', 'data.order_id']), (events, keyPaths) => {
      assertSameMap(events, { keyPaths: keyPaths.flat(), stuckAfterMs: 1 });
    }), { numRuns: NUM_RUNS / 5 });
  });

  it('the same answer for any hostile payload, broken JSON and invalid UTF-8', () => {
    fc.assert(fc.property(fc.array(fc.oneof(hostilePayload.map((s) => Buffer.from(s)), invalidUtf8, damagedEvent), { minLength: 1, maxLength: 5 }), (payloads) => {
      assertSameMap(payloads, { keyPaths: ['data.order_id'] });
    }), { numRuns: NUM_RUNS });
  });

  it('the same answer for every cut of a valid event (each must count as malformed)', () => {
    const text = '{"event_id":"e\\"1","event_type":"order_paid","timestamp":"2026-01-01T10:00:00.123456","entity_id":"order:1","metadata":{"source":"s"},"data":{"order_id":7,"list":[1,2.5e3,true,false,null,"\\u00e9"]}}';
    for (let n = 0; n <= text.length; n++) assertSameMap([Buffer.from(text.slice(0, n))], { keyPaths: ['data.order_id'] });
  });

  it('the same answer for deep nesting and huge payloads', () => {
    for (const levels of [10, 63, 64, 65, 1000, 1001, 5000]) for (const t of deepNesting(levels)) assertSameMap([Buffer.from(t)], { keyPaths: ['data.order_id'] });
    const deepPath = `{"event_type":"t","data":{"order_id":${'['.repeat(200)}${']'.repeat(200)},"more":${'{"a":'.repeat(900)}1${'}'.repeat(900)}}}`;
    assertSameMap([Buffer.from(deepPath)], { keyPaths: ['data.order_id'] });
    for (const t of hugePayloads(1 << 20)) assertSameMap([Buffer.from(t)], { keyPaths: ['data.order_id'] });
  });

  it('keeps no more than a few hundred type names for reuse, however many types come', () => {
    const events = Array.from({ length: 2000 }, (_, i) => Buffer.from(JSON.stringify({ event_type: `t${i % 700}`, entity_id: `e:${i % 50}`, event_id: `x${i}` })));
    assertSameMap(events, { maxTypes: 1000 });
  });
});

describe('timestamps read from bytes', () => {
  it('isoBytesMicros answers as parseIsoMicros, or leaves it to it (null)', () => {
    fc.assert(fc.property(timestampText, (text) => {
      const bytes = Buffer.from(text);
      const fast = isoBytesMicros(bytes, 0, bytes.length);
      if (fast !== null) assert.equal(fast, parseIsoMicros(text), text);
    }), { numRuns: NUM_RUNS });
    assert.equal(isoBytesMicros(Buffer.from('2026-01-01T10:00:00.123456'), 0, 26), parseIsoMicros('2026-01-01T10:00:00.123456'));
    assert.notEqual(isoBytesMicros(Buffer.from('2026-01-01T10:00:00.123456'), 0, 26), null, 'the usual form is read from the bytes');
    assert.equal(isoBytesMicros(Buffer.from('2025-02-30T10:00:00'), 0, 19), null);
  });
});

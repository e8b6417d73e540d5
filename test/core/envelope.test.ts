import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { completeEvent, createEvent, parseEvent, readEvent } from '../../src/core/envelope/envelope';
import { uuidv7 } from '../../src/core/envelope/ids';
import { ecommerceRegistry } from '../../src/core/domain/ecommerce';
import { InvalidEventError, NotJsonError } from '../../src/core/errors';
import { describeIssue, describeIssues } from '../../src/core/envelope/issues';

describe('envelope', () => {
  it('creates complete events with time-ordered ids and ISO timestamps', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    assert.deepEqual([...ids].sort(), ids, 'ids sort in creation order');
    assert.equal(new Set(ids).size, ids.length);
    assert.match(ids[0], /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const e = createEvent({ event_type: 'order_created', entity_id: 'order:1', data: { total_price: 5 } });
    assert.equal(e.version, '1.0');
    assert.ok(!Number.isNaN(Date.parse(e.timestamp)) && e.timestamp.endsWith('Z'));
    const parsed = parseEvent(JSON.stringify(e));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.event, e);
  });

  it('gives clear errors, never throws, on bad input', () => {
    const cases: unknown[] = ['{"a":', '[]', 'null', '42', '"x"', Buffer.from([0xff, 0xfe, 0x00]), { event_type: '' }, { event_id: 'x', event_type: 't', timestamp: 'yesterday' }, undefined];
    for (const c of cases) {
      const r = parseEvent(c);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.error instanceof InvalidEventError || r.error instanceof NotJsonError, String(r.error));
    }
    const r = parseEvent({ event_id: 'x', event_type: 't', timestamp: 'yesterday' });
    assert.ok(!r.ok && /timestamp/.test(r.error.message));
  });

  it('says what is wrong as structured issues: a path into the event, a message and a code', () => {
    const r = parseEvent({ event_id: 'x', event_type: 't', timestamp: 'yesterday', entity_id: { no: 1 }, data: [] });
    assert.ok(!r.ok && r.error instanceof InvalidEventError);
    // The first issue per path: a timestamp that is no ISO text also fails the "real date" check after it.
    const byPath = new Map([...r.error.issues].reverse().map((i) => [i.path.join('.'), i]));
    assert.equal(byPath.get('timestamp')?.code, 'invalid_format');
    assert.match(byPath.get('timestamp')?.message ?? '', /^timestamp must be ISO-8601/);
    assert.deepEqual(byPath.get('data')?.path, ['data']);
    assert.equal(byPath.get('data')?.code, 'invalid_type');
    assert.ok(byPath.has('entity_id'));
    assert.match(describeIssue(byPath.get('timestamp')!), /^timestamp: timestamp must be ISO-8601/);
    assert.equal(r.error.message, `invalid event: ${describeIssues(r.error.issues)}`);
    const notObject = parseEvent([1]);
    assert.ok(!notObject.ok && notObject.error instanceof InvalidEventError);
    assert.deepEqual(notObject.error.issues, [{ path: [], code: 'not_object', message: 'an event must be a JSON object, not an array' }]);
    assert.equal(describeIssue(notObject.error.issues[0]), 'an event must be a JSON object, not an array', 'no path prefix at the root');
    // The registry's issues are paths from the event's root (under data), array indexes as numbers.
    const reg = ecommerceRegistry();
    const dotted = reg.validate({ event_type: 'order_created', version: '1.0', data: { order_id: 1, items: [{ product_id: 2, quantity: 'many' }], total_price: 5 } });
    assert.ok(!dotted.ok);
    assert.deepEqual(dotted.issues.map((i) => i.path), [['data', 'items', 0, 'quantity']]);
    const deep = '['.repeat(1000) + ']'.repeat(1000);
    assert.equal(parseEvent(deep).ok, false);
    const proto = readEvent('{"__proto__":{"polluted":true},"event_type":"x"}');
    assert.ok(proto.ok);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('reads events that carry fewer fields (the guide quick-start events) and completes them', () => {
    const guide = { event_type: 'user_registration', user_id: 12345, email: 'user@example.com', timestamp: '2025-09-12T10:30:00Z' };
    const r = readEvent(JSON.stringify(guide));
    assert.ok(r.ok);
    const full = completeEvent(r.event);
    assert.equal(full.email, 'user@example.com');
    assert.equal(full.timestamp, '2025-09-12T10:30:00Z');
    assert.ok(parseEvent(full).ok);
  });
});

describe('schema registry', () => {
  it('validates data per version and upgrades order_created 1.0 → 1.1 (tax_amount, the guide migration)', () => {
    const reg = ecommerceRegistry();
    assert.deepEqual(reg.versions('order_created'), ['1.0', '1.1']);
    const v10 = createEvent({ event_type: 'order_created', version: '1.0', data: { order_id: 1, items: [{ product_id: 2, quantity: 1 }], total_price: 50 } });
    assert.deepEqual(reg.validate(v10), { ok: true });
    const up = reg.upgrade(v10);
    assert.equal(up.version, '1.1');
    assert.equal(up.data.tax_amount, 5);
    assert.equal(v10.data.tax_amount, undefined, 'the input is not changed');
    assert.deepEqual(reg.validate(up), { ok: true });
    const bad = reg.validate({ event_type: 'order_created', version: '1.0', data: { order_id: 1, items: 'x', total_price: -1 } });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.issues.some((i) => i.path.join('.') === 'data.items' && i.code === 'invalid_type'));
    assert.ok(!bad.ok && bad.issues.some((i) => i.path.join('.') === 'data.total_price' && describeIssue(i).startsWith('data.total_price: ')));
    const unknownVersion = reg.validate({ event_type: 'order_created', version: '9.9', data: {} });
    assert.ok(!unknownVersion.ok);
    assert.deepEqual(unknownVersion.issues.map((i) => [i.path, i.code]), [[['version'], 'unknown_version']]);
    assert.match(unknownVersion.issues[0].message, /no version 9\.9/);
    assert.deepEqual(reg.validate({ event_type: 'never_registered', data: { anything: 1 } }), { ok: true });
    assert.equal((reg.template('order_created') as { version: string }).version, '1.1');
  });
});

// A contract inferred from traffic written the guide's way by another app (plain XADD `event <json>`, plain PUBLISH of
// JSON text, on a real redis-server): it lints clean, it accepts every event it was inferred from, and it says what
// the events had in common (required properties, enums, formats, event types as consts, the stream's groups).
// Hostile traffic (not JSON, deep nesting, thousands of properties) stays bounded and still yields a valid contract.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import {
  contractToYaml, createContractSet, createTransport, inferContractFromTraffic, lintContract, loadContract, type Transport,
} from '../../src/core/index';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const order = (i: number) => ({
  event_id: `9b2c1e4a-0d5f-4c3b-8a7e-${String(100000000000 + i)}`,
  event_type: 'order_created',
  timestamp: `2026-12-01T10:00:0${i % 10}Z`,
  version: '1.0',
  entity_id: `order:${i}`,
  data: { order_id: `o-${i}`, total_price: i % 2 ? 10.5 : 7, status: ['pending', 'paid', 'pending'][i % 3], customer: `c${i}@shop.example`, ...(i % 2 ? { coupon: null } : {}) },
});

describe('contracts: infer from traffic', () => {
  let srv: RedisServerHandle;
  let app: Redis;
  let transport: Transport;
  before(async () => {
    srv = await startRedisServer();
    app = new Redis(srv.url);
    transport = createTransport({ url: srv.url });
    await transport.connect();
  });
  after(async () => { await transport?.close(); app?.disconnect(); await srv?.stop(); });

  it('streams (history + live) and a channel glob: the document lints clean and accepts every sampled event', async () => {
    const seen: Array<{ kind: 'channel' | 'stream'; name: string; text: string }> = [];
    for (let i = 0; i < 6; i++) {
      const text = JSON.stringify(order(i));
      await app.xadd('orders_stream', '*', 'event', text);
      seen.push({ kind: 'stream', name: 'orders_stream', text });
    }
    // Another app's entries without an `event` field: the fields are the event.
    await app.xadd('legacy', '*', 'order_id', '7', 'state', 'new');
    seen.push({ kind: 'stream', name: 'legacy', text: JSON.stringify({ order_id: '7', state: 'new' }) });
    await app.xgroup('CREATE', 'orders_stream', 'billing', '0');
    await app.xgroup('CREATE', 'orders_stream', 'shipping', '$');

    const result = await inferContractFromTraffic(transport, [
      { kind: 'stream', address: 'orders_stream' }, { kind: 'stream', address: 'legacy' }, { kind: 'pubsub', address: 'shop.*' },
    ], {
      seconds: 20, count: 13,
      onListening: () => void (async () => {
        const live = [
          { channel: 'shop.eu', ev: { event_type: 'order_paid', event_id: 'p1', data: { order_id: 'o-1', amount: 3 } } },
          { channel: 'shop.us', ev: { event_type: 'order_paid', event_id: 'p2', data: { order_id: 'o-2', amount: 4.25, note: 'gift' } } },
          { channel: 'shop.us', ev: { event_type: 'order_cancelled', event_id: 'c1', reason: 'late' } },
          { channel: 'other', ev: { event_type: 'ignored' } },
        ];
        for (const { channel, ev } of live) {
          const text = JSON.stringify(ev);
          await app.publish(channel, text);
          if (channel !== 'other') seen.push({ kind: 'channel', name: channel, text });
        }
        const text = JSON.stringify(order(6));
        await app.xadd('orders_stream', '*', 'event', text);
        seen.push({ kind: 'stream', name: 'orders_stream', text });
        await app.xadd('legacy', '*', 'order_id', '8', 'state', 'done');
        seen.push({ kind: 'stream', name: 'legacy', text: JSON.stringify({ order_id: '8', state: 'done' }) });
        await app.xadd('legacy', '*', 'order_id', '9', 'state', 'done');
        seen.push({ kind: 'stream', name: 'legacy', text: JSON.stringify({ order_id: '9', state: 'done' }) });
      })(),
    });
    assert.equal(result.sampled, 13);
    assert.deepEqual(result.notes, []);
    const doc = result.document as any;
    const stream = doc.channels.orders_stream;
    assert.deepEqual(stream['x-ucore'], { kind: 'stream', groups: ['billing', 'shipping'] });
    const created = stream.messages.order_created.payload;
    assert.deepEqual(created.properties.event_type, { type: 'string', const: 'order_created' });
    assert.deepEqual(created.required, ['event_id', 'event_type', 'timestamp', 'version', 'entity_id', 'data']);
    assert.equal(created.properties.event_id.format, 'uuid');
    assert.equal(created.properties.timestamp.format, 'date-time');
    assert.equal(created.properties.data.properties.customer.format, 'email');
    assert.deepEqual(created.properties.data.properties.status.enum, ['paid', 'pending']);
    assert.equal(created.properties.data.properties.total_price.type, 'number');
    assert.deepEqual(created.properties.data.properties.coupon, { type: 'null' });
    assert.ok(!created.properties.data.required.includes('coupon'));
    assert.deepEqual(stream.messages.order_created.examples[0].payload, order(0));
    const shop = doc.channels['shop._'];
    assert.equal(shop.address, 'shop.*');
    assert.equal(shop['x-ucore'], undefined);
    assert.deepEqual(Object.keys(shop.messages), ['order_cancelled', 'order_paid']);
    assert.deepEqual(shop.messages.order_paid.payload.properties.data.required, ['order_id', 'amount']);
    assert.deepEqual(Object.keys(doc.channels.legacy.messages), ['event']);
    assert.deepEqual(doc.channels.legacy.messages.event.payload.properties.state.type, 'string');

    const yaml = await contractToYaml(doc);
    assert.deepEqual((await lintContract('inferred.yaml', yaml)).filter((p) => p.severity === 'error'), []);
    const set = await createContractSet([await loadContract('inferred.yaml', yaml)]);
    for (const s of seen) {
      const r = set.checkText({ kind: s.kind, name: s.name }, s.text);
      assert.equal(r.covered, true, `${s.name}: ${s.text}`);
      assert.deepEqual(r.issues, [], `${s.name}: ${s.text}`);
    }
    // What it learned is a contract: a wrong status or a missing property breaks it.
    const bad = { ...order(1), data: { ...order(1).data, status: 'lost' } };
    assert.deepEqual(set.check({ kind: 'stream', name: 'orders_stream' }, bad).issues.map((i) => [i.path.join('.'), i.code]), [['data.status', 'invalid_value']]);
  });

  it('hostile traffic: not JSON, 5000-deep nesting, 5000 properties and 200 distinct ids stay bounded and valid', async () => {
    const texts = [
      'not json \u0000\u00ff',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      JSON.stringify({ event_type: 'deep', v: JSON.parse(`${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`) }),
      JSON.stringify({ event_type: 'wide', ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) }),
      ...Array.from({ length: 200 }, (_, i) => JSON.stringify({ event_type: 'many', id: `v${i}`, kind: 'same' })),
    ];
    const started = Date.now();
    const result = await inferContractFromTraffic(transport, [{ kind: 'pubsub', address: 'hostile' }], {
      count: texts.length, seconds: 30,
      onListening: () => void (async () => { for (const t of texts) await app.publish('hostile', t); })(),
    });
    assert.ok(Date.now() - started < 20_000);
    assert.equal(result.sampled, texts.length);
    assert.match(result.notes.join('\n'), /hostile: 2 events not described/);
    const doc = result.document as any;
    const many = doc.channels.hostile.messages.many.payload;
    assert.equal(many.properties.id.enum, undefined);
    assert.deepEqual(many.properties.kind.enum, ['same']);
    assert.equal(Object.keys(doc.channels.hostile.messages.wide.payload.properties).length, 200);
    const yaml = await contractToYaml(doc);
    assert.deepEqual((await lintContract('hostile.yaml', yaml)).filter((p) => p.severity === 'error'), []);
    const set = await createContractSet([await loadContract('hostile.yaml', yaml)]);
    for (const t of texts.slice(2)) assert.deepEqual(set.checkText({ kind: 'channel', name: 'hostile' }, t).issues, [], t.slice(0, 80));
  });
});

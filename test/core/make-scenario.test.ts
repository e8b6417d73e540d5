// Record → fixture → scenario against a real redis-server: traffic from an app written without UCore (raw JSON on
// `orders`) and a responder service (order_paid on `payments`) is recorded, turned into a scenario (orders sent,
// payments expected, ids and times left out), and the scenario passes against the same responder; broken, the
// responder makes it fail at the expectation's line.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { startOrderResponder, type OrderResponder } from '../support/order-responder';
import { RedisTransport } from '../../src/core/transport/redis';
import { fixtureTargetKey, loadFixture, makeScenario, parseEventsFile, checkFile, recordTraffic, runScenarios, type FixtureEvent, type RecordResult } from '../../src/core/index';

describe('make a scenario test from a recording', () => {
  let srv: RedisServerHandle;
  let t: RedisTransport;
  let responder: OrderResponder;
  let app: Redis;
  before(async () => {
    srv = await startRedisServer();
    t = new RedisTransport({ url: srv.url });
    await t.connect();
    responder = await startOrderResponder(srv.url, { delayMs: 120 });
    app = new Redis(srv.url);
  });
  after(async () => {
    await responder?.stop();
    app?.disconnect();
    await t?.close();
    await srv?.stop();
  });

  it('a scenario made from a recording of a responder passes against it, and fails at its line when it breaks', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ucore-make-scenario-')), 'orders.ndjson');
    let listening!: () => void;
    const ready = new Promise<void>((r) => (listening = r));
    const done: Promise<RecordResult> = recordTraffic(t, path, { channels: ['orders', 'payments'], count: 5, onListening: listening });
    await ready;
    const ids = ['0193a8c4-1111-7000-8000-000000000001', '0193a8c4-2222-7000-8000-000000000002', '0193a8c4-3333-7000-8000-000000000003'];
    // Written the way another app would: JSON text, its own ids and times.
    await app.publish('orders', JSON.stringify({ event_id: 'e-1', event_type: 'order_created', timestamp: '2026-12-01T10:00:00Z', entity_id: `order:${ids[0]}`, data: { order_id: 1, total_price: 25.5 } }));
    await app.publish('orders', JSON.stringify({ event_type: 'order_created', entity_id: `order:${ids[1]}`, data: { order_id: 2, total_price: -5 } }));
    await app.publish('orders', JSON.stringify({ event_type: 'order_created', entity_id: `order:${ids[2]}`, data: { order_id: 3, total_price: 7 } }));
    const result = await done;
    assert.equal(result.stoppedBy, 'count');
    const { events, problemCount } = await loadFixture(path);
    assert.equal(problemCount, 0);
    assert.deepEqual(events.map((e: FixtureEvent) => `${e.name} ${String(e.event?.event_type)}`).sort(), [
      'orders order_created', 'orders order_created', 'orders order_created', 'payments order_paid', 'payments order_paid',
    ]);

    const made = makeScenario(events, { inputs: new Set([fixtureTargetKey({ kind: 'pubsub', name: 'orders' })]), outputs: new Set(['pubsub payments']), source: 'orders.ndjson' });
    assert.equal(made.tests, 3, made.text);
    assert.equal(made.sends, 3);
    assert.equal(made.expectations, 2);
    // Ids and times are left out; the recorded UUIDs became placeholders shared by the send and its expectation.
    assert.doesNotMatch(made.text, /event_id|timestamp|0193a8c4/);
    assert.match(made.text, /"entity_id":"order:\{\{uuid:u1\}\}"/);
    assert.match(made.text, /### expect channel: payments within \d+ms\n\{"event_type":"order_paid","entity_id":"order:\{\{uuid:u1\}\}","data":\{"order_id":1,"amount":25.5,"currency":"EUR"\}\}/);

    const file = parseEventsFile(made.text);
    assert.deepEqual(checkFile(file).filter((p) => p.severity === 'error'), []);
    const passing = await runScenarios(file, t);
    assert.deepEqual(passing.map((r) => [r.passed, r.failure?.message]), [[true, undefined], [true, undefined], [true, undefined]]);

    responder.broken = true;
    try {
      const failing = await runScenarios(file, t, { only: (x) => x.name.includes('(1)') });
      assert.equal(failing.length, 1);
      assert.equal(failing[0].passed, false);
      const expectLine = made.text.split('\n').findIndex((l) => l.startsWith('### expect channel: payments'));
      assert.equal(failing[0].failure?.line, expectLine);
      assert.match(failing[0].failure!.message, /data\.amount is 26\.5/);
    } finally {
      responder.broken = false;
    }
  });

  it('recorded text holding {{…}} stays literal: sent and expected as recorded, not expanded as placeholders', async () => {
    const id = '0193a8c4-4444-7000-8000-000000000004';
    // A template as an app would store it, a UUID right after a brace, braces in a key, a placeholder-looking value.
    const note = `Hi {{name}}, your code is {{uuid}} {{{now}}} {${id}}`;
    const sent = { event_type: 'note_sent', entity_id: `note:${id}`, data: { note, '{{k}}': '{{randomInt:1:9}}' } };
    const events: FixtureEvent[] = [
      { t: 0, kind: 'pubsub', name: 'notes', event: sent, eventText: JSON.stringify(sent) },
      { t: 5, kind: 'pubsub', name: 'notes.out', event: sent, eventText: JSON.stringify(sent) },
    ];
    const made = makeScenario(events, { inputs: new Set(['pubsub notes']), outputs: new Set(['pubsub notes.out']) });
    const file = parseEventsFile(made.text);
    assert.deepEqual(checkFile(file).filter((p) => p.severity === 'error'), []);
    // The only placeholder is the one the rewrite made of the recorded UUID (twice: in the entity and in the note).
    const send = file.blocks.find((b) => b.target?.name === 'notes')!;
    assert.deepEqual(send.placeholders.map((p) => `${p.name}:${p.args.join(':')}`), ['uuid:u1', 'uuid:u1']);
    assert.equal(file.expectations[0].placeholders.length, 2);
    // What goes on the wire is the recorded text with a fresh id for the UUID; the expectation matches it.
    const got: string[] = [];
    const sub = new Redis(srv.url);
    await sub.subscribe('notes');
    sub.on('message', (_c: string, text: string) => got.push(text));
    const echo = new Redis(srv.url);
    sub.on('message', (_c: string, text: string) => void echo.publish('notes.out', text));
    try {
      const results = await runScenarios(file, t);
      assert.deepEqual(results.map((r) => [r.passed, r.failure?.message]), [[true, undefined]]);
      assert.equal(got.length, 1);
      const wire = JSON.parse(got[0]);
      const fresh = /^note:([0-9a-f-]{36})$/.exec(wire.entity_id)![1];
      assert.notEqual(fresh, id);
      assert.equal(wire.data.note, `Hi {{name}}, your code is {{uuid}} {{{now}}} {${fresh}}`);
      assert.equal(wire.data['{{k}}'], '{{randomInt:1:9}}');
    } finally {
      sub.disconnect();
      echo.disconnect();
    }
  });
});

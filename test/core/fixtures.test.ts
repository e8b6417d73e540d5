// Fixtures against a real redis-server, with traffic written the guide's way (redis-py): recording channels, a
// pattern, a shard channel and a stream with masking; reading hostile fixture files; replaying in order at max, 1×
// and 10× with a mapping and cancellation; comparing two recordings by type and entity.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { guidePublish, guideSave, pythonSpublish } from '../support/python-apps';
import { MessageRecorder } from '../support/message-recorder';
import { RedisTransport } from '../../src/core/transport/redis';
import { compareFixtures, loadFixture, parseMaskRule, recordTraffic, renameMap, replayFixture, type FixtureEvent, type RecordOptions, type RecordResult } from '../../src/core/index';

describe('fixtures on a real redis-server', () => {
  let srv: RedisServerHandle;
  let t: RedisTransport;
  let dir: string;
  before(async () => {
    srv = await startRedisServer();
    t = new RedisTransport({ url: srv.url });
    await t.connect();
    dir = mkdtempSync(join(tmpdir(), 'ucore-fixtures-'));
  });
  after(async () => { await t?.close(); await srv?.stop(); });

  /** A recording on its own connection, once it listens. */
  async function recording(path: string, options: RecordOptions): Promise<{ rec: RedisTransport; done: Promise<RecordResult> }> {
    const rec = new RedisTransport({ url: srv.url });
    await rec.connect();
    let listening!: () => void;
    const ready = new Promise<void>((r) => (listening = r));
    const done = recordTraffic(rec, path, { ...options, onListening: listening });
    await ready;
    return { rec, done };
  }

  it('records channels, a pattern, a shard channel and a stream, masked, keeping the text as written', async () => {
    const path = join(dir, 'rec.ndjson');
    const { rec, done } = await recording(path, {
      channels: ['orders'], patterns: ['user_*'], shards: ['pay_shard'], streams: ['event_store'], count: 6,
      mask: [parseMaskRule('data.email'), parseMaskRule('user_id=***')],
    });
    await guidePublish(srv.url, 'orders', [
      '{"event_type": "order_created", "entity_id": "order:1", "user_id": 7, "data": {"total": 12.0, "email": "ada@example.com"}}',
      '{"event_type": "order_created", "entity_id": "order:2", "data": {"total": 1e+21, "email": "ada@example.com"}}',
    ]);
    await t.publish('orders', 'not json at all');
    await guidePublish(srv.url, 'user_events', ['{"event_type": "user_registered", "user_id": "u-1", "data": {"email": "grace@example.com"}}']);
    await pythonSpublish(srv.url, 'pay_shard', ['{"event_type": "payment_seen", "entity_id": "order:1"}']);
    await guideSave(srv.url, ['{"event_id": "e-9", "event_type": "order_shipped", "timestamp": "2026-01-01T00:00:00", "entity_id": "order:1", "data": {"carrier": "dhl"}}']);
    const result = await done;
    await rec.close();
    assert.equal(result.stoppedBy, 'count');
    assert.equal(result.events, 6);
    assert.equal(result.masked, 5, 'two emails and a user_id on orders, a user_id and an email on user_events');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines.length, 6);
    const parsed = lines.map((l) => JSON.parse(l));
    assert.deepEqual(parsed.map((p) => [p.kind, p.channel ?? p.stream]).sort(), [
      ['pubsub', 'orders'], ['pubsub', 'orders'], ['pubsub', 'orders'], ['pubsub', 'user_events'], ['shard', 'pay_shard'], ['stream', 'event_store'],
    ].sort());
    assert.ok(parsed.every((p, i) => i === 0 || p.t >= parsed[i - 1].t), 'offsets rise');
    assert.match(lines[0], /"total": 12\.0/, "Python's 12.0 is kept as written");
    assert.match(lines[1], /"total": 1e\+21/);
    assert.equal(parsed[0].event.user_id, '***');
    assert.match(parsed[0].event.data.email, /^masked:[0-9a-f]{12}$/);
    assert.equal(parsed[0].event.data.email, parsed[1].event.data.email, 'the same address hashes the same');
    assert.ok(!readFileSync(path, 'utf8').includes('@example.com'), 'no address is left');
    assert.equal(parsed[2].text, 'not json at all');
    const user = parsed.find((p) => p.channel === 'user_events');
    assert.equal(user.pattern, 'user_*');
    const stream = parsed.find((p) => p.kind === 'stream');
    assert.match(stream.id, /^\d+-\d+$/);
    assert.equal(stream.event.data.carrier, 'dhl');

    // Read back: the event's text is exactly what was written.
    const loaded = await loadFixture(path);
    assert.equal(loaded.problemCount, 0);
    assert.match(loaded.events[0].eventText!, /"total": 12\.0/);
  });

  it('stops at the size bound and after a time', async () => {
    const path = join(dir, 'bounded.ndjson');
    const { rec, done } = await recording(path, { channels: ['big'], maxBytes: 1000, durationMs: 10_000 });
    for (let i = 0; i < 20; i++) await t.publish('big', JSON.stringify({ event_type: 'x', data: { pad: 'p'.repeat(100), i } }));
    const r = await done;
    assert.equal(r.stoppedBy, 'size');
    assert.ok(r.bytes <= 1000 && r.events >= 5 && r.events < 10, `${r.events} events, ${r.bytes} bytes`);
    assert.ok(readFileSync(path).length <= 1000);
    const r2 = await recordTraffic(rec, join(dir, 'timed.ndjson'), { channels: ['quiet'], durationMs: 300 });
    assert.equal(r2.stoppedBy, 'duration');
    assert.equal(r2.events, 0);
    await rec.close();
  });

  it('reads hostile fixtures: malformed, huge, binary, deep and wrong-shaped lines are reported with their line', async () => {
    const path = join(dir, 'hostile.ndjson');
    const good = '{"t":0,"kind":"pubsub","channel":"orders","event":{"event_type":"a","n":12.0}}';
    const deep = `{"t":1,"kind":"pubsub","channel":"x","event":{"a":${'['.repeat(1500)}${']'.repeat(1500)}}}`;
    writeFileSync(path, Buffer.concat([
      Buffer.from(`${good}\n{"t":1,"kind":\n`),
      Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a]),
      Buffer.from(`{"t":2,"kind":"pubsub","channel":"x","text":"${'y'.repeat(5000)}"}\n`),
      Buffer.from(`${deep}\n{"t":-1,"kind":"pubsub","channel":"x","text":""}\n{"t":3,"kind":"mail","channel":"x","text":""}\n[1,2]\n\n`),
      Buffer.from(`{"t":4,"kind":"stream","stream":"s","fields":{"a":"1"}}\n${good}`),
    ]));
    const loaded = await loadFixture(path, { maxLineBytes: 4000 });
    assert.equal(loaded.events.length, 3);
    assert.equal(loaded.events[0].eventText, '{"event_type":"a","n":12.0}');
    assert.deepEqual({ ...loaded.events[1].fields }, { a: "1" });
    assert.deepEqual(loaded.problems.map((p) => p.line), [2, 3, 4, 5, 6, 7, 8]);
    assert.match(loaded.problems[2].message, /longer than 4000 bytes/);
    assert.match(loaded.problems[3].message, /nested|deep/i);
  });

  it('replays in order to mapped channels and streams, at max, 10× and 1× speed, and stops on abort', async () => {
    const events: FixtureEvent[] = [
      { t: 0, kind: 'pubsub', name: 'orders', eventText: '{"event_type": "a", "total": 12.0}' },
      { t: 10, kind: 'pubsub', name: 'orders', text: 'plain' },
      { t: 20, kind: 'stream', name: 'event_store', eventText: '{"event_type": "b"}' },
      { t: 30, kind: 'shard', name: 'pay', eventText: '{"event_type": "c"}' },
      { t: 600, kind: 'pubsub', name: 'orders', eventText: '{"event_type": "d"}' },
    ];
    const sink = await MessageRecorder.start(t, ['orders_copy', 'pay_copy'], { shard: true });
    const map = renameMap({ orders: 'orders_copy', pay: 'pay_copy', event_store: 'store_copy' });
    const r = await replayFixture(events, t, { speed: 'max', map });
    assert.equal(r.sent, 5);
    await sink.waitFor(4);
    assert.deepEqual(sink.payloads('orders_copy', false), ['{"event_type": "a", "total": 12.0}', 'plain', '{"event_type": "d"}']);
    assert.deepEqual(sink.payloads('pay_copy', true), ['{"event_type": "c"}']);
    assert.deepEqual((await t.xrange('store_copy', '-', '+')).map((e) => e.fields.event), ['{"event_type": "b"}']);

    // 1×: the 600 ms gap is kept; 10×: it is about 60 ms.
    const timed = async (speed: number) => {
      sink.messages.length = 0;
      const start = Date.now();
      await replayFixture([events[0], events[4]], t, { speed, map });
      await sink.waitFor(2, 'orders_copy');
      return Date.now() - start;
    };
    const one = await timed(1);
    assert.ok(one >= 590, `1× took ${one} ms`);
    const ten = await timed(10);
    assert.ok(ten >= 55 && ten < 590, `10× took ${ten} ms`);

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const aborted = await replayFixture(events, t, { speed: 1, map, signal: ac.signal });
    assert.equal(aborted.aborted, true);
    assert.equal(aborted.sent, 4, 'the last event (at 600 ms) was not sent');
    await sink.stop();
  });

  it('compares recordings by type and entity, ignoring ids and timestamps', () => {
    const ev = (name: string, o: Record<string, unknown>, t = 0): FixtureEvent => ({ t, kind: 'pubsub', name, event: o, eventText: JSON.stringify(o) });
    const a = [
      ev('orders', { event_id: '0193a1b2-0000-7000-8000-000000000001', timestamp: '2026-01-01T00:00:00Z', event_type: 'order_created', entity_id: 'order:0193a1b2-0000-7000-8000-00000000000a', data: { total: 10 } }),
      ev('orders', { event_id: 'x2', event_type: 'order_created', entity_id: 'order:2', data: { total: 20 } }),
      ev('payments', { event_id: 'x3', event_type: 'order_paid', entity_id: 'order:2', data: { amount: 20 } }),
    ];
    const b = [
      ev('orders', { event_id: '0194ffff-0000-7000-8000-000000000009', timestamp: '2026-02-02T10:00:00.123Z', event_type: 'order_created', entity_id: 'order:0194ffff-0000-7000-8000-00000000000b', data: { total: 10 } }),
      ev('orders', { event_id: 'y2', event_type: 'order_created', entity_id: 'order:2', data: { total: 25 } }),
      ev('orders', { event_id: 'y4', event_type: 'order_cancelled', entity_id: 'order:2', data: {} }),
    ];
    const c = compareFixtures(a, b);
    assert.equal(c.same, 1, 'the first order differs only in ids and times');
    assert.deepEqual(c.changed.map((x) => [x.before.eventType, x.before.entity, x.paths]), [['order_created', 'order:2', ['data.total']]]);
    assert.deepEqual(c.missing.map((x) => [x.where, x.eventType]), [['pubsub payments', 'order_paid']]);
    assert.deepEqual(c.added.map((x) => [x.where, x.eventType]), [['pubsub orders', 'order_cancelled']]);
    const strict = compareFixtures(a, b, { keepIds: true });
    assert.equal(strict.same, 0);
  });
});

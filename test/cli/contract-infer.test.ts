// `ucore contract infer`, `contract check` on glob stream addresses and `contract drift`, as CI and a terminal run
// them: the built CLI in a child process against a real redis-server, on events another app wrote the guide's way
// (the guide's Python patterns on redis-py, and plain XADD / PUBLISH).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { lines, runCli as run, ucore } from '../support/cli-process';
import { guidePublish, guideSave } from '../support/python-apps';
import { untilSubscribed } from '../support/subscribed';

const json = (events: object[]) => events.map((e) => JSON.stringify(e));

// The guide's events: only data.order_id is sure, the timestamp is Python's naive isoformat().
const guideOrder = (i: number) => ({
  event_id: `order_${i}`, event_type: 'order_created', timestamp: `2026-12-01T10:00:0${i}.123456`, version: '1.0',
  entity_id: `order:${i}`, data: { order_id: `${i}`, ...(i % 2 ? { total_price: 12.5, status: 'pending' } : { status: 'paid' }) },
});

describe('ucore contract infer / check globs', () => {
  let srv: RedisServerHandle;
  let url: string;
  let app: Redis;
  let dir: string;
  before(async () => { srv = await startRedisServer(); url = srv.url; app = new Redis(url); dir = mkdtempSync(join(tmpdir(), 'ucore-infer-')); });
  after(async () => { app?.disconnect(); await srv?.stop(); });

  it('infer: guide-written stream entries and channel messages → a contract that lints clean and passes check on the same traffic', async () => {
    await guideSave(url, json([1, 2, 3, 4].map(guideOrder)));
    await app.xgroup('CREATE', 'event_store', 'projector', '0');
    const infer = ucore(['contract', 'infer', '--stream', 'event_store', '--channel', 'user.*', '--for', '8', '--url', url], { timeoutMs: 30_000 });
    await untilSubscribed(url, { patternClients: 1 });
    const users = [{ event_type: 'user_registered', user_id: 'u1', email: 'a@b.example' }, { event_type: 'user_registered', user_id: 'u2', email: 'c@d.example' }];
    await guidePublish(url, 'user.eu', json(users));
    const r = await infer.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /inferred from 6 events/);
    assert.match(r.stdout, /^asyncapi: 3\.0\.0\n/);
    assert.match(r.stdout, /x-ucore:\n\s+kind: stream\n\s+groups:\n\s+- projector/);
    assert.match(r.stdout, /const: order_created/);
    assert.match(r.stdout, /format: email/);
    const file = join(dir, 'asyncapi.yaml');
    writeFileSync(file, r.stdout);
    const lint = await run(['contract', 'lint', file]);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    const history = await run(['contract', 'check', file, '--history', '--json', '--url', url]);
    assert.equal(history.code, 0, history.stdout + history.stderr);
    assert.deepEqual(JSON.parse(lines(history.stdout).pop()!), { summary: { checked: 4, violating: 0, channels: 1 } });
    const live = ucore(['contract', 'check', file, '--count', '2', '--json', '--url', url], { timeoutMs: 30_000 });
    await untilSubscribed(url, { patternClients: 1 });
    await guidePublish(url, 'user.us', json([users[0]!, { event_type: 'user_registered', user_id: 7 }]));
    const c = await live.done;
    assert.equal(c.code, 1, c.stderr);
    const recs = lines(c.stdout).map((l) => JSON.parse(l));
    assert.deepEqual(recs.slice(0, -1).map((v) => [v.channel, v.path, v.code]).sort(), [['user.us', '/email', 'missing'], ['user.us', '/user_id', 'invalid_type']]);
    assert.deepEqual(recs.at(-1), { summary: { checked: 2, violating: 1, channels: 1 } });
  });

  it('infer: wrong usage exits 2', async () => {
    assert.equal((await run(['contract', 'infer', '--url', url])).code, 2);
    assert.equal((await run(['contract', 'infer', '--channel', 'x', '--count', '0', '--url', url])).code, 2);
    assert.equal((await run(['contract', 'infer', 'file.yaml', '--channel', 'x', '--url', url])).code, 2);
  });

  it('check --history on a glob stream address: every matching stream is read (SCAN … TYPE stream), other types skipped', async () => {
    const file = join(dir, 'glob.yaml');
    writeFileSync(file, [
      'asyncapi: 3.0.0', 'info: {title: Regions, version: 1.0.0}', 'channels:', '  orders:', "    address: 'orders.{region}'",
      '    x-ucore: {kind: stream}', '    messages:', '      created:', '        payload:', '          type: object',
      '          required: [event_type, data]', '          properties:', '            event_type: {const: order_created}',
      '            data: {type: object, required: [order_id], properties: {order_id: {type: string}}}', '',
    ].join('\n'));
    await app.xadd('orders.eu', '*', 'event', JSON.stringify({ event_type: 'order_created', data: { order_id: '1' } }));
    await app.xadd('orders.us', '*', 'event', JSON.stringify({ event_type: 'order_created', data: { order_id: 2 } }));
    await app.xadd('orders.us', '*', 'event', JSON.stringify({ event_type: 'order_created', data: {} }));
    await app.set('orders.cache', 'not a stream');
    const r = await run(['contract', 'check', file, '--history', '--json', '--url', url]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /orders\.\*: 2 streams match/);
    const recs = lines(r.stdout).map((l) => JSON.parse(l));
    assert.deepEqual(recs.at(-1), { summary: { checked: 3, violating: 2, channels: 2 } });
    assert.deepEqual(recs.slice(0, -1).map((v) => [v.channel, v.path, v.code]), [['orders.us', '/data/order_id', 'invalid_type'], ['orders.us', '/data/order_id', 'missing']]);
    const human = await run(['contract', 'check', file, '--history', '--url', url]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /checked 3 events on 2 channels\/streams: 2 violating\n$/);
  });

  it('drift: unknown types and properties live, channels without traffic or subscribers, missing streams and groups; exit 1', async () => {
    const file = join(dir, 'drift.yaml');
    writeFileSync(file, [
      'asyncapi: 3.0.0', 'info: {title: Drift, version: 1.0.0}', 'channels:',
      '  orders:', '    address: shop_orders', '    messages:', '      created:', '        payload:', '          type: object',
      '          properties:', '            event_type: {const: order_created}', '            data: {type: object, properties: {order_id: {type: string}}}',
      '  payments:', '    address: shop_payments', '    messages:', '      paid: {payload: {type: object}}',
      '  log:', '    address: event_log', '    x-ucore: {kind: stream, groups: [billing, shipping]}', '    messages:', '      any: {payload: {type: object}}',
      '  audit:', '    address: audit_log', '    x-ucore: {kind: stream}', '',
    ].join('\n'));
    await app.xadd('event_log', '*', 'event', JSON.stringify({ event_type: 'any' }));
    await app.xgroup('CREATE', 'event_log', 'billing', '0');
    const service = new Redis(url);
    await service.subscribe('shop_orders');
    try {
      const drift = ucore(['contract', 'drift', file, '--for', '4', '--history', '--json', '--url', url], { timeoutMs: 30_000 });
      await untilSubscribed(url, { channel: 'shop_orders', clients: 2 });
      await guidePublish(url, 'shop_orders', json([
        { event_type: 'order_created', data: { order_id: '1', coupon: 'X' }, extra: [1] },
        { event_type: 'order_created', data: { order_id: '2', coupon: 'Y' } },
        { event_type: 'order_refunded', data: {} },
      ]));
      const r = await drift.done;
      assert.equal(r.code, 1, r.stderr);
      const recs = lines(r.stdout).map((l) => JSON.parse(l));
      assert.deepEqual(recs.pop(), { summary: { findings: 8, observed: 4 } }, r.stdout);
      assert.deepEqual(recs.map((f) => [f.kind, f.channel, f.event_type ?? f.property ?? null, f.count]).sort(), [
        ['missing_group', 'event_log', null, null],
        ['missing_stream', 'audit_log', null, null],
        ['no_subscribers', 'shop_payments', null, null],
        ['no_traffic', 'audit_log', null, null],
        ['no_traffic', 'shop_payments', null, null],
        ['unknown_event_type', 'shop_orders', 'order_refunded', 1],
        ['unknown_property', 'shop_orders', 'order_created', 1],
        ['unknown_property', 'shop_orders', 'order_created', 2],
      ].sort());
      assert.deepEqual(recs.filter((f) => f.kind === 'unknown_property').map((f) => [f.property, f.count]).sort(), [['/data/coupon', 2], ['/extra', 1]].sort());
      assert.match(recs.find((f) => f.kind === 'missing_group').message, /event_log has no consumer group "shipping"/);
      assert.equal(recs.find((f) => f.kind === 'missing_group').schema.line, 19);
    } finally {
      service.disconnect();
    }
  });
});

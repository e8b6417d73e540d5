// `ucore publish FILE.events` as a user runs it (dist/cli.js in a child process) against a real redis-server: every
// block to its channel (PUBLISH), shard channel (SPUBLISH) or stream (XADD; the store's stream through the EventStore),
// placeholders expanded, in file order; --dry-run sends nothing; a bad block names its line and nothing is sent.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { lines, runCli as run } from '../support/cli-process';
import { MessageRecorder } from '../support/message-recorder';
import { RedisTransport } from '../../src/core/transport/redis';

const FILE = [
  '### Checkout, as a script sends it',
  '### channel: orders_cli',
  '{',
  '  "event_type": "order_created",',
  '  "entity_id": "order:{{uuid:order}}",',
  '  "data": { "order_id": {{randomInt:1:9}}, "items": [{ "product_id": 2, "quantity": 1 }], "total_price": {{randomFloat:10:20}}, "seq": {{seq}} }',
  '}',
  '',
  '### shard: payments_cli',
  '{ "event_type": "payment_seen", "entity_id": "order:{{uuid:order}}", "data": { "seq": {{seq}}, "at": "{{now}}" } }',
  '',
  '### stream: audit_cli',
  '{ "event_type": "order_audited", "entity_id": "order:{{uuid:order}}", "data": { "seq": {{seq}} } }',
  '',
  '### stream: event_store',
  '{ "event_type": "order_packed", "entity_id": "order:{{uuid:order}}", "data": { "seq": {{seq}}, "by": "{{randomName}}" } }',
  '',
].join('\n');

describe('ucore publish FILE.events against a real redis-server', () => {
  let srv: RedisServerHandle;
  let url: string;
  let dir: string;
  before(async () => {
    srv = await startRedisServer();
    url = srv.url;
    dir = mkdtempSync(join(tmpdir(), 'ucore-events-file-'));
  });
  after(async () => { await srv?.stop(); });

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('sends every block to its channel, shard channel and stream in file order, placeholders expanded', async () => {
    const file = write('checkout.events', FILE);
    const t = new RedisTransport({ url });
    await t.connect();
    const rec = await MessageRecorder.start(t, ['orders_cli', 'events'], { shard: false });
    await t.ssubscribe(['payments_cli']);
    const shard: string[] = [];
    t.onMessage((m) => { if (m.sharded && m.channel === 'payments_cli') shard.push(m.payload); });
    try {
      const r = await run(['publish', file, '--json', '--url', url]);
      assert.equal(r.code, 0, r.stderr);
      const out = lines(r.stdout).map((l) => JSON.parse(l));
      assert.deepEqual(out.map((o) => [o.line, o.target.kind, o.target.name]), [
        [2, 'channel', 'orders_cli'], [9, 'shard', 'payments_cli'], [12, 'stream', 'audit_cli'], [15, 'stream', 'event_store'],
      ]);
      assert.equal(out[0].receivers, 1);
      assert.equal(out[1].receivers, 1);
      assert.match(out[2].id, /^\d+-\d+$/);
      assert.match(out[3].id, /^\d+-\d+$/);

      await rec.waitFor(1, 'orders_cli');
      await rec.waitFor(1, 'events'); // the store publishes what it appends, as the guide's EventStore does
      const created = rec.json('orders_cli')[0];
      assert.equal(created.event_type, 'order_created');
      assert.match(created.event_id, /^[0-9a-f-]{36}$/, 'the envelope is completed');
      assert.ok(created.data.order_id >= 1 && created.data.order_id <= 9 && Number.isInteger(created.data.order_id));
      assert.ok(created.data.total_price >= 10 && created.data.total_price <= 20);
      assert.equal(created.data.seq, 1);
      const orderId: string = created.entity_id;
      assert.match(orderId, /^order:[0-9a-f-]{36}$/);

      for (let i = 0; i < 50 && shard.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
      assert.equal(shard.length, 1, 'SSUBSCRIBE got the shard block');
      const paid = JSON.parse(shard[0]);
      assert.equal(paid.entity_id, orderId, '{{uuid:order}} is one id for the whole file');
      assert.equal(paid.data.seq, 2);
      assert.ok(!Number.isNaN(Date.parse(paid.data.at)));
      assert.deepEqual(rec.on('orders_cli').length, 1, 'nothing else on the plain channel');

      const audit = await t.xrange('audit_cli', '-', '+');
      assert.equal(audit.length, 1);
      const audited = JSON.parse(audit[0].fields.event);
      assert.deepEqual([audited.event_type, audited.entity_id, audited.data.seq], ['order_audited', orderId, 3]);

      const stored = await t.xrange('event_store', '-', '+');
      assert.equal(stored.length, 1);
      const shipped = JSON.parse(stored[0].fields.event);
      assert.deepEqual([shipped.event_type, shipped.entity_id, shipped.data.seq], ['order_packed', orderId, 4]);
      assert.match(shipped.data.by, /^\w+ \w+$/);
      assert.equal(rec.json('events')[0].event_id, shipped.event_id);
    } finally {
      await t.close();
    }
  });

  it('--dry-run prints each event and its target and sends nothing', async () => {
    const file = write('dry.events', FILE.replace(/_cli/g, '_dry'));
    const r = await run(['publish', file, '--dry-run', '--url', url]);
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.equal(out.length, 4);
    assert.match(out[0], /^line 2: would publish order_created to channel orders_dry: \{"event_type":"order_created"/);
    assert.match(out[1], /^line 9: would publish payment_seen to shard channel payments_dry: /);
    assert.match(out[2], /^line 12: would append order_audited to stream audit_dry: /);
    assert.doesNotMatch(r.stdout, /\{\{/, 'placeholders are expanded in the preview');
    assert.match(r.stderr, /nothing sent/);
    const t = new RedisTransport({ url });
    await t.connect();
    try {
      assert.equal((await t.xrange('audit_dry', '-', '+')).length, 0);
    } finally {
      await t.close();
    }
  });

  it('a bad block names its file and line, and nothing of the file is sent', async () => {
    const file = write('bad.events', [
      '{ "event_type": "nowhere" }',
      '### stream: audit_bad',
      '{ "event_type": "ok_first" }',
      '',
      '### channel: c_bad',
      '{ "event_type": "order_created", "data": { "order_id": 1, "items": "none", "total_price": 5 } }',
      '',
      '### channel: c_bad',
      '{ "event_type": "broken", "data": {{nope}} }',
    ].join('\n'));
    const r = await run(['publish', file, '--url', url]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`bad\\.events:6:\\d+: error: order_created 1\\.0: data\\.items: `), 'the schema issue, at its property');
    assert.match(r.stderr, /bad\.events:9:\d+: error: unknown placeholder \{\{nope\}\}/);
    assert.match(r.stderr, /bad\.events:1:1: error: no channel or stream/);
    assert.match(r.stderr, /4 problems \(first on line 1\); nothing was sent/);
    const t = new RedisTransport({ url });
    await t.connect();
    try {
      assert.equal((await t.xrange('audit_bad', '-', '+')).length, 0, 'the good block before them was not sent either');
    } finally {
      await t.close();
    }
  });

  it('the old forms stay: a .events name with JSON is a channel; --store does not apply to a file', async () => {
    const r = await run(['publish', 'odd.events', '{"event_type":"x"}', '--url', url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /published to odd\.events/);
    const u = await run(['publish', write('s.events', FILE), '--store', '--url', url]);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /--store does not apply to a \.events file/);
    const missing = await run(['publish', join(dir, 'missing.events'), '--url', url]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*missing\.events: no such file/);
  });
});

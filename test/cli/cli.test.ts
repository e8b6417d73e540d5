// The CLI as a user runs it: the built dist/cli.js in a child process against a real redis-server.
import { untilSubscribed } from '../support/subscribed';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { lines, runCli as run, ucore } from '../support/cli-process';
import { RedisTransport } from '../../src/core/transport/redis';

/** Until the tail child has subscribed (a fixed sleep is not enough on a loaded machine). */
describe('ucore CLI against a real redis-server', () => {
  let srv: RedisServerHandle;
  let url: string;
  before(async () => { srv = await startRedisServer(); url = srv.url; });
  after(async () => { await srv?.stop(); });

  it('publish reaches a tail subscriber, which exits after --count', async () => {
    const tail = ucore(['tail', 'orders', '--count', '2', '--json', '--url', url]);
    await untilSubscribed(url, { channel: 'orders' });
    const p1 = await run(['publish', 'orders', '{"event_type":"order_created","entity_id":"order:1","data":{"total_price":5}}', '--url', url]);
    assert.equal(p1.code, 0, p1.stderr);
    assert.match(p1.stdout, /published to orders \(1 receiver\)/);
    await run(['publish', 'orders', '{"event_type":"order_paid","entity_id":"order:1"}', '--url', url]);
    const t = await tail.done;
    assert.equal(t.code, 0, t.stderr);
    const got = lines(t.stdout).map((l) => JSON.parse(l));
    assert.deepEqual(got.map((g) => g.event.event_type), ['order_created', 'order_paid']);
    assert.equal(got[0].channel, 'orders');
  });

  it('tail --pattern shows malformed messages as such instead of failing', async () => {
    const tail = ucore(['tail', 'ord*', '--pattern', '--count', '2', '--url', url]);
    await untilSubscribed(url, { patternClients: 1 });
    const raw = new RedisTransport({ url });
    await raw.connect();
    await raw.publish('orders.bad', '{"event_type": "unterminated');
    await raw.close();
    await run(['publish', 'orders.x', '{"event_type":"x"}', '--url', url]);
    const t = await tail.done;
    assert.equal(t.code, 0);
    assert.match(t.stdout, /orders\.bad {2}\(not JSON\) {2}\{"event_type": "unterminated/);
    assert.match(t.stdout, /orders\.x {2}x/);
  });

  it('store append + get by entity, type and limit; publish --file --store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ucore-cli-'));
    const file = join(dir, 'events.ndjson');
    const evs = [];
    for (let i = 0; i < 30; i++) evs.push(JSON.stringify({ event_type: i % 3 === 0 ? 'order_paid' : 'order_created', entity_id: `order:${i % 5}`, data: { n: i } }));
    writeFileSync(file, `${evs.join('\n')}\nnot json\n`);
    const a = await run(['publish', 'ecommerce_events', '--file', file, '--store', '--url', url]);
    assert.equal(a.code, 1, 'a bad line makes the exit code non-zero');
    assert.match(a.stdout, /published 30 events to ecommerce_events and the store; 1 bad line skipped/);
    assert.match(a.stderr, /line 31/);
    const one = await run(['store', 'append', '{"event_type":"order_shipped","entity_id":"order:2"}', '--url', url]);
    assert.equal(one.code, 0, one.stderr);
    const byEntity = await run(['store', 'get', '--entity', 'order:2', '--json', '--url', url]);
    const got = lines(byEntity.stdout).map((l) => JSON.parse(l));
    assert.equal(got.length, 7);
    assert.ok(got.every((g) => g.event.entity_id === 'order:2'));
    assert.equal(got.at(-1).event.event_type, 'order_shipped');
    const byType = await run(['store', 'get', '--type', 'order_paid', '--limit', '3', '--json', '--url', url]);
    assert.equal(lines(byType.stdout).length, 3);
    const newest = await run(['store', 'get', '--newest', '--limit', '1', '--url', url]);
    assert.match(newest.stdout, /order_shipped/);
  });

  it('replay to a channel with --dry-run then for real, progress on stderr', async () => {
    const dry = await run(['replay', '--entity', 'order:1', '--to-channel', 'replayed', '--dry-run', '--url', url]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: 6 events would go to channel replayed/);
    const tail = ucore(['tail', 'replayed', '--count', '6', '--json', '--url', url]);
    await untilSubscribed(url, { channel: 'replayed' });
    const real = await run(['replay', '--entity', 'order:1', '--to-channel', 'replayed', '--rate', '200', '--url', url]);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /replayed 6 of 6 events to channel replayed/);
    const t = await tail.done;
    assert.deepEqual(lines(t.stdout).map((l) => JSON.parse(l).event.data.n), [1, 6, 11, 16, 21, 26]);
  });

  it('dedup check: the guide fingerprint, new then duplicate', async () => {
    const ev = '{"event_type":"order_created","user_id":12345,"data":{"order_id":789,"items":[{"product_id":456,"quantity":2}],"total_price":99.99}}';
    const first = await run(['dedup', 'check', ev, '--url', url]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^864d2006d2e71eeaa9291b2cce2d4590 {2}new/);
    const second = await run(['dedup', 'check', ev, '--json', '--url', url]);
    assert.deepEqual(JSON.parse(second.stdout).duplicate, true);
  });

  it('stats lists channels, streams with groups and lag, and counters', async () => {
    const tail = ucore(['tail', 'stats_chan', '--url', url]);
    await untilSubscribed(url, { channel: 'stats_chan' });
    const s = await run(['stats', '--json', '--url', url]);
    tail.kill();
    await tail.done;
    assert.equal(s.code, 0, s.stderr);
    const st = JSON.parse(s.stdout);
    assert.ok(st.channels.some((c: { channel: string; subscribers: number }) => c.channel === 'stats_chan' && c.subscribers === 1));
    const store = st.streams.find((x: { key: string }) => x.key === 'event_store');
    assert.ok(store && store.length >= 31, JSON.stringify(st.streams));
    assert.ok(!st.streams.some((x: { key: string }) => x.key.includes(':idx:')), 'index streams are hidden');
  });

  it('demo runs the e-commerce flow and prints a summary', async () => {
    const d = await run(['demo', '--count', '5', '--rate', '500', '--quiet', '--json', '--url', url], { timeoutMs: 30_000 });
    assert.equal(d.code, 0, d.stderr);
    const summary = JSON.parse(lines(d.stdout).at(-1)!).summary;
    assert.equal(summary.orders, 5);
    assert.ok(summary.events >= 10);
  });

  it('bad input: one clear line, non-zero exit, no stack trace', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['publish', 'x', '{not json', '--url', url], 1, /^ucore publish: not JSON/],
      [['publish'], 2, /missing argument/],
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['store', 'get', '--since', 'yesterday', '--url', url], 2, /--since must be an ISO date/],
      [['store', 'get', '--bogus', '--url', url], 2, /Unknown option '--bogus'/],
      [['replay', '--url', url], 2, /give a target/],
      [['stats', '--url', 'http://example'], 1, /is not a redis:\/\/, rediss:\/\/, redis\+cluster:\/\/ or redis\+sentinel:\/\/ URL/],
      [['stats', '--url', 'redis://127.0.0.1:1'], 1, /connection refused/],
      [['stats', '--url', 'redis://:s3cret-pw@127.0.0.1:1'], 1, /connection refused/],
    ];
    for (const [args, code, re] of cases) {
      const r = await run(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace for ${args.join(' ')}: ${r.stderr}`);
      assert.ok(!r.stderr.includes('s3cret-pw') && !r.stdout.includes('s3cret-pw'), 'the password never appears');
    }
  });

  it('--url defaults to $UCORE_REDIS_URL', async () => {
    const r = await run(['stats', '--json'], { env: { UCORE_REDIS_URL: url } });
    assert.equal(r.code, 0, r.stderr);
  });
});

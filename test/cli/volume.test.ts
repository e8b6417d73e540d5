// Issue 17 at the command line: `store get --where/--at`, `tail --where`, `export`, `import`, `deadletters` and
// `redrive` as a user runs them (dist/cli.js in a child process) against a real redis-server, on entries another
// app wrote the guide's way: a plain `XADD event_store * event <json>` (Python's 12.0 kept as written, events that
// carry only data.order_id, an entry that is not JSON, an entry of plain fields).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { lines, runCli as run, serverAndDir, ucoreUntil } from '../support/cli-process';

const json = (s: string) => lines(s).map((l) => JSON.parse(l));

describe('ucore store get --where/--at, tail --where, export, import, deadletters, redrive (real redis-server)', () => {
  const env = serverAndDir('ucore-volume-');
  let redis: Redis;
  const ids: string[] = [];
  /** The append time of the 11th entry: --at from here starts there. */
  let middleMs = 0;

  before(async () => {
    redis = new Redis(env.url, { lazyConnect: true });
    await redis.connect();
    // 20 orders a guide app saved, 10 ms apart (so ids are times we know), totals 0, 12.0, 24.0 … as Python writes them.
    const base = Date.now() - 60_000;
    for (let i = 0; i < 20; i++) {
      const text = `{"event_id": "e${i}", "event_type": "${i % 2 ? 'order_paid' : 'order_created'}", "timestamp": "2026-12-01T10:00:00", "data": {"order_id": "o${i}", "total_price": ${i * 12}.0}}`;
      ids.push((await redis.xadd('event_store', `${base + i * 10}-0`, 'event', text))!);
    }
    middleMs = base + 100;
    await redis.xadd('event_store', `${base + 500}-0`, 'event', 'not json {');
    await redis.xadd('event_store', `${base + 510}-0`, 'order_id', 'o99', 'status', 'paid');
  });
  after(async () => { redis?.disconnect(); });

  it('store get --where prints the entries the expression holds for, says how many were scanned, and rejects a bad expression with exit 2', async () => {
    const r = await run(['store', 'get', '--where', 'event_type == "order_created" && data.total_price > 100', '--json', '--url', env.url]);
    assert.equal(r.code, 0, r.stderr);
    const found = json(r.stdout);
    assert.deepEqual(found.map((f) => f.event.event_id), ['e10', 'e12', 'e14', 'e16', 'e18']);
    assert.equal(found[0].id, ids[10]);
    assert.match(r.stderr, /5 matches, 22 of 22 entries scanned; searched to the end/);
    assert.match(r.stderr, /could not be evaluated/, 'the entry that is not JSON is counted, not a crash');
    // Entries of plain fields are searched by their fields.
    const plain = await run(['store', 'get', '--where', 'order_id == "o99"', '--json', '--url', env.url]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(json(plain.stdout).length, 1);
    // The scan budget stops a search and says where to go on.
    const budget = await run(['store', 'get', '--where', 'data.total_price > 1000', '--max-scan', '5', '--url', env.url]);
    assert.equal(budget.code, 0, budget.stderr);
    assert.match(budget.stderr, /0 matches, 5 of 22 entries scanned; stopped at the scan budget.*--from-id /);
    const bad = await run(['store', 'get', '--where', 'data.total_price >', '--url', env.url]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--where: not a valid filter expression/);
    const hostile = await run(['store', 'get', '--where', 'process.exit(1) || require("fs")', '--url', env.url]);
    assert.ok(hostile.code === 0 || hostile.code === 2, `exit ${hostile.code}`);
    assert.doesNotMatch(hostile.stderr, /TypeError|at .*\.js:\d+/, 'an expression is data: no stack trace');
  });

  it('store get --at opens the stream at a date-time, pages older with --newest, and rejects a bad time', async () => {
    const at = new Date(middleMs).toISOString();
    const r = await run(['store', 'get', '--at', at, '--limit', '3', '--json', '--url', env.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r.stdout).map((f) => f.id), ids.slice(10, 13));
    assert.match(r.stderr, /3 entries from .*older: --to-id .*newer: --from-id /);
    const older = await run(['store', 'get', '--at', at, '--limit', '3', '--newest', '--json', '--url', env.url]);
    assert.equal(older.code, 0, older.stderr);
    assert.deepEqual(json(older.stdout).map((f) => f.id), ids.slice(7, 10));
    const both = await run(['store', 'get', '--at', at, '--where', 'data.total_price < 150', '--json', '--url', env.url]);
    assert.deepEqual(json(both.stdout).map((f) => f.event.event_id), ['e10', 'e11', 'e12'], '--at with --where searches from there');
    const bad = await run(['store', 'get', '--at', 'yesterday-ish', '--url', env.url]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--at:/);
  });

  it('tail --stream --where prints only what the expression holds for, --count counting those', async () => {
    const r = await run(['tail', '--stream', 'event_store', '--from-start', '--where', 'data.order_id in ["o3", "o4"]', '--count', '2', '--json', '--url', env.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r.stdout).map((e) => e.event.event_id), ['e3', 'e4']);
    // Live: a tail started before the writes prints the match that comes later and nothing else.
    const live = ucoreUntil(['tail', '--stream', 'live_orders', '--where', 'data.total_price >= 100.0', '--count', '1', '--json', '--url', env.url], 'reading ');
    await live.heard;
    await redis.xadd('live_orders', '*', 'event', '{"event_type": "order_created", "data": {"total_price": 5.0}}');
    await redis.xadd('live_orders', '*', 'event', '{"event_type": "order_created", "data": {"total_price": 250.0}}');
    const out = await live.done;
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(json(out.stdout).map((e) => e.event.data.total_price), [250]);
    const mixed = await run(['tail', '--stream', 'x', '--group', 'g', '--consumer', 'c', '--where', 'true', '--url', env.url]);
    assert.equal(mixed.code, 2);
  });

  it('export writes a search result as NDJSON (masked, texts as written); import --dry-run counts, import sends them back equal', async () => {
    const file = join(env.dir, 'big-orders.ndjson');
    const ex = await run(['export', '--out', file, '--where', 'data.total_price > 150', '--mask', 'data.order_id=***', '--json', '--url', env.url]);
    assert.equal(ex.code, 0, ex.stderr);
    const summary = JSON.parse(lines(ex.stdout)[0]);
    assert.equal(summary.written, 7);
    assert.equal(summary.masked, 7);
    const fileLines = json(readFileSync(file, 'utf8'));
    assert.equal(fileLines.length, 7);
    assert.ok(fileLines.every((l) => l.kind === 'stream' && l.stream === 'event_store'));
    const text = readFileSync(file, 'utf8');
    assert.match(text, /"total_price": 156\.0/, 'Python\'s 156.0 stays as written');
    assert.doesNotMatch(text, /"o1[3-9]"/, 'order ids masked');

    // A time range, all of it, unmasked: the round trip gives back the same texts.
    const all = join(env.dir, 'range.ndjson');
    const r2 = await run(['export', '--out', all, '--since', new Date(middleMs).toISOString(), '--limit', '5', '--url', env.url]);
    assert.equal(r2.code, 0, r2.stderr);
    const dry = await run(['import', all, '--to-stream', 'copy', '--dry-run', '--json', '--url', env.url]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(JSON.parse(lines(dry.stdout)[0]).byTarget, { 'stream copy': 5 });
    assert.equal(await redis.exists('copy'), 0, 'a dry run sends nothing');
    const imp = await run(['import', all, '--to-stream', 'copy', '--rate', '1000', '--json', '--url', env.url]);
    assert.equal(imp.code, 0, imp.stderr);
    assert.equal(JSON.parse(lines(imp.stdout)[0]).sent, 5);
    const copied = await redis.xrange('copy', '-', '+');
    const originals = await redis.xrange('event_store', ids[10], ids[14]);
    assert.deepEqual(copied.map(([, f]) => f[1]), originals.map(([, f]) => f[1]));

    // A file with a broken line: the rest is imported, the line reported, exit 1.
    const broken = join(env.dir, 'broken.ndjson');
    writeFileSync(broken, `${readFileSync(all, 'utf8')}{"kind": "stream", nope\n`);
    const b = await run(['import', broken, '--to-channel', 'nowhere', '--url', env.url]);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /line 6:/);
    assert.match(b.stdout, /sent 5 events/);
  });

  it('export of many pages waits on the file without piling up listeners (no MaxListenersExceededWarning); a bad --mask is a usage error (exit 2)', async () => {
    // 20,000 entries of ~300 bytes: every page fills the file stream's buffer, so the export waits for 'drain' often.
    const pipe = redis.pipeline();
    const pad = 'x'.repeat(250);
    for (let i = 0; i < 20_000; i++) pipe.xadd('big', '*', 'event', `{"event_type":"order_created","data":{"order_id":${i},"note":"${pad}"}}`);
    await pipe.exec();
    const file = join(env.dir, 'big.ndjson');
    const ex = await run(['export', '--out', file, '--stream', 'big', '--mask', 'data.order_id', '--json', '--url', env.url]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.equal(JSON.parse(lines(ex.stdout)[0]).written, 20_000);
    assert.equal(lines(readFileSync(file, 'utf8')).length, 20_000);
    assert.doesNotMatch(ex.stderr, /MaxListenersExceeded|Warning/, ex.stderr);

    const bad = await run(['export', '--out', join(env.dir, 'never.ndjson'), '--mask', '.', '--url', env.url]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /mask|path/i);
  });

  it('deadletters groups what a guide app dead-lettered by reason; redrive dry-runs, sends once, and a second redrive sends nothing', async () => {
    for (let i = 0; i < 4; i++) {
      await redis.xadd('dead_letter', '*', 'event', `{"event_type": "order_created", "data": {"order_id": "d${i}", "total_price": ${i}0.0}}`, 'error', `timeout after ${3000 + i} ms`, 'source', 'orders');
    }
    await redis.xadd('dead_letter', '*', 'original_event', '{"event_type": "order_paid", "data": {"order_id": "p1"}}', 'reason', "KeyError: 'amount'");
    const g = await run(['deadletters', '--json', '--url', env.url]);
    assert.equal(g.code, 0, g.stderr);
    assert.deepEqual(json(g.stdout).map((x) => [x.reason, x.count, x.redriven]), [['timeout after # ms', 4, 0], ["KeyError: 'amount'", 1, 0]]);
    const table = await run(['deadletters', '--url', env.url]);
    assert.match(table.stdout, /timeout after # ms/);
    assert.match(table.stderr, /2 reasons, 5 of 5 dead letters read/);

    const dry = await run(['redrive', '--reason', 'timeout after # ms', '--to-stream', 'orders_retry', '--dry-run', '--json', '--url', env.url]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(JSON.parse(lines(dry.stdout)[0]).sent, 4);
    assert.equal(await redis.exists('orders_retry'), 0);
    const r = await run(['redrive', '--reason', 'timeout after # ms', '--where', 'data.total_price >= 10.0', '--to-stream', 'orders_retry', '--json', '--url', env.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(lines(r.stdout)[0]).sent, 3);
    const sent = await redis.xrange('orders_retry', '-', '+');
    assert.deepEqual(sent.map(([, f]) => JSON.parse(f[1]).data.order_id), ['d1', 'd2', 'd3']);
    const again = await run(['redrive', '--reason', 'timeout after # ms', '--to-stream', 'orders_retry', '--json', '--url', env.url]);
    const second = JSON.parse(lines(again.stdout)[0]);
    assert.equal(second.sent, 1, 'only the one the filter left out');
    assert.equal(second.alreadyRedriven, 3);
    assert.equal((await redis.xlen('orders_retry')), 4);
    const after2 = await run(['deadletters', '--json', '--url', env.url]);
    assert.deepEqual(json(after2.stdout).map((x) => [x.count, x.redriven]), [[4, 4], [1, 0]]);
    const loop = await run(['redrive', '--to-stream', 'dead_letter', '--url', env.url]);
    assert.notEqual(loop.code, 0);
    assert.match(loop.stderr, /loop/);
  });
});

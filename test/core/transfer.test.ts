// Issue 17: export of stream entries (a range, a search, chosen ids) to fixture NDJSON and import back, on a private
// redis-server holding events the guide's Python EventStore wrote: the round trip gives the same texts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { EventFilter } from '../../src/core/search/index';
import { exportEntries, fileSink, importFixture } from '../../src/core/transfer/index';
import { parseMaskRule } from '../../src/core/fixtures/index';
import { RedisTransport } from '../../src/core/transport/redis';
import { REPO_ROOT } from '../e2e/lib/paths';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { MessageRecorder } from '../support/message-recorder';

const PYTHON = '/usr/bin/python3';
const GUIDE_APPS = join(REPO_ROOT, 'test', 'support', 'guide_apps.py');

describe('export / import (fixture NDJSON)', () => {
  let server: RedisServerHandle;
  let t: RedisTransport;
  const dir = mkdtempSync(join(tmpdir(), 'ucore-transfer-'));
  const texts: string[] = [];
  before(async () => {
    server = await startRedisServer();
    t = new RedisTransport({ url: server.url });
    await t.connect();
    const events = Array.from({ length: 30 }, (_, i) =>
      `{"event_id": "e${i}", "timestamp": "2026-12-01T10:00:${String(i).padStart(2, '0')}", "event_type": "${i % 3 ? 'order_created' : 'order_paid'}", "entity_id": "o${i}", "user_id": "u${i}", "data": {"total_price": ${i * 10}.0, "email": "p${i}@example.com", "note": "caf\u00e9 ${i}"}}`);
    const py = spawnSync(PYTHON, [GUIDE_APPS, 'save', '--url', server.url, ...events.flatMap((e) => ['--event', e])], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(py.status, 0, py.stderr);
    texts.push(...(JSON.parse(py.stdout) as Array<{ event: string }>).map((r) => r.event));
  });
  after(async () => { await t.close(); await server.stop(); });

  it('exports a whole stream and imports it into another: the same texts, in order', async () => {
    const file = join(dir, 'all.ndjson');
    const sink = fileSink(file);
    const r = await exportEntries(t, { stream: 'event_store' }, sink);
    await sink.close();
    assert.equal(r.written, 30);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 30);
    const first = JSON.parse(lines[0]);
    assert.equal(first.kind, 'stream');
    assert.equal(first.stream, 'event_store');
    assert.equal(first.t, 0);
    assert.match(first.id, /^\d+-\d+$/);
    const dry = await importFixture(file, t, { target: { kind: 'stream', name: 'copy' }, dryRun: true });
    assert.equal(dry.sent, 30);
    assert.deepEqual({ ...dry.byTarget }, { 'stream copy': 30 });
    assert.equal(await t.xlen('copy'), 0, 'a dry run sends nothing');
    const done = await importFixture(file, t, { target: { kind: 'stream', name: 'copy' } });
    assert.equal(done.sent, 30);
    const copied = (await t.xrange('copy', '-', '+')).map((e) => e.fields.event);
    assert.deepEqual(copied, texts, 'Python\'s text (120.0, \\u00e9) comes back byte for byte');
  });

  it('exports a search result with masking, and imports to a channel at a rate with progress', async () => {
    const file = join(dir, 'search.ndjson');
    const sink = fileSink(file);
    const r = await exportEntries(t, { stream: 'event_store', filter: EventFilter.compile('event_type == "order_created" && data.total_price > 100') }, sink,
      { mask: [parseMaskRule('data.email'), parseMaskRule('user_id=***')] });
    await sink.close();
    assert.equal(r.written, 13);
    assert.equal(r.scanned, 30);
    assert.equal(r.masked, 26);
    const body = readFileSync(file, 'utf8');
    assert.doesNotMatch(body, /example\.com/);
    assert.match(body, /"user_id": "\*\*\*"/);
    assert.match(body, /"total_price": 110\.0/, 'unmasked values keep their text');
    const sub = new RedisTransport({ url: server.url });
    await sub.connect();
    const rec = await MessageRecorder.start(sub, ['orders-copy']);
    const progress: number[] = [];
    const startedAt = performance.now();
    const sent = await importFixture(file, t, { target: { kind: 'channel', name: 'orders-copy' }, rate: 40, onProgress: (p) => progress.push(p.sent) });
    const took = performance.now() - startedAt;
    assert.equal(sent.sent, 13);
    assert.ok(took >= 200, `13 events at 40/s took ${took.toFixed(0)} ms`);
    assert.ok(progress.length >= 2);
    await rec.waitFor(13);
    assert.equal(rec.messages.length, 13);
    await sub.close();
  });

  it('exports chosen ids and a time range, reports bad lines on import, and stops when cancelled', async () => {
    const ids = (await t.xrange('event_store', '-', '+')).map((e) => e.id);
    const file = join(dir, 'ids.ndjson');
    let sink = fileSink(file);
    assert.equal((await exportEntries(t, { stream: 'event_store', ids: [ids[3], ids[7]] }, sink)).written, 2);
    await sink.close();
    sink = fileSink(join(dir, 'range.ndjson'));
    assert.equal((await exportEntries(t, { stream: 'event_store', start: ids[10], end: ids[14] }, sink)).written, 5);
    await sink.close();
    writeFileSync(join(dir, 'bad.ndjson'), `${readFileSync(file, 'utf8')}not json\n{"t": 1, "kind": "nope", "channel": "x", "event": {}}\n`);
    const r = await importFixture(join(dir, 'bad.ndjson'), t, { dryRun: true });
    assert.equal(r.sent, 2);
    assert.equal(r.problems, 2);
    assert.deepEqual(r.problemLines.map((p) => p.line), [3, 4]);
    assert.deepEqual({ ...r.byTarget }, { 'stream event_store': 2 });
    const ac = new AbortController();
    const stopped = await importFixture(join(dir, 'all.ndjson'), t, { target: { kind: 'stream', name: 'cut' }, rate: 20, signal: ac.signal, onProgress: (p) => { if (p.sent >= 4) ac.abort(); } });
    assert.equal(stopped.aborted, true);
    assert.ok(stopped.sent < 30);
    assert.equal(await t.xlen('cut'), stopped.sent);
  });

  it('without masking, export writes the lines the masking path writes, for any payload, over several pages', async () => {
    // Export without masking reads the `event` field as bytes and puts lines together itself; with a rule that
    // matches nothing it takes the general path. The files must be the same, byte for byte, whatever the payloads.
    const odd = [
      '{"a": 1}', '  {"spaced": true}  ', '{"multi":\n  "line"}', '{"ls": "a\\u2028b", "raw": "x\u2028y"}', '[1, 2]', '"a string"', '12.0',
      '{broken', '', 'caf\u00e9 \u2603', '{"deep": {"deeper": [{"x": 1e21}]}}', '{"dup": 1, "dup": 2}', '{"emoji": "\ud83d\ude00"}',
    ];
    const stream = 'mixed';
    // First (in a page read as bytes): bytes that are not UTF-8 (the general path decodes them to U+FFFD), and nesting
    // deeper than the byte reader goes.
    const raw = new Redis(server.url);
    await raw.xadd(stream, '*', 'event', Buffer.concat([Buffer.from('{"bad": "'), Buffer.from([0xff, 0xc3]), Buffer.from('"}')]));
    await raw.xadd(stream, '*', 'event', `{"deep": ${'['.repeat(100)}${']'.repeat(100)}}`);
    raw.disconnect();
    for (let i = 0; i < 2600; i++) {
      if (i === 2100) await t.xadd(stream, { order_id: 'o1', status: 'no event field' });
      else await t.xadd(stream, { event: odd[i % odd.length]! });
    }
    const plain = join(dir, 'plain.ndjson');
    let sink = fileSink(plain);
    const r = await exportEntries(t, { stream }, sink);
    await sink.close();
    const general = join(dir, 'general.ndjson');
    sink = fileSink(general);
    const g = await exportEntries(t, { stream }, sink, { mask: [parseMaskRule('no.such.path')] });
    await sink.close();
    assert.equal(r.written, 2602);
    assert.equal(g.written, 2602);
    assert.ok(readFileSync(plain).equals(readFileSync(general)), 'the same bytes');
    assert.equal(readFileSync(plain, 'utf8'), readFileSync(general, 'utf8'));
    // A limit inside the second page.
    const limited = join(dir, 'limited.ndjson');
    sink = fileSink(limited);
    assert.equal((await exportEntries(t, { stream, limit: 2050 }, sink)).written, 2050);
    await sink.close();
    assert.equal(readFileSync(limited, 'utf8'), readFileSync(general, 'utf8').split('\n').slice(0, 2050).join('\n') + '\n');
    // And back: every line is read, the events' texts as stored (trimmed, line breaks as spaces, a key written twice
    // once), the rest as text.
    const back = await importFixture(plain, t, { target: { kind: 'stream', name: 'mixed-back' } });
    assert.equal(back.problems, 0);
    assert.equal(back.sent, 2602);
    const stored = await t.xrange(stream, '-', '+');
    const copied = await t.xrange('mixed-back', '-', '+');
    stored.forEach((e, i) => {
      const text = e.fields.event;
      if (text === undefined) return;
      let obj = false;
      try { const v: unknown = JSON.parse(text); obj = v !== null && typeof v === 'object' && !Array.isArray(v); } catch { /* text */ }
      const want = !obj ? text : text.includes('"dup": 1, "dup": 2') ? '{"dup":2}' : text.trim().replace(/[\r\n\u2028\u2029]+/g, ' ');
      assert.equal(copied[i]!.fields.event, want, `entry ${i}: ${JSON.stringify(text)}`);
    });
  });

  it('import reads lines shaped as export writes them without a scan, and refuses what is not JSON among them', async () => {
    const head = '{"t":0,"kind":"stream","stream":"s","id":"1-0"';
    const lines = [
      `${head},"event":{"a": 1, "b": [1, {"c": "d\\\""}]}}`, // Python's separators and an escaped quote: read as written
      `${head},"event":{"a":1},"z":2}`, // a key after the event: not the shape, read the general way
      '{,"event":{"a":1}}', // not JSON
      `${head},"event":{"a":1}`, // cut short
      `${head},"event":[1]}`, // not an object
      '{"t":0,"kind":"stream","stream":"s","event":{"x":1},"event":{"y":2}}', // the last "event" counts, as in JSON.parse
      `${head},"event":{"k":1,"k":2}}`, // a key twice in the event: written once
    ];
    const file = join(dir, 'shapes.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await importFixture(file, t, { target: { kind: 'stream', name: 'shapes' } });
    assert.deepEqual(r.problemLines.map((p) => p.line), [3, 4, 5]);
    const got = (await t.xrange('shapes', '-', '+')).map((e) => e.fields.event);
    assert.deepEqual(got, ['{"a": 1, "b": [1, {"c": "d\\\""}]}', '{"a":1}', '{"y":2}', '{"k":2}']);
  });
});

// Issue 17: export of stream entries (a range, a search, chosen ids) to fixture NDJSON and import back, on a private
// redis-server holding events the guide's Python EventStore wrote: the round trip gives the same texts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});

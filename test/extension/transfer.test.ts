// Export / import in the editor (issue 17) against a redis-server this suite starts, with the commands' arguments
// given (no prompts): Export Entries on a connection with masking rules writes masked fixture lines; export from an
// unmasked connection and Import NDJSON into another stream gives back the same texts; Export Search Results writes
// the matches; the import dry run says how many and where, counts the lines that are not events, and sends nothing.
import * as assert from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import type { ImportResult } from '../../src/core/index';
import type { ExportOutcome } from '../../src/extension/search/transfer';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { api, eventually, unique } from './helpers';

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('export and import NDJSON', function () {
  this.timeout(60_000);
  let srv: RedisServerHandle;
  let redis: Redis;
  const masked = unique('export-masked');
  const plain = unique('export-plain');
  const production = unique('export-prod');
  const stream = unique('orders-x');
  const dir = mkdtempSync(join(tmpdir(), 'ucore-transfer-'));
  /** Python-written texts (12.0 stays 12.0), an email and a card in each. */
  const texts = Array.from({ length: 12 }, (_, i) =>
    `{"event_id": "e${i}", "event_type": "${i % 2 ? 'order_paid' : 'order_created'}", "data": {"order_id": "o${i}", "total_price": ${i * 12}.0, "email": "buyer${i}@example.com", "card": "4111111111111111"}}`);
  const base = Date.UTC(2026, 11, 1, 9, 0, 0);
  const ids: string[] = [];

  before(async () => {
    srv = await startRedisServer();
    redis = new Redis(srv.url);
    for (let i = 0; i < texts.length; i++) ids.push((await redis.xadd(stream, `${base + i * 1000}-0`, 'event', texts[i]!))!);
    const a = await api();
    await a.services.connections.catalog.add({ name: masked, url: srv.url, mask: ['data.email', 'data.card=****'] });
    await a.services.connections.catalog.add({ name: plain, url: srv.url, mask: [] });
    await a.services.connections.catalog.add({ name: production, url: srv.url, production: true });
  });

  after(async () => {
    const a = await api();
    await a.services.connections.setActive('Embedded');
    for (const n of [masked, plain, production]) await a.services.connections.catalog.remove(n).catch(() => undefined);
    redis?.disconnect();
    await srv?.stop();
  });

  it('Export Entries on a connection with masking rules writes fixture lines with the fields masked', async () => {
    const a = await api();
    await a.services.connections.setActive(masked);
    await a.services.requireConnection();
    const out = join(dir, 'masked.ndjson');
    const r = await vscode.commands.executeCommand<ExportOutcome>('ucore.stream.export', { kind: 'stream', key: stream }, { range: 'all', out });
    assert.ok(r, 'the command returned its outcome');
    assert.strictEqual(r.written, 12);
    assert.strictEqual(r.masked, 24, 'an email and a card in each of twelve');
    assert.match(r.maskedBy, /data\.email \(hashed\), data\.card → "\*\*\*\*"/);
    const text = readFileSync(out, 'utf8');
    assert.doesNotMatch(text, /@example\.com|4111111111111111/, 'nothing of the masked fields reaches the file');
    const got = lines(out);
    assert.deepStrictEqual(got.map((l) => [l.kind, l.stream, l.id, l.t]), ids.map((id, i) => ['stream', stream, id, i * 1000]));
    const first = JSON.parse(JSON.stringify(got[0]!.event)) as { data: Record<string, unknown> };
    assert.match(String(first.data.email), /^masked:[0-9a-f]{12}$/);
    assert.strictEqual(first.data.card, '****');
    assert.strictEqual(first.data.order_id, 'o0', 'other fields as they were');
  });

  it('Export Entries on a production connection without rules of its own masks by default (ucore.masking.rules)', async () => {
    const a = await api();
    await a.services.connections.setActive(production);
    await a.services.requireConnection();
    const out = join(dir, 'production.ndjson');
    const r = await vscode.commands.executeCommand<ExportOutcome>('ucore.stream.export', stream, { range: 'all', out });
    assert.strictEqual(r.written, 12);
    assert.strictEqual(r.masked, 12, 'the email of each (the card is not among the defaults)');
    assert.match(r.maskedBy, /data\.email \(hashed\)/);
    assert.doesNotMatch(readFileSync(out, 'utf8'), /@example\.com/);
  });

  it('export (a time range) → Import NDJSON into another stream gives back the same texts; to a channel, the same count', async () => {
    const a = await api();
    await a.services.connections.setActive(plain);
    await a.services.requireConnection();
    const out = join(dir, 'range.ndjson');
    const since = new Date(base + 3000).toISOString();
    const until = new Date(base + 8000).toISOString();
    const ex = await vscode.commands.executeCommand<ExportOutcome>('ucore.stream.export', stream, { range: { since, until }, out });
    assert.strictEqual(ex.written, 6);
    assert.strictEqual(ex.masked, 0);
    assert.strictEqual(ex.maskedBy, 'nothing');

    const copy = unique('copy');
    const imp = await vscode.commands.executeCommand<ImportResult>('ucore.transfer.import', undefined, { file: out, target: { kind: 'stream', name: copy }, rate: 1000 });
    assert.strictEqual(imp.sent, 6);
    assert.strictEqual(imp.aborted, false);
    assert.deepStrictEqual({ ...imp.byTarget }, { [`stream ${copy}`]: 6 });
    const copied = await redis.xrange(copy, '-', '+');
    assert.deepStrictEqual(copied.map(([, f]) => f[f.indexOf('event') + 1]), texts.slice(3, 9), 'the texts as written (12.0 stays 12.0)');

    // The same file to a channel: a subscriber hears every event, in order.
    const channel = unique('imported');
    const sub = new Redis(srv.url);
    const heard: string[] = [];
    try {
      await sub.subscribe(channel);
      sub.on('message', (_c: string, t: string) => heard.push(t));
      const toChannel = await vscode.commands.executeCommand<ImportResult>('ucore.transfer.import', vscode.Uri.file(out), { target: { kind: 'channel', name: channel }, rate: null });
      assert.strictEqual(toChannel.sent, 6);
      await eventually('six events on the channel', () => heard.length === 6);
      assert.deepStrictEqual(heard.map((t) => (JSON.parse(t) as { data: { order_id: string } }).data.order_id), ['o3', 'o4', 'o5', 'o6', 'o7', 'o8']);
    } finally {
      sub.disconnect();
    }
  });

  it('Export Search Results writes the matches shown, oldest first, and every match of the search when asked', async () => {
    const a = await api();
    await a.services.connections.setActive(plain);
    await a.services.requireConnection();
    const found = await vscode.commands.executeCommand<{ ids: string[] }>('ucore.stream.search', stream, { expression: 'data.total_price > 60.0', reverse: true, limit: 3 });
    assert.deepStrictEqual(found.ids, [ids[11], ids[10], ids[9]]);
    const out = join(dir, 'results.ndjson');
    const shown = await vscode.commands.executeCommand<ExportOutcome>('ucore.search.exportResults', { out });
    assert.strictEqual(shown.written, 3);
    assert.deepStrictEqual(lines(out).map((l) => l.id), [ids[9], ids[10], ids[11]]);
    const every = join(dir, 'every.ndjson');
    const all = await vscode.commands.executeCommand<ExportOutcome>('ucore.search.exportResults', { range: 'allMatches', out: every });
    assert.strictEqual(all.written, 6, 'totals 72.0 … 132.0');
    assert.deepStrictEqual(lines(every).map((l) => l.id), ids.slice(6));
  });

  it('Import NDJSON dry run says how many go where and which lines are not events, and sends nothing', async () => {
    const a = await api();
    await a.services.connections.setActive(plain);
    await a.services.requireConnection();
    const out = join(dir, 'dry.ndjson');
    await vscode.commands.executeCommand<ExportOutcome>('ucore.stream.export', stream, { range: 'all', out });
    writeFileSync(out, `${readFileSync(out, 'utf8')}{"kind": "stream", broken\nnot json at all\n`);
    const target = unique('never');
    const dry = await vscode.commands.executeCommand<ImportResult>('ucore.transfer.import', undefined, { file: out, target: { kind: 'stream', name: target }, dryRun: true });
    assert.strictEqual(dry.dryRun, true);
    assert.strictEqual(dry.sent, 12);
    assert.deepStrictEqual({ ...dry.byTarget }, { [`stream ${target}`]: 12 });
    assert.strictEqual(dry.problems, 2);
    assert.deepStrictEqual(dry.problemLines.map((p) => p.line), [13, 14]);
    // Where each was recorded: the stream it came from.
    const recorded = await vscode.commands.executeCommand<ImportResult>('ucore.transfer.import', undefined, { file: out, target: 'recorded', dryRun: true });
    assert.deepStrictEqual({ ...recorded.byTarget }, { [`stream ${stream}`]: 12 });
    assert.strictEqual(await redis.exists(target), 0, 'a dry run sends nothing');
    assert.strictEqual(await redis.xlen(stream), 12, 'nor to the recorded stream');
  });
});

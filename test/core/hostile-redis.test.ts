// Hostile input against a real redis-server: hostile payloads (script in every field, __proto__ keys, control
// characters, broken JSON, invalid UTF-8 bytes, 100,000-level nesting, a 10 MB event) on hostile channel names
// (64 KiB, control characters, markup, __proto__) are published through the adapter, the transport and the CLI,
// and read back by a running EventMonitor, by `ucore tail` (JSON and human output) and through the store
// (`EventStore.get`, `ucore store get`, `ucore tail --stream`). Nothing crashes, every message is counted and
// printed once, memory stays bounded, human output carries no raw control characters, prototypes stay clean.
import { untilSubscribed } from '../support/subscribed';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import Redis from 'ioredis';
import { EventAdapter } from '../../src/core/adapter';
import { UCoreError } from '../../src/core/errors';
import { EventMonitor } from '../../src/core/monitor/index';
import { EventStore } from '../../src/core/store/event-store';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { assertNoPollution, deepNesting, hostileEventText, hostilePayload, hostileString, hugePayloads, prototypeSnapshot } from '../support/hostile';

const CLI = resolve(__dirname, '..', '..', 'cli.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

interface CliRun { code: number | null; stdout: string; stderr: string }
/**
 * Runs the CLI with stdout into a file (files are written synchronously; the CLI's output through a pipe is tested on
 * its own below), stderr through a pipe.
 */
function cli(args: string[], timeoutMs = 60_000): { done: Promise<CliRun> } {
  const dir = mkdtempSync(join(tmpdir(), 'ucore-hostile-'));
  const outFile = join(dir, 'stdout');
  const fd = openSync(outFile, 'w');
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, UCORE_REDIS_URL: '' }, stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return {
    done: new Promise((r) => child.on('exit', (code) => {
      clearTimeout(timer);
      const stdout = readFileSync(outFile, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      r({ code, stdout, stderr });
    })),
  };
}

describe('hostile input through a real redis-server', () => {
  let srv: RedisServerHandle;
  let protoBefore: string;
  before(async () => { protoBefore = prototypeSnapshot(); srv = await startRedisServer(); });
  after(async () => { await srv.stop(); assertNoPollution(protoBefore); });

  it('pub/sub: the monitor and `ucore tail` read every hostile message without crashing', { timeout: 120_000 }, async () => {
    const channels = [
      ...fc.sample(hostileString.filter((s) => s.length > 0), { numRuns: 60, seed: 11 }),
      'x'.repeat(64 * 1024), '\u001b[2J\u001b]0;pwned\u0007', '<script>alert(1)</script>', '__proto__', 'constructor', 'a\nb\r\nc', '\u202eevil',
    ];
    const payloads = [
      ...fc.sample(hostilePayload, { numRuns: 400, seed: 7 }),
      ...deepNesting(1000), ...deepNesting(100_000), ...hugePayloads(10 * 1024 * 1024).slice(0, 1),
    ];
    const monT = new RedisTransport({ url: srv.url });
    await monT.connect();
    const monitor = new EventMonitor(monT, { patterns: ['*'], recentCapacity: 100, recentPayloadChars: 4096, maxChannels: 50, maxTypes: 50 });
    await monitor.start();
    const total = payloads.length + channels.length + 3;
    const tailJ = cli(['tail', '*', '--pattern', '--count', String(total), '--json', '--url', srv.url]);
    const tailH = cli(['tail', '*', '--pattern', '--count', String(total), '--url', srv.url]);
    await untilSubscribed(srv.url, { patternClients: 3 }); // the monitor and both tails

    const pub = await EventAdapter.connect(srv.url);
    const raw = new Redis({ port: srv.port, host: '127.0.0.1' });
    raw.on('error', () => undefined);
    let published = 0;
    for (let i = 0; i < payloads.length; i++) {
      await pub.transport.publish(channels[i % channels.length], payloads[i]);
      published++;
    }
    for (const ch of channels) {
      await pub.publishJson(ch, { event_type: ch.slice(0, 300), entity_id: ch.slice(0, 100), data: { ch } });
      published++;
    }
    // Bytes that are not UTF-8 at all, on the wire as they are.
    await raw.publish(Buffer.from([0xff, 0xfe, 0x00, 0x1b]), Buffer.from([0xc0, 0x80, 0xed, 0xa0, 0x80, 0xff]));
    await raw.publish('bin', Buffer.from('{"event_type":"\xff\xfe\x1b[31m"}', 'latin1'));
    await raw.publish('bin', Buffer.alloc(1024, 0));
    published += 3;
    assert.equal(published, total);

    for (let i = 0; i < 500 && monitor.eventsSeen < total; i++) await sleep(20);
    const snap = monitor.snapshot({ top: 100, recent: 100 });
    assert.equal(monitor.eventsSeen, total, 'the monitor counted every message');
    assert.ok(snap.trackedChannels <= 50 && snap.trackedTypes <= 50 && snap.recent.length <= 100);
    assert.ok(snap.recent.every((e) => e.payload.length <= 4096));
    JSON.stringify(snap);
    await monitor.stop();
    await monT.close();

    const [j, h] = await Promise.all([tailJ.done, tailH.done]);
    assert.equal(j.code, 0, j.stderr.slice(0, 2000));
    assert.equal(h.code, 0, h.stderr.slice(0, 2000));
    const jsonLines = j.stdout.split('\n').filter(Boolean);
    if (jsonLines.length !== total) {
      const seen = new Set(jsonLines.map((l) => { const o = JSON.parse(l) as { channel: string; raw?: string; event?: unknown }; return o.channel; }));
      console.log('MISSING channels sample:', channels.filter((c) => !seen.has(c)).slice(0, 10).map((c) => JSON.stringify(c.slice(0, 50))));
      console.log('stderr', j.stderr.slice(0, 3000));
    }
    assert.equal(jsonLines.length, total, 'tail --json printed one line per message');
    for (const l of jsonLines) JSON.parse(l);
    const humanLines = h.stdout.split('\n').filter(Boolean);
    assert.equal(humanLines.length, total, 'tail printed one line per message');
    assert.ok(humanLines.every((l) => !RAW_CONTROL.test(l)), 'no raw control characters reach the terminal');
    assert.ok(humanLines.every((l) => l.length < 2000), 'human lines are cut');
    await pub.close();
    raw.disconnect();
    console.log(`FIGURE: hostile pub/sub on redis: ${total} messages on ${channels.length} hostile channels (64 KiB name, 10 MB and 100,000-level payloads, raw invalid UTF-8): monitor counted ${monitor.eventsSeen}, tail --json ${jsonLines.length} lines, tail ${humanLines.length} lines, 0 crashes`);
  });

  it('store: hostile events are appended or refused with a typed error, and read back by the core and the CLI', { timeout: 60_000 }, async () => {
    const t = new RedisTransport({ url: srv.url });
    await t.connect();
    const store = new EventStore(t, { streamKey: 'hostile_store', publishChannel: null });
    let stored = 0;
    let refused = 0;
    for (const text of fc.sample(hostileEventText, { numRuns: 500, seed: 3 })) {
      const value = JSON.parse(text) as unknown;
      try {
        await store.append(value as Record<string, unknown>);
        stored++;
      } catch (e) {
        assert.ok(e instanceof UCoreError, String(e));
        refused++;
      }
    }
    // Entries other apps wrote directly: hostile field names, no `event` field, binary, broken JSON.
    const direct = fc.sample(fc.tuple(fc.oneof(hostileString, fc.constant('event')), fc.oneof(hostilePayload, hostileString)), { numRuns: 200, seed: 5 });
    for (const [k, v] of direct) {
      const fields: Record<string, string> = Object.create(null);
      fields[k || 'empty'] = v;
      await t.xadd('hostile_store', fields);
    }
    const raw = new Redis({ port: srv.port, host: '127.0.0.1' });
    raw.on('error', () => undefined);
    await raw.xadd('hostile_store', '*', Buffer.from([0xff, 0x00]), Buffer.from([0xc0, 0x80]));
    await raw.xadd('hostile_store', '*', 'event', deepNesting(100_000)[2]);
    raw.disconnect();
    const expected = stored + direct.length + 2;
    const all = await store.get({ limit: 100_000 });
    assert.equal(all.length, expected);
    const bad = all.filter((e) => e.error !== undefined).length;
    const cliGet = await cli(['store', 'get', '--store-key', 'hostile_store', '--limit', '100000', '--json', '--url', srv.url]).done;
    const cliGetHuman = await cli(['store', 'get', '--store-key', 'hostile_store', '--limit', '100000', '--url', srv.url]).done;
    const cliTail = await cli(['tail', '--stream', 'hostile_store', '--from-start', '--count', String(expected), '--json', '--url', srv.url]).done;
    for (const [label, r] of [['store get --json', cliGet], ['store get', cliGetHuman], ['tail --stream --json', cliTail]] as const) {
      assert.equal(r.code, 0, `${label}: ${r.stderr.slice(0, 1000)}`);
      const lines = r.stdout.split('\n').filter(Boolean);
      assert.ok(lines.length >= expected - 1, `${label}: ${lines.length} lines for ${expected} entries`);
      if (label.includes('json')) for (const l of lines) JSON.parse(l);
      else assert.ok(lines.every((l) => !RAW_CONTROL.test(l)), `${label}: raw control characters`);
    }
    await t.close();
    console.log(`FIGURE: hostile store on redis: ${stored} hostile events stored, ${refused} refused with a typed error, ${direct.length + 2} foreign entries; read back ${all.length} (${bad} flagged malformed) by the core and by ucore store get / tail --stream`);
  });

  it('huge and hostile stream names: the store, the monitor\'s sampler, `ucore stats` and `ucore tail --stream`', { timeout: 60_000 }, async () => {
    const names = ['s'.repeat(64 * 1024), 'stream:\u001b[2J<script>alert(1)</script>\u0007', '__proto__', 'constructor:\r\n'];
    const t = new RedisTransport({ url: srv.url });
    await t.connect();
    for (const name of names) {
      const store = new EventStore(t, { streamKey: name, publishChannel: null });
      await store.append({ event_type: '<img src=x onerror=alert(1)>', entity_id: name.slice(0, 200), data: { name } });
      assert.equal((await store.get()).length, 1);
      await t.xgroupCreate(name, '<b>group</b>\u001b', '0');
    }
    const monitor = new EventMonitor(t, { patterns: ['nothing-here'], streams: names });
    await monitor.sampleStreams();
    const samples = monitor.snapshot().streams;
    assert.equal(samples.length, names.length);
    assert.ok(samples.every((x) => x.exists && x.length === 1 && !x.error), JSON.stringify(samples.map((x) => x.error)));
    JSON.stringify(monitor.snapshot());
    const stats = await cli(['stats', '--url', srv.url]).done;
    const statsJson = await cli(['stats', '--json', '--url', srv.url]).done;
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(statsJson.code, 0, statsJson.stderr);
    assert.ok(stats.stdout.split('\n').every((l) => !RAW_CONTROL.test(l) && l.length < 1000), 'stats lines are escaped and cut');
    const listed = (JSON.parse(statsJson.stdout) as { streams: Array<{ key: string }> }).streams.map((x) => x.key);
    for (const name of names) assert.ok(listed.includes(name), `stats --json lists ${JSON.stringify(name.slice(0, 40))}`);
    for (const name of names) {
      const tail = await cli(['tail', '--stream', name, '--from-start', '--count', '1', '--url', srv.url], 20_000).done;
      assert.equal(tail.code, 0, tail.stderr.slice(0, 500));
      assert.ok(!RAW_CONTROL.test(tail.stdout) && tail.stdout.trim().split('\n').length === 1, tail.stdout.slice(0, 500));
    }
    await t.close();
    console.log(`FIGURE: hostile stream names on redis: ${names.length} streams (one 64 KiB name, control characters, markup, __proto__) stored, read, sampled by the monitor, listed by ucore stats and tailed by ucore tail --stream`);
  });

  it('CLI output through a pipe is complete (ucore store get --json | slow reader)', {
    timeout: 60_000,
  }, async () => {
    const t = new RedisTransport({ url: srv.url });
    await t.connect();
    const store = new EventStore(t, { streamKey: 'pipe_store', publishChannel: null });
    await store.appendBatch(Array.from({ length: 20_000 }, (_, i) => ({ event_type: 'piped', data: { i, pad: 'p'.repeat(200) } })));
    await t.close();
    const lines = await new Promise<string>((r, j) => execFile('sh', ['-c', `"${process.execPath}" "${CLI}" store get --store-key pipe_store --limit 100000 --json --url ${srv.url} | (sleep 1; wc -l)`],
      (e, out) => (e ? j(e) : r(out.trim()))));
    assert.equal(Number(lines), 20_000);
  });
});

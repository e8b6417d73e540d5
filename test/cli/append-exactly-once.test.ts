// `ucore store append --file` and `publish --file --store` store every line exactly once while redis-server is
// SIGKILLed (appendonly, fsync always) and restarted under them; a run that gives up names the line and producer to
// resume from, and the resumed run stores only what is missing.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { runCli, ucore } from '../support/cli-process';
import { RedisTransport } from '../../src/core/transport/redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'ucore-append-'));

function writeEvents(name: string, n: number, label: string): string {
  const file = join(dir, name);
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    lines.push(JSON.stringify({ event_type: 'order_created', entity_id: `order:${i % 101}`, data: { line: i, label } }));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** How often each `data.line` is stored in the stream (read straight from it). */
async function storedLines(url: string, stream: string): Promise<Map<number, number>> {
  const t = new RedisTransport({ url });
  await t.connect();
  try {
    const counts = new Map<number, number>();
    let start = '-';
    for (;;) {
      const page = await t.xrange(stream, start, '+', 10_000);
      for (const e of page) {
        const line = (JSON.parse(e.fields.event) as { data: { line: number } }).data.line;
        counts.set(line, (counts.get(line) ?? 0) + 1);
      }
      if (page.length < 10_000) return counts;
      start = `(${page[page.length - 1].id}`;
    }
  } finally {
    await t.close();
  }
}

async function lengthOf(url: string, stream: string): Promise<number> {
  const t = new RedisTransport({ url, connectTimeoutMs: 500 });
  try {
    await t.connect();
    return await t.xlen(stream);
  } catch {
    return -1;
  } finally {
    await t.close().catch(() => undefined);
  }
}

function twice(counts: Map<number, number>): number {
  let n = 0;
  for (const c of counts.values()) n += c - 1;
  return n;
}

describe('CLI appends exactly once across a server crash', () => {
  const servers: RedisServerHandle[] = [];
  after(async () => { for (const s of servers) await s.stop(); });

  for (const how of ['store append', 'publish --store'] as const) {
    it(`${how} --file of 60,000 lines: server SIGKILLed mid-file and restarted → exit 0, 60,000 stored, 0 twice`, { timeout: 180_000 }, async () => {
      let srv = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
      servers.push(srv);
      const stream = how === 'store append' ? 'event_store' : 'pub_store';
      const file = writeEvents(`${stream}.ndjson`, 60_000, how);
      const args = how === 'store append'
        ? ['store', 'append', '--file', file, '--url', srv.url, '--json']
        : ['publish', 'orders', '--file', file, '--store', '--store-key', stream, '--url', srv.url, '--json'];
      const run = ucore(args, { timeoutMs: 170_000 });
      // Kill once a tenth of the file is in.
      for (let i = 0; i < 600; i++) {
        const n = await lengthOf(srv.url, stream);
        if (n >= 6000) break;
        await sleep(20);
      }
      const before = await lengthOf(srv.url, stream);
      assert.ok(before > 0 && before < 60_000, `killed mid-file (${before} stored)`);
      await srv.kill();
      await sleep(700);
      srv = await srv.restart();
      servers.push(srv);
      const r = await run.done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /retrying/, 'the CLI said it was retrying');
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
      assert.equal(summary.badLines, 0);
      const counts = await storedLines(srv.url, stream);
      assert.equal(counts.size, 60_000, 'every line stored');
      assert.equal(twice(counts), 0, 'no line stored twice');
      // The indexes too: every stored event indexed exactly once.
      const t = new RedisTransport({ url: srv.url });
      await t.connect();
      let indexed = 0;
      for (let e = 0; e < 101; e++) indexed += await t.xlen(`${stream}:idx:entity:order:${e}`);
      await t.close();
      assert.equal(indexed, 60_000, 'entity indexes hold each event once');
      console.log(`FIGURE: ${how}: killed after ${before} of 60,000 stored; exit 0 with 60,000 stored, 0 twice`);
    });
  }

  it('gives up after --retry-for naming the line and producer to resume with; the resumed run stores only the rest', { timeout: 120_000 }, async () => {
    let srv = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    servers.push(srv);
    const file = writeEvents('resume.ndjson', 30_000, 'resume');
    const run = ucore(['store', 'append', '--file', file, '--url', srv.url, '--retry-for', '1'], { timeoutMs: 60_000 });
    for (let i = 0; i < 600 && (await lengthOf(srv.url, 'event_store')) < 3000; i++) await sleep(20);
    await srv.kill();
    const r = await run.done;
    assert.equal(r.code, 1);
    const m = /Resume with: --from-line (\d+) --producer (\S+)/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'one clear line, no stack trace');
    srv = await srv.restart();
    servers.push(srv);
    const storedBefore = await storedLines(srv.url, 'event_store');
    const line = Number(m[1]);
    for (let l = 1; l < line; l++) assert.equal(storedBefore.get(l), 1, `line ${l} (before the named one) is stored`);
    const resumed = await runCli(['store', 'append', '--file', file, '--url', srv.url, '--from-line', m[1], '--producer', m[2], '--json'], { timeoutMs: 60_000 });
    assert.equal(resumed.code, 0, resumed.stderr);
    const counts = await storedLines(srv.url, 'event_store');
    assert.equal(counts.size, 30_000);
    assert.equal(twice(counts), 0, 'chunks the first run had stored after the named line were recognised, not stored again');
    const usage = await runCli(['store', 'append', '--file', file, '--url', srv.url, '--from-line', '5']);
    assert.equal(usage.code, 2, 'resuming without the producer is refused');
  });
});

// Secrets (core and CLI): a password given in the URL, percent-encoded in the URL, as an option or through
// UCORE_REDIS_PASSWORD is used — successfully and unsuccessfully — and then searched for in everything the core and
// the CLI show: the CLI's stdout and stderr (also with --verbose, on usage errors, across a server restart), the
// core's error messages, stacks and util.inspect of errors (ioredis keeps the failed AUTH command's arguments on its
// error), the logger's output and the status details. Not found anywhere, in any of its forms.
import { untilSubscribed } from '../support/subscribed';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { EventAdapter } from '../../src/core/adapter';
import type { Logger } from '../../src/core/logger';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const CLI = resolve(__dirname, '..', '..', 'cli.js');
// URL-special characters on purpose: the encoded form must not leak either.
const PW = 'Sekr1t@Pa55:w/rd%21-xyzzy';
const SVC_PW = 'Svc-Pa55-plugh-42';
const WRONG_PW = 'Wr0ng-Pa55-frotz';
const ROTATED_PW = 'R0tated-Pa55-gnusto';
const FORMS = [PW, encodeURIComponent(PW), SVC_PW, WRONG_PW, ROTATED_PW, 'Pa55'];
const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertClean(where: string, text: string): void {
  for (const f of FORMS) assert.ok(!text.includes(f), `${where} contains a password form "${f}":\n${text.slice(0, 2000)}`);
}

interface CliRun { code: number | null; stdout: string; stderr: string }
function cli(args: string[], env: Record<string, string> = {}): { done: Promise<CliRun>; child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, UCORE_REDIS_URL: '', UCORE_REDIS_PASSWORD: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return { child, done: new Promise((r) => child.on('exit', (code) => { clearTimeout(timer); r({ code, stdout, stderr }); })) };
}
const run = (args: string[], env?: Record<string, string>) => cli(args, env).done;

function capturing(lines: string[]): Logger {
  const add = (l: string) => (m: string) => { lines.push(`${l} ${m}`); };
  return { trace: add('trace'), debug: add('debug'), info: add('info'), warn: add('warn'), error: add('error') };
}

describe('secrets: the password never shows', () => {
  let srv: RedisServerHandle;
  let url: string;
  let bare: string;
  before(async () => {
    srv = await startRedisServer({ args: ['--requirepass', PW] });
    bare = `redis://127.0.0.1:${srv.port}`;
    url = `redis://:${enc(PW)}@127.0.0.1:${srv.port}`;
    const admin = new RedisTransport({ url });
    await admin.connect();
    await (admin as unknown as { run(fn: (c: { call(...a: string[]): Promise<unknown> }) => Promise<unknown>): Promise<unknown> })
      .run((c) => c.call('ACL', 'SETUSER', 'svc', 'on', `>${SVC_PW}`, '~*', '&*', '+@all'));
    await admin.close();
  });
  after(async () => { await srv?.stop(); });

  it('CLI: successful and failing commands, --verbose, env password, usage errors: not in stdout or stderr', { timeout: 120_000 }, async () => {
    const svcUrl = `redis://svc:${SVC_PW}@127.0.0.1:${srv.port}`;
    const tail = cli(['tail', 'secret-ch', '--count', '2', '--json', '--verbose', '--url', url]);
    await untilSubscribed(url, { channel: 'secret-ch' });
    // One at a time: a dozen CLI processes started together on a loaded 2-core machine outran the hang guard.
    const runs: Array<[string, () => Promise<CliRun>, number | 'fail']> = [
      ['publish --verbose', () => run(['publish', 'secret-ch', '{"event_type":"a"}', '--verbose', '--url', url]), 0],
      ['publish, password from UCORE_REDIS_PASSWORD', () => run(['publish', 'secret-ch', '{"event_type":"b"}', '--verbose', '--url', bare], { UCORE_REDIS_PASSWORD: PW }), 0],
      ['store append', () => run(['store', 'append', '{"event_type":"c","entity_id":"e1"}', '--verbose', '--url', url]), 0],
      ['stats, URL from UCORE_REDIS_URL', () => run(['stats', '--verbose', '--json'], { UCORE_REDIS_URL: url }), 0],
      ['dedup check', () => run(['dedup', 'check', '{"event_type":"d"}', '--verbose', '--url', svcUrl]), 0],
      ['wrong password', () => run(['stats', '--verbose', '--url', `redis://:${WRONG_PW}@127.0.0.1:${srv.port}`]), 'fail'],
      ['wrong password from env', () => run(['stats', '--verbose', '--url', bare], { UCORE_REDIS_PASSWORD: WRONG_PW }), 'fail'],
      ['wrong ACL password', () => run(['stats', '--url', `redis://svc:${WRONG_PW}@127.0.0.1:${srv.port}`]), 'fail'],
      ['usage error', () => run(['publish', '--verbose', '--url', url]), 'fail'],
      ['unknown option', () => run(['stats', '--bogus', '--url', url]), 'fail'],
      ['malformed URL with a password', () => run(['stats', '--url', `redis://:${enc(PW)}@127.0.0.1:notaport`]), 'fail'],
      ['guide comma form, bad option', () => run(['stats', '--url', `redis://127.0.0.1:${srv.port},password=${enc(PW)},bogus`]), 'fail'],
    ];
    for (const [label, start, expect] of runs) {
      const r = await start();
      if (expect === 'fail') assert.notEqual(r.code, 0, `${label} should fail`);
      else assert.equal(r.code, expect, `${label}: ${r.stderr}`);
      assertClean(`${label}: stdout`, r.stdout);
      assertClean(`${label}: stderr`, r.stderr);
    }
    const store = await run(['store', 'get', '--entity', 'e1', '--json', '--url', url]);
    assert.equal(store.code, 0, store.stderr);
    assertClean('store get', store.stdout + store.stderr);
    const replayed = await run(['replay', '--limit', '5', '--to-url', svcUrl, '--to-channel', 'replayed', '--verbose', '--url', url]);
    assert.equal(replayed.code, 0, replayed.stderr);
    assertClean('replay --to-url', replayed.stdout + replayed.stderr);
    const t = await tail.done;
    assert.equal(t.code, 0, t.stderr);
    assertClean('tail --verbose', t.stdout + t.stderr);
  });

  it('CLI: tail --verbose across a server restart logs reconnecting without the password', { timeout: 30_000 }, async () => {
    const tail = cli(['tail', 'restart-ch', '--count', '1', '--verbose', '--url', url]);
    await untilSubscribed(url, { channel: 'restart-ch' });
    await srv.kill();
    await sleep(500);
    srv = await srv.restart();
    const pub = new RedisTransport({ url });
    await pub.connect();
    let r: CliRun | undefined;
    tail.done.then((x) => { r = x; }, () => undefined);
    for (let i = 0; i < 200 && !r; i++) {
      await pub.publish('restart-ch', '{"event_type":"after_restart"}').catch(() => undefined);
      await sleep(50);
    }
    await pub.close();
    r ??= await tail.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /after_restart/);
    assert.match(r.stderr, /reconnecting/, 'verbose shows the reconnect');
    assertClean('tail across a restart', r.stdout + r.stderr);
  });

  it('core: errors (message, stack, inspect), logs and status details hold no password', { timeout: 30_000 }, async () => {
    const log: string[] = [];
    const details: string[] = [];
    const logger = capturing(log);
    const errors: unknown[] = [];
    const tryConnect = async (u: string, extra: Partial<ConstructorParameters<typeof RedisTransport>[0]> = {}) => {
      const t = new RedisTransport({ url: u, logger, connectTimeoutMs: 1000, commandTimeoutMs: 2000, ...extra });
      t.onStatus((s, d) => details.push(`${s} ${d ?? ''}`));
      try {
        await t.connect();
        return t;
      } catch (e) {
        errors.push(e);
        return null;
      }
    };
    assert.equal(await tryConnect(`redis://:${WRONG_PW}@127.0.0.1:${srv.port}`), null);
    assert.equal(await tryConnect(bare, { password: WRONG_PW }), null);
    assert.equal(await tryConnect(`redis://svc:${WRONG_PW}@127.0.0.1:${srv.port}/1`), null);
    assert.equal(await tryConnect(`rediss://:${enc(PW)}@127.0.0.1:${srv.port}`), null);
    for (const bad of [`redis://:${enc(PW)}@127.0.0.1:notaport`, `redis://127.0.0.1:${srv.port},password=${enc(PW)},x`, `ftp://:${enc(PW)}@host`]) {
      try { new RedisTransport({ url: bad, logger }); } catch (e) { errors.push(e); }
    }
    assert.equal(errors.length, 7);

    // A connection that works, is used, loses its server, and comes back to a server whose password was rotated.
    const good = await tryConnect(url, { maxReconnectDelayMs: 100 });
    assert.ok(good);
    const adapter = new EventAdapter(good, logger);
    // The objects themselves, as a careless console.log or a crash reporter would print them.
    assertClean('util.inspect(transport)', inspect(good, { depth: 10 }));
    assertClean('util.inspect(adapter)', inspect(adapter, { depth: 10 }));
    assertClean('JSON.stringify(transport)', JSON.stringify(good));
    await adapter.subscribe('core-ch', () => undefined);
    await adapter.publishJson('core-ch', { event_type: 'x' });
    await srv.kill();
    for (let i = 0; i < 100 && good.status !== 'reconnecting'; i++) await sleep(10);
    try { await good.ping(); } catch (e) { errors.push(e); }
    srv = await startRedisServer({ port: srv.port, dir: srv.dir, args: ['--requirepass', ROTATED_PW] });
    await sleep(1500);
    try { await good.ping(); } catch (e) { errors.push(e); }
    const rotated = log.join('\n');
    await adapter.close();
    await srv.stop();
    srv = await startRedisServer({ port: srv.port, args: ['--requirepass', PW] });

    for (const e of errors) {
      const err = e as Error;
      assertClean('error message', err.message);
      assertClean('error stack', String(err.stack));
      assertClean('util.inspect(error)', inspect(err, { depth: 8 }));
      assertClean('String(error)', String(err));
    }
    assertClean('logger output', log.join('\n'));
    assertClean('status details', details.join('\n'));
    assert.match(rotated, /WRONGPASS|authentication|reconnecting/i, 'the rotated password shows up as an auth problem in the log');
    console.log(`FIGURE: secrets: ${errors.length} errors, ${log.length} log lines, ${details.length} status details searched for ${FORMS.length} password forms: none found`);
  });
});

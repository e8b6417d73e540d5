// Bad configuration, from the core (RedisTransport.connect) and from the CLI (`node dist/cli.js stats --url …`):
// malformed URL, wrong password, wrong / disabled / under-privileged ACL user, unreachable port, a port that never
// answers, TLS to a plain port, plain to a TLS port, bad db index. Each gives one clear, typed error within the
// timeout, and never the password. TLS is real: redis-server --tls-port with certificates made by openssl
// (test/support/tls.ts). Verification is on by default (no CA → fails); turning it off is explicit and warned.
// (adapter.test.ts has the basic refused/auth/timeout table; this file adds ACL, TLS both ways, the CLI.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { RedisTransport, type RedisTransportOptions } from '../../src/core/transport/redis';
import type { Logger } from '../../src/core/logger';
import { freePort, startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { makeTestCertificates, tlsServerArgs, type TestCertificates } from '../support/tls';

const CLI = resolve(__dirname, '..', '..', 'cli.js');
const PASSWORD = 'Pl4in-S3cret-pw';
const ALICE_PW = 'Al1ce-S3cret-pw';
const SECRETS = [PASSWORD, ALICE_PW, 'wrong-Pw-123', 'limited-Pw-456', 'nope-Pw-789'];
const CONNECT_TIMEOUT = 1000;
/** connect timeout + the core's 500 ms grace + a margin for a loaded machine. */
const BOUND = CONNECT_TIMEOUT + 500 + 1000;

interface Outcome { code: string; message: string; ms: number; warnings: string[] }

function capturingLogger(lines: string[]): Logger {
  const add = (level: string) => (m: string) => { lines.push(`${level} ${m}`); };
  return { trace: add('trace'), debug: add('debug'), info: add('info'), warn: add('warn'), error: add('error') };
}

async function attempt(url: string, extra: Partial<RedisTransportOptions> = {}): Promise<Outcome> {
  const log: string[] = [];
  const started = Date.now();
  try {
    const t = new RedisTransport({ url, connectTimeoutMs: CONNECT_TIMEOUT, logger: capturingLogger(log), ...extra });
    await t.connect();
    await t.ping();
    await t.close();
    return { code: 'CONNECTED', message: '', ms: Date.now() - started, warnings: log.filter((l) => l.startsWith('warn')) };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    for (const s of SECRETS) {
      assert.ok(!String(err.message).includes(s), `the error message of ${url} holds a password: ${err.message}`);
      assert.ok(!log.join('\n').includes(s), `the log of ${url} holds a password`);
    }
    return { code: err.code ?? 'NONE', message: String(err.message), ms: Date.now() - started, warnings: log.filter((l) => l.startsWith('warn')) };
  }
}

interface CliRun { code: number | null; stdout: string; stderr: string; ms: number }

function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, UCORE_REDIS_URL: '', UCORE_REDIS_PASSWORD: '', NODE_EXTRA_CA_CERTS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((r) => child.on('exit', (code) => { clearTimeout(timer); r({ code, stdout, stderr, ms: Date.now() - started }); }));
}

describe('faults: bad configuration gives a clear error within the timeout', () => {
  let certs: TestCertificates;
  let plain: RedisServerHandle;
  let tls: RedisServerHandle;
  let silent: Server;
  let silentPort: number;
  let closedPort: number;

  before(async () => {
    certs = makeTestCertificates();
    plain = await startRedisServer({ args: ['--requirepass', PASSWORD] });
    const tlsPort = await freePort();
    tls = await startRedisServer({ port: tlsPort, args: [...tlsServerArgs(certs, tlsPort), '--requirepass', PASSWORD] });
    const admin = new RedisTransport({ url: `redis://:${PASSWORD}@127.0.0.1:${plain.port}` });
    await admin.connect();
    const acl = (args: string[]) => (admin as unknown as { run(fn: (c: { call(...a: string[]): Promise<unknown> }) => Promise<unknown>): Promise<unknown> })
      .run((c) => c.call('ACL', 'SETUSER', ...args));
    await acl(['alice', 'on', `>${ALICE_PW}`, '~*', '&*', '+@all']);
    await acl(['limited', 'on', '>limited-Pw-456', '~*', '+ping', '+auth', '+hello', '+client', '+info']);
    await acl(['gone', 'off', '>nope-Pw-789', '~*', '+@all']);
    await admin.close();
    silent = createServer(() => { /* accepts and never answers */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
    closedPort = await freePort();
  });
  after(async () => {
    await plain?.stop();
    await tls?.stop();
    silent?.close();
    certs?.cleanup();
  });

  it('core: every case is a typed error with a clear message, within the timeout, without the password', { timeout: 30_000 }, async () => {
    const p = plain.port;
    const t = tls.port;
    const cases: Array<[label: string, url: string, extra: Partial<RedisTransportOptions>, code: string, re: RegExp]> = [
      ['malformed: not a port', `redis://:${PASSWORD}@127.0.0.1:notaport`, {}, 'BAD_URL', /not a valid URL|bad port/],
      ['malformed: other scheme', `http://:${PASSWORD}@127.0.0.1:${p}`, {}, 'BAD_URL', /is not a redis:\/\/, rediss:\/\/, redis\+cluster:\/\/ or redis\+sentinel:\/\/ URL/],
      ['malformed: port out of range', `redis://alice:${ALICE_PW}@127.0.0.1:99999`, {}, 'BAD_URL', /not a valid URL|bad port/],
      ['malformed: db not a number', `redis://:${PASSWORD}@127.0.0.1:${p}/abc`, {}, 'BAD_URL', /bad database index/],
      ['malformed: guide comma option', `redis://127.0.0.1:${p},password`, {}, 'BAD_URL', /bad option/],
      ['malformed: empty', '   ', {}, 'BAD_URL', /empty/],
      ['cluster: no seed node answers', `redis+cluster://:${PASSWORD}@127.0.0.1:1,127.0.0.1:2`, {}, 'CONNECTION_REFUSED', /(connection refused by|no seed node of) redis\+cluster:\/\/127\.0\.0\.1:1,127\.0\.0\.1:2/],
      ['cluster: a database other than 0', `redis+cluster://127.0.0.1:${p}/3`, {}, 'BAD_URL', /only database 0/],
      ['sentinel: no master name', `redis+sentinel://:${PASSWORD}@127.0.0.1:${p}`, {}, 'BAD_URL', /names no master/],
      ['wrong password', `redis://:wrong-Pw-123@127.0.0.1:${p}`, {}, 'AUTH_FAILED', /authentication failed/],
      ['no password', `redis://127.0.0.1:${p}`, {}, 'AUTH_FAILED', /authentication failed/],
      ['unknown ACL user', `redis://nobody:${PASSWORD}@127.0.0.1:${p}`, {}, 'AUTH_FAILED', /authentication failed.*invalid username-password/],
      ['ACL user, wrong password', `redis://alice:wrong-Pw-123@127.0.0.1:${p}`, {}, 'AUTH_FAILED', /authentication failed/],
      ['ACL user disabled', 'redis://gone:nope-Pw-789@127.0.0.1:' + p, {}, 'AUTH_FAILED', /authentication failed/],
      ['ACL user without SELECT', `redis://limited:limited-Pw-456@127.0.0.1:${p}/3`, {}, 'AUTH_FAILED', /no permissions to run the 'select' command/],
      ['password as an option, wrong', `redis://127.0.0.1:${p}`, { password: 'wrong-Pw-123' }, 'AUTH_FAILED', /authentication failed/],
      ['unreachable port', `redis://:${PASSWORD}@127.0.0.1:${closedPort}`, {}, 'CONNECTION_REFUSED', /connection refused/],
      ['port that never answers', `redis://:${PASSWORD}@127.0.0.1:${silentPort}`, {}, 'TIMEOUT', /timed out connecting/],
      ['bad db index', `redis://:${PASSWORD}@127.0.0.1:${p}/16`, {}, 'BAD_URL', /database index out of range/],
      ['TLS to a plain port', `rediss://:${PASSWORD}@127.0.0.1:${p}`, { tls: { ca: certs.ca } }, 'TLS', /does that port speak TLS/],
      ['plain to a TLS port', `redis://:${PASSWORD}@127.0.0.1:${t}`, {}, 'CLOSED', /use rediss:\/\//],
      ['TLS, verification on, CA not given', `rediss://:${PASSWORD}@127.0.0.1:${t}`, {}, 'TLS', /self[- ]signed certificate.*verification is on/],
      ['TLS, a CA that did not sign', `rediss://:${PASSWORD}@127.0.0.1:${t}`, { tls: { ca: certs.otherCa } }, 'TLS', /certificate.*verification is on/],
      ['TLS, name not in the certificate', `rediss://:${PASSWORD}@127.0.0.1:${t}`, { tls: { ca: certs.ca, servername: 'wrong.example' } }, 'TLS', /altnames|does not match/i],
      ['TLS, wrong password', `rediss://:wrong-Pw-123@127.0.0.1:${t}`, { tls: { ca: certs.ca } }, 'AUTH_FAILED', /authentication failed/],
      ['TLS, the right CA', `rediss://:${PASSWORD}@127.0.0.1:${t}`, { tls: { ca: certs.ca } }, 'CONNECTED', /^$/],
      ['TLS by name, the right CA', `rediss://:${PASSWORD}@localhost:${t}`, { tls: { ca: certs.ca } }, 'CONNECTED', /^$/],
      ['ACL user, right password', `redis://alice:${ALICE_PW}@127.0.0.1:${p}/2`, {}, 'CONNECTED', /^$/],
    ];
    const results = await Promise.all(cases.map(async ([label, url, extra, code, re]) => ({ label, code, re, r: await attempt(url, extra) })));
    const rows: string[] = [];
    for (const { label, code, re, r } of results) {
      assert.equal(r.code, code, `${label}: ${r.message}`);
      assert.match(r.message, re, label);
      assert.ok(r.ms < BOUND, `${label} took ${r.ms} ms`);
      assert.ok(!r.message.includes('\n'), `${label}: one line`);
      assert.deepEqual(r.warnings, [], `${label}: no warnings`);
      rows.push(`${label}: ${r.code} in ${r.ms} ms`);
    }
    console.log(`FIGURE: bad configuration (core): ${results.length} cases, slowest ${Math.max(...results.map((x) => x.r.ms))} ms (bound ${BOUND}); ${rows.join('; ')}`);
  });

  it('core: turning TLS verification off is explicit, works, and is warned about', async () => {
    const off = await attempt(`rediss://:${PASSWORD}@127.0.0.1:${tls.port}`, { tls: { rejectUnauthorized: false } });
    assert.equal(off.code, 'CONNECTED');
    assert.equal(off.warnings.length, 1, off.warnings.join('\n'));
    assert.match(off.warnings[0], /verification is OFF/);
    const on = await attempt(`rediss://:${PASSWORD}@127.0.0.1:${tls.port}`, { tls: { ca: certs.ca, rejectUnauthorized: true } });
    assert.equal(on.code, 'CONNECTED');
    assert.deepEqual(on.warnings, []);
    // `tls: true` and a rediss:// URL alone keep verification on.
    assert.equal((await attempt(`redis://:${PASSWORD}@127.0.0.1:${tls.port}`, { tls: true })).code, 'TLS');
  });

  it('CLI: `ucore stats` fails with one clear line and exit code 1 or 2, within the timeout, without the password', { timeout: 60_000 }, async () => {
    const p = plain.port;
    const t = tls.port;
    const cases: Array<[label: string, url: string, env: Record<string, string>, re: RegExp]> = [
      ['malformed URL', `redis://:${PASSWORD}@127.0.0.1:notaport`, {}, /not a valid URL|bad port/],
      ['other scheme', `http://:${PASSWORD}@127.0.0.1:${p}`, {}, /is not a redis:\/\/, rediss:\/\/, redis\+cluster:\/\/ or redis\+sentinel:\/\/ URL/],
      ['wrong password', `redis://:wrong-Pw-123@127.0.0.1:${p}`, {}, /authentication failed/],
      ['wrong password via UCORE_REDIS_PASSWORD', `redis://127.0.0.1:${p}`, { UCORE_REDIS_PASSWORD: 'wrong-Pw-123' }, /authentication failed/],
      ['unknown ACL user', `redis://nobody:${PASSWORD}@127.0.0.1:${p}`, {}, /authentication failed/],
      ['ACL user, wrong password', `redis://alice:wrong-Pw-123@127.0.0.1:${p}`, {}, /authentication failed/],
      ['unreachable port', `redis://:${PASSWORD}@127.0.0.1:${closedPort}`, {}, /connection refused/],
      ['port that never answers', `redis://:${PASSWORD}@127.0.0.1:${silentPort}`, {}, /timed out/],
      ['TLS to a plain port', `rediss://:${PASSWORD}@127.0.0.1:${p}`, {}, /does that port speak TLS|TLS/],
      ['plain to a TLS port', `redis://:${PASSWORD}@127.0.0.1:${t}`, {}, /use rediss:\/\//],
      ['TLS, CA not trusted', `rediss://:${PASSWORD}@127.0.0.1:${t}`, {}, /certificate.*verification is on/],
      ['bad db index', `redis://:${PASSWORD}@127.0.0.1:${p}/16`, {}, /database index out of range/],
    ];
    // Four at a time: twelve node start-ups at once on two cores would time the machine, not the CLI.
    const results: Array<{ label: string; re: RegExp; r: CliRun }> = [];
    for (let i = 0; i < cases.length; i += 4) {
      results.push(...await Promise.all(cases.slice(i, i + 4).map(async ([label, url, env, re]) => ({ label, re, r: await cli(['stats', '--url', url, '--timeout', String(CONNECT_TIMEOUT)], env) }))));
    }
    const rows: string[] = [];
    for (const { label, re, r } of results) {
      assert.ok(r.code === 1 || r.code === 2, `${label}: exit ${r.code}, stderr ${r.stderr}`);
      assert.match(r.stderr, re, label);
      assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('usage:')).length, 1, `${label}: one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /^\s+at /m, `${label}: no stack trace`);
      for (const s of SECRETS) assert.ok(!(r.stdout + r.stderr).includes(s), `${label}: the CLI printed a password`);
      // Node's start-up is part of it; the connect itself is bounded as in the core.
      assert.ok(r.ms < BOUND + 4000, `${label} took ${r.ms} ms`);
      rows.push(`${label}: exit ${r.code} in ${r.ms} ms`);
    }
    // The same TLS server works from the CLI once its CA is trusted (Node's NODE_EXTRA_CA_CERTS).
    const ok = await cli(['stats', '--url', `rediss://127.0.0.1:${t}`, '--json'], { UCORE_REDIS_PASSWORD: PASSWORD, NODE_EXTRA_CA_CERTS: certs.caFile });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(JSON.parse(ok.stdout.trim().split('\n')[0]).streams, ok.stdout);
    for (const s of SECRETS) assert.ok(!(ok.stdout + ok.stderr).includes(s));
    console.log(`FIGURE: bad configuration (CLI): ${results.length} cases, slowest ${Math.max(...results.map((x) => x.r.ms))} ms incl. node start-up; ${rows.join('; ')}`);
  });
});

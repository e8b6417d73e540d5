// `ucore dedup check` fingerprints the text it is given, numbers as written: the same fingerprint as the guide's
// Python generate_fingerprint on json.loads of that text (the fixture's text_cases were made by Python).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const CLI = resolve(__dirname, '..', '..', 'cli.js');
const fixture = JSON.parse(readFileSync(join(__dirname, '../../../test/fixtures/dedup-fingerprints.json'), 'utf8')) as {
  text_cases: Array<{ kind: string; text: string; fingerprint: string }>;
};

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, UCORE_REDIS_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((r) => child.on('exit', (code) => { clearTimeout(timer); r({ code, stdout, stderr }); }));
}

describe('ucore dedup check: the fingerprint of the text, as Python computes it', () => {
  it('--offline prints Python\'s fingerprint for 12.0 (the issue\'s text), -0.0, 1e+21, 1E400 and ints beyond 2^53', async () => {
    const kinds = fixture.text_cases.filter((c) => /^(integral|negative|exponent|1E400|int|big|NaN)/.test(c.kind));
    assert.equal(kinds.length, 8);
    assert.equal(kinds[0]!.text, '{"event_type":"t","user_id":5,"entity_id":"x","data":{"v":12.0}}');
    for (const c of kinds) {
      const r = await run(['dedup', 'check', '--offline', c.text]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${c.fingerprint}\n`, c.kind);
    }
  });

  it('bad text: one line naming the position, exit 1', async () => {
    const r = await run(['dedup', 'check', '--offline', '{"event_type":"t","data":{"v":12.0,}}']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ucore dedup check: not JSON: .* at position \d+\n$/);
    const arr = await run(['dedup', 'check', '--offline', '[1]']);
    assert.equal(arr.code, 1);
    assert.match(arr.stderr, /must be an object/);
  });

  describe('against a redis-server', () => {
    let srv: RedisServerHandle;
    before(async () => { srv = await startRedisServer(); });
    after(async () => { await srv?.stop(); });

    it('marks the guide\'s key for the text\'s fingerprint: new, then duplicate', async () => {
      const c = fixture.text_cases[0]!;
      const first = await run(['dedup', 'check', c.text, '--json', '--url', srv.url]);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(JSON.parse(first.stdout), { fingerprint: c.fingerprint, key: `event_idempotent:${c.fingerprint}`, duplicate: false });
      const second = await run(['dedup', 'check', c.text, '--url', srv.url]);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, `${c.fingerprint}  duplicate (seen within the last 3600 s)\n`);
    });
  });
});

// Runs the mocha suite of test/extension INSIDE a real VS Code extension host (code-server, smoke-test-driver
// mode) and fails when any of it fails. The suite's own output is printed, so failures read like mocha's.
// A private redis-server is passed to the extension host as UCORE_TEST_REDIS_URL: tests that need what only Redis
// does (another app's raw PUBLISH/XADD through ioredis) use it.
import * as assert from 'node:assert';
import { after, before, it } from 'node:test';
import { runExtensionHostTests } from './lib/ext-host-runner';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

let redis: RedisServerHandle | undefined;
before(async () => { redis = await startRedisServer(); });
after(async () => { await redis?.stop(); });

it('extension-host suite (test/extension) passes', { timeout: 360_000 }, async () => {
  const { code, output } = await runExtensionHostTests({ timeoutMs: 300_000, env: { UCORE_TEST_REDIS_URL: redis!.url } });
  console.log(output);
  assert.strictEqual(code, 0, `extension-host tests exited with ${code}`);
});

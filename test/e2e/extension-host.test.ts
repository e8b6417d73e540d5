// Runs the mocha suite of test/extension INSIDE a real VS Code extension host (code-server, smoke-test-driver
// mode) and fails when any of it fails. The suite's own output is printed, so failures read like mocha's.
import * as assert from 'node:assert';
import { it } from 'node:test';
import { runExtensionHostTests } from './lib/ext-host-runner';

it('extension-host suite (test/extension) passes', { timeout: 360_000 }, async () => {
  const { code, output } = await runExtensionHostTests({ timeoutMs: 300_000 });
  console.log(output);
  assert.strictEqual(code, 0, `extension-host tests exited with ${code}`);
});

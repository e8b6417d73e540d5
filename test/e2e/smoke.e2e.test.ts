// UI smoke test: the built extension, installed in a real VS Code (code-server), answers its command-palette
// command with a notification a user can see.
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCodeServer, type CodeServer } from './lib/code-server';
import { REPO_ROOT } from './lib/paths';
import { openWorkbench, type Workbench } from './lib/workbench';

const version: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('smoke (code-server UI)', { timeout: 180_000 }, () => {
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    server = await startCodeServer();
    wb = await openWorkbench(server.url, server.workspace);
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  it('"UCore: Show Version" shows the version in a notification', async () => {
    assert.ok(wb);
    try {
      await wb.runCommand('UCore: Show Version');
      // Version from package.json (0.1.0 today), so a version bump does not break the test.
      const expected = new RegExp(`UCore Events ${escapeRegExp(version)}`);
      const text = await wb.waitForNotification(expected);
      assert.match(text, expected);
      await wb.screenshot('smoke-version');
    } catch (e) {
      await wb.screenshot('FAILED-smoke-version').catch(() => undefined);
      throw e;
    }
  });
});

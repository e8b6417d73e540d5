// The in-host suite on a desktop VS Code, for machines that can download one (CI here cannot: it reaches only
// npm and apt, so it uses code-server, see test/e2e/extension-host.test.ts).
//   node esbuild.mjs && node dist/test/extension/run-electron.js
// Environment: VSCODE_VERSION (default 'stable'); everything else is passed to the extension host.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main() {
  // dist/test/extension → repo root
  const root = resolve(__dirname, '..', '..', '..');
  const workspace = mkdtempSync(join(tmpdir(), 'ucore-ws-'));
  writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'dist', 'test', 'extension', 'index.js'),
      // Other installed extensions would only add noise and startup time; trust off like the code-server route.
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Mocha runner loaded INSIDE the extension host as extensionTestsPath. The same file serves both routes:
//   - here: code-server in smoke-test-driver mode (test/e2e/lib/ext-host-runner.ts), which reports the exit code
//     of run() to the test process;
//   - with a downloadable VS Code: @vscode/test-electron / @vscode/test-cli (test/extension/run-electron.ts).
// Both call the exported run() and treat a rejection as failure. Compiled to dist/test/extension/index.js; it
// loads every compiled *.test.js beside it. mocha is external to the bundle and resolves from the repo's
// node_modules at run time.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: 'spec' });
  // Optional filter, e.g. UCORE_EXT_GREP=activation, inherited from the server's environment.
  if (process.env.UCORE_EXT_GREP) mocha.grep(process.env.UCORE_EXT_GREP);
  for (const f of readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures ? reject(new Error(`${failures} extension test(s) failed`)) : resolve()));
    } catch (e) {
      // A test file that throws while loading ends up here rather than as a mocha failure.
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

// Runs the mocha suite INSIDE code-server's Node extension host, with the real `vscode` module — the mechanism
// @vscode/test-web uses, verified in /work/shared/e2e-recipe/e2e/run-ext-tests.js:
//   1. the server runs with --vscode-option enable-smoke-test-driver (a release build ignores the dev/test
//      paths of the page URL without it);
//   2. the page URL carries payload extensionDevelopmentPath (repo root) + extensionTestsPath (compiled index);
//   3. the workbench reports the runner's exit code through window.codeAutomationExit and forwards the
//      extension host's console through window.codeAutomationLog.
import { format } from 'node:util';
import { join } from 'node:path';
import { startCodeServer, type CodeServer } from './code-server';
import { REPO_ROOT } from './paths';
import { openWorkbench, type Workbench } from './workbench';

export interface ExtensionHostTestOptions {
  /** Compiled mocha index exporting run(). Default dist/test/extension/index.js. */
  testsIndex?: string;
  /** Environment of the server, inherited by the extension host (redis ports, output folders...). */
  env?: Record<string, string>;
  /** How long the suite may take to report once the workbench is up. Default 300 s. */
  timeoutMs?: number;
  /** Folder to open; default a fresh temp folder. */
  workspace?: string;
  /** User settings for the server. */
  settings?: object;
  /** Each line of extension-host output as it arrives (e.g. console.log for live progress). */
  onLine?: (line: string) => void;
}

export interface ExtensionHostTestResult {
  /** 0 all passed, 1 failures, 'timeout' if the runner never reported. */
  code: number | 'timeout';
  output: string;
}

// code-server's remote authority, as it appears in vscode-remote:// URIs.
const AUTHORITY = 'remote';
// Workbench chatter that says nothing about our tests (gallery offline, auth, reconnection bookkeeping).
const NOISE = /open-vsx|AccountPolicyGate|AgentHost|socket|connection token|grace time|builtin extensions cache|Service Worker/;

export async function runExtensionHostTests(options: ExtensionHostTestOptions = {}): Promise<ExtensionHostTestResult> {
  const testsIndex = options.testsIndex ?? join(REPO_ROOT, 'dist', 'test', 'extension', 'index.js');
  const timeoutMs = options.timeoutMs ?? 300_000;
  const lines: string[] = [];
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    // The extension comes in as the development path, so it must not also be linked as an installed copy.
    server = await startCodeServer({ smokeTestDriver: true, linkExtension: false, env: options.env, settings: options.settings, workspace: options.workspace });
    let exit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => { exit = resolve; });
    wb = await openWorkbench(server.url, server.workspace, {
      payload: [
        ['extensionDevelopmentPath', `vscode-remote://${AUTHORITY}${REPO_ROOT}`],
        ['extensionTestsPath', `vscode-remote://${AUTHORITY}${testsIndex}`],
      ],
      // The workbench looks these up when it starts, so they must exist before the page loads.
      beforeGoto: async (page) => {
        await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
        await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
          const line = format(...(args ?? []));
          if (NOISE.test(line)) return;
          lines.push(line);
          options.onLine?.(line);
        });
      },
    });
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    const code = await Promise.race([exited, timedOut]);
    if (code === 'timeout') lines.push(`extension tests did not report within ${timeoutMs} ms (server log: ${server.logFile})`);
    return { code, output: lines.join('\n') };
  } finally {
    clearTimeout(timer);
    await wb?.close();
    await server?.stop();
  }
}

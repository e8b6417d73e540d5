// Starts a private code-server (real VS Code server + web workbench) for one test file, through
// e2e/start-code-server.sh so the shell script and the tests share one recipe. Tools: scripts/ensure-e2e.mjs.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../../support/redis-server';
import { ARTIFACTS_DIR, REPO_ROOT } from './paths';

export interface CodeServerOptions {
  /** Keep Workspace Trust on (restricted-mode tests). Default false: trust disabled, no trust dialog. */
  trust?: boolean;
  /** Extra environment for the server; the extension host inherits it (redis ports, output folders...). */
  env?: Record<string, string>;
  /** User settings merged over the defaults of start-code-server.sh. */
  settings?: object;
  /**
   * Start with `--vscode-option enable-smoke-test-driver`: needed for extensionDevelopmentPath/extensionTestsPath
   * in the page URL (see ext-host-runner.ts). Side effect: notification toasts are hidden. Default false.
   */
  smokeTestDriver?: boolean;
  /** Link the built extension (repo root) into the extensions dir. Default true, false with smokeTestDriver. */
  linkExtension?: boolean;
  /** Folder to open; default a fresh temp folder that stop() removes. */
  workspace?: string;
  /** Files written into the workspace before the server starts: path relative to it → content. */
  files?: Record<string, string>;
  /** Extra code-server arguments. */
  args?: string[];
}

export interface CodeServer {
  url: string;
  port: number;
  runDir: string;
  workspace: string;
  pid: number;
  /** code-server's own log (stdout+stderr); stop() copies it to .test-artifacts/logs/. */
  logFile: string;
  stop(): Promise<void>;
}

const alive = (pid: number) => {
  try { process.kill(-pid, 0); return true; } catch { return false; }
};

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const port = await freePort();
  const runDir = mkdtempSync(join(tmpdir(), 'ucore-cs-'));
  const ownWorkspace = !options.workspace;
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'ucore-ws-'));
  if (ownWorkspace) writeFileSync(join(workspace, 'README.md'), '# e2e workspace\n');
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  const linkExtension = options.linkExtension ?? !options.smokeTestDriver;
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...options.env,
    LINK_EXT: linkExtension ? REPO_ROOT : '',
    TRUST: options.trust ? '1' : '',
    EXTRA_SETTINGS_JSON: options.settings ? JSON.stringify(options.settings) : '',
  };
  const args = [String(port), runDir, workspace, ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []), ...(options.args ?? [])];
  const removeDirs = () => {
    rmSync(runDir, { recursive: true, force: true });
    if (ownWorkspace) rmSync(workspace, { recursive: true, force: true });
  };
  // The script waits for /healthz (up to ~60 s) and kills the server itself when it does not come up.
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(join(REPO_ROOT, 'e2e', 'start-code-server.sh'), args, { env, timeout: 120_000 }, (err, out, errOut) => {
      if (err) reject(new Error(`start-code-server.sh failed: ${err.message}\n${errOut}`));
      else resolve(out);
    });
  }).catch((e) => { removeDirs(); throw e; });
  const pid = Number(stdout.trim().split('\n').pop());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`start-code-server.sh printed no PID: ${stdout}`);
  const logFile = join(runDir, 'server.log');
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`, port, runDir, workspace, pid, logFile,
    async stop() {
      if (stopped) return;
      stopped = true;
      // The server was started with setsid, so pid is its process group: this reaches the extension hosts,
      // file watchers and pty hosts too. SIGTERM first so it can clean up its sockets, SIGKILL after 5 s.
      try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
      for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
      try {
        if (existsSync(logFile)) {
          mkdirSync(join(ARTIFACTS_DIR, 'logs'), { recursive: true });
          copyFileSync(logFile, join(ARTIFACTS_DIR, 'logs', `code-server-${port}.log`));
        }
      } catch { /* artifacts are best effort */ }
      removeDirs();
    },
  };
}

// The built CLI (dist/cli.js) in a child process, as a user runs it: its exit code, stdout and stderr.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** dist/cli.js, seen from a bundled test in dist/test/<dir>/. */
export const CLI = resolve(__dirname, '..', '..', 'cli.js');

export interface CliRun { code: number | null; stdout: string; stderr: string }

/** Starts `node dist/cli.js ...args` ($UCORE_REDIS_URL cleared unless `env` sets it); SIGKILLed after `timeoutMs`. */
export function ucore(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): { done: Promise<CliRun>; kill(): void } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, UCORE_REDIS_URL: '', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
  const done = new Promise<CliRun>((r) => child.on('exit', (code) => { clearTimeout(timer); r({ code, stdout, stderr }); }));
  return { done, kill: () => child.kill('SIGINT') };
}

export const runCli = (args: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }) => ucore(args, opts).done;
export const lines = (s: string) => s.split('\n').filter(Boolean);

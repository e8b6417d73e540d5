// The built CLI (dist/cli.js) in a child process, as a user runs it: its exit code, stdout and stderr.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { startRedisServer, type RedisServerHandle } from './redis-server';

/** dist/cli.js, seen from a bundled test in dist/test/<dir>/. */
export const CLI = resolve(__dirname, '..', '..', 'cli.js');

export interface CliRun { code: number | null; stdout: string; stderr: string }

/** Starts `node dist/cli.js ...args` ($UCORE_REDIS_URL cleared unless `env` sets it); SIGKILLed after `timeoutMs`. */
export function ucore(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): { done: Promise<CliRun>; kill(): void } {
  return spawnCollected(process.execPath, [CLI, ...args], opts);
}

/**
 * `node dist/cli.js ...args | head -1` in bash: head's output, the CLI's stderr and the CLI's own exit status
 * (`${PIPESTATUS[0]}`, not head's).
 */
export function ucoreThroughHead(args: string[]): Promise<CliRun> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return spawnCollected('bash', ['-c', `${quoted} | head -1; exit \${PIPESTATUS[0]}`]).done;
}

function spawnCollected(command: string, args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): { done: Promise<CliRun>; kill(): void } {
  const child = spawn(command, args, { env: { ...process.env, UCORE_REDIS_URL: '', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
  const done = new Promise<CliRun>((r) => child.on('exit', (code) => { clearTimeout(timer); r({ code, stdout, stderr }); }));
  return { done, kill: () => child.kill('SIGINT') };
}

/** `node dist/cli.js ...args`; `heard` resolves once its stderr contains `text` (it is ready), or it exits. */
export function ucoreUntil(args: string[], text: string, timeoutMs = 30_000): { heard: Promise<void>; done: Promise<CliRun>; interrupt(): void } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, UCORE_REDIS_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let hear!: () => void;
  const heard = new Promise<void>((r) => (hear = r));
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => { stderr += d; if (stderr.includes(text)) hear(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliRun>((r) => child.on('exit', (code) => { clearTimeout(timer); hear(); r({ code, stdout, stderr }); }));
  return { heard, done, interrupt: () => child.kill('SIGINT') };
}

export const runCli = (args: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }) => ucore(args, opts).done;
export const lines = (s: string) => s.split('\n').filter(Boolean);

/** A private redis-server and a temp dir for one describe block of CLI tests: started before it, stopped after. */
export function serverAndDir(prefix: string): { url: string; dir: string } {
  const s = { url: '', dir: '' };
  let srv: RedisServerHandle | undefined;
  before(async () => {
    srv = await startRedisServer();
    s.url = srv.url;
    s.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(async () => { await srv?.stop(); });
  return s;
}

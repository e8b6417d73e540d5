// Starts a private redis-server for a test: a free loopback port, its own temp dir, persistence off unless asked.
// Never touches 6379. `stop()` kills it (SIGTERM, then SIGKILL) and removes the dir; `kill()` simulates a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServerOptions {
  port?: number;
  dir?: string;
  /** Extra `redis-server` arguments, e.g. ['--appendonly', 'yes']. */
  args?: string[];
}

export interface RedisServerHandle {
  port: number;
  url: string;
  dir: string;
  process: ChildProcess;
  /** SIGKILL, as a crash would; the dir is kept so the server can be restarted on it. */
  kill(): Promise<void>;
  /** Start again on the same port and dir (after kill). */
  restart(): Promise<RedisServerHandle>;
  stop(): Promise<void>;
}

// Every server a test process starts dies with it, even when a test forgets stop() on a handle from restart():
// an orphaned redis-server would keep a port other test files may be handed next.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port === 6379 ? freePort().then(resolve, reject) : resolve(port)));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ucore-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
    '--protected-mode', 'no', '--loglevel', 'warning', ...(options.args ?? [])];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${stderr.trim()}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`redis-server did not listen on ${port}`); }
    await new Promise((r) => setTimeout(r, 25));
  }
  const handle: RedisServerHandle = {
    port, dir, process: child, url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited; }
    },
    async restart() {
      await handle.kill();
      return startRedisServer({ ...options, port, dir });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

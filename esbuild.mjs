// Builds every bundle the project ships or tests:
//   dist/extension.js  VS Code extension (node, cjs, `vscode` external, ioredis + zod bundled so the .vsix stands alone)
//   dist/cli.js        the `ucore` command-line tool (node, cjs, shebang)
//   dist/core.js       the importable event core (`ucore-events/core`), dependencies left to npm
//   dist/webview/*.js  browser code of the webviews (iife, no Node APIs)
//   dist/test/**, dist/bench.js  tests and benchmarks, bundled one file each
// `--watch` rebuilds on change; `--no-types` skips the .d.ts of the core.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const watch = process.argv.includes('--watch');
const withTypes = !process.argv.includes('--no-types');

function filesUnder(dir, test) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, test));
    else if (test(p)) out.push(p);
  }
  return out;
}

// One `require('vscode')` for the whole extension bundle. esbuild turns each module's `import * as vscode from
// 'vscode'` of an external CommonJS module into its own `__toESM(require('vscode'))`, which copies every name of the
// API (~300) into a fresh object with a getter each: ~50 modules × 300 getters at load, half of evaluating the bundle
// (issue 13). A single virtual ES module re-exporting the API is copied once and shared by every importer.
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => (args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' }));
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

// The contract libraries (ajv, yaml, formats, safe-regex2; ~300 KiB minified) in a bundle of their own, required by
// the extension and the CLI on first contract use: parsing them at every activation would cost for nothing.
const contractLibsApart = {
  name: 'contract-libs-apart',
  setup(build) {
    build.onResolve({ filter: /[\\/]libs-entry(\.js)?$/ }, (args) => (/[\\/]core[\\/]contracts$/.test(args.resolveDir) ? { path: './contract-libs.js', external: true } : undefined));
  },
};

const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' };
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs' };
const testExternals = ['vscode', 'mocha', 'playwright-core', 'fast-check', 'ioredis', 'zod', '@vscode/test-electron'];

const builds = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [vscodeOnce, contractLibsApart], minify: !watch,
    // activate() reports how long evaluating the bundle took (bench/cases/extension.ts reads it).
    banner: { js: 'var __ucoreBundleStart = performance.now(), __ucoreBundleCpu = process.cpuUsage();' },
    footer: { js: 'var __ucoreBundleEnd = performance.now(), __ucoreBundleCpuEnd = process.cpuUsage(__ucoreBundleCpu);' } },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, define: { UCORE_VERSION: JSON.stringify(pkg.version) }, plugins: [contractLibsApart] },
  { ...node, entryPoints: ['src/core/contracts/libs-entry.ts'], outfile: 'dist/contract-libs.js', minify: !watch },
  { ...node, entryPoints: ['src/core/index.ts'], outfile: 'dist/core.js', external: ['ioredis', 'zod', 'yaml', 'ajv', 'ajv-formats', 'safe-regex2'] },
];
const webviews = filesUnder('src/webview', (p) => /[\\/]main\.ts$/.test(p) || /src[\\/]webview[\\/][^\\/]+\.ts$/.test(p))
  .filter((p) => !/[\\/]lib[\\/]/.test(p));
if (webviews.length) {
  builds.push({ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: webviews, outdir: 'dist/webview', outbase: 'src/webview', minify: !watch });
}
const tests = filesUnder('test', (p) => p.endsWith('.ts'));
if (tests.length) builds.push({ ...node, entryPoints: tests, outdir: 'dist/test', outbase: 'test', external: testExternals });
const benches = filesUnder('bench', (p) => p.endsWith('.ts'));
if (benches.length) builds.push({ ...node, entryPoints: benches, outdir: 'dist/bench', outbase: 'bench', external: ['ioredis', 'zod', 'playwright-core'] });

// dist/ is not wiped: tests and code-server may be reading it while a rebuild runs. The test runner lists tests
// from test/*.ts sources, so stale bundles of deleted tests never run.
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (withTypes) execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  const size = statSync('dist/extension.js').size;
  console.log(`built ${builds.length} bundles; extension ${(size / 1024).toFixed(0)} KiB; ${relative('.', 'dist')}/`);
}

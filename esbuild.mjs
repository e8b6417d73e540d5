// Builds every bundle the project ships or tests:
//   dist/extension.js  VS Code extension's loader; dist/extension-main.js the extension (node, cjs, `vscode` external,
//                      zod/ioredis/CEL/contract libraries in bundles of their own, so the .vsix stands alone)
//   dist/cli.js        the `ucore` command-line tool (node, cjs, shebang): a loader of dist/cli-main.js, the CLI itself
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

// Libraries the first screen never needs, each in a bundle of its own that the extension (and the CLI) require on
// first use, so loading dist/extension.js neither parses nor evaluates them (issue 13: activation). Each is reached
// through one small entry module whose `require()`/`import()` sits inside a function.
//   contract-libs.js  ajv, ajv-formats, yaml, safe-regex2 (~300 KiB): contracts (src/core/contracts/libs-entry.ts)
//   cel.js            @marcbachmann/cel-js (~80 KiB, builds its standard library as it loads): search filters
//   ioredis.js        ioredis and its dependencies (~150 KiB): only a connection to a Redis server needs it; the
//                     embedded transport, the default, does not (extension only: the CLI talks to Redis every time)
//   zod.js            the parts of zod/mini the sources use (~40 KiB): the first schema built needs it (extension only)
const APART = [
  { entry: /[\\/]libs-entry(\.js)?$/, from: /[\\/]core[\\/]contracts$/, out: './contract-libs.js' },
  { entry: /[\\/]cel-entry(\.js)?$/, from: /[\\/]core[\\/]search$/, out: './cel.js' },
  { entry: /^ioredis$/, from: /[\\/]core[\\/]transport$/, out: './ioredis.js', extensionOnly: true },
];
const apart = (forExtension) => ({
  name: 'libs-apart',
  setup(build) {
    for (const a of APART) {
      if (a.extensionOnly && !forExtension) continue;
      build.onResolve({ filter: a.entry }, (args) => (a.from.test(args.resolveDir) ? { path: a.out, external: true } : undefined));
    }
  },
});

// zod/mini in dist/zod.js, for the extension only (issue 13: activation). Activation validates nothing (settings at
// their defaults are not parsed), so the extension's bundle holds a stand-in for each `zod/mini` (and English locale)
// import: its exports are getters that require dist/zod.js on first use. dist/zod.js exports what the sources use:
// every `NS.name` of a file that imports zod/mini as NS, and every name imported from it, found here at each build
// (any other form of import from zod/mini fails the build).
const zodRuntimeNames = new Set(Object.keys(await import('zod/mini')));
function zodNamesUsed() {
  const names = new Set();
  for (const file of filesUnder('src', (p) => p.endsWith('.ts') && !/[\\/]webview[\\/]/.test(p))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\b([^;]*?)\bfrom\s*'zod\/mini'/gm)) {
      const clause = m[1].trim();
      const ns = /^(?:type\s+)?\*\s+as\s+([A-Za-z_$][\w$]*)$/.exec(clause);
      const named = /^import\s*(?:type\s*)?\{([^}]*)\}$/.exec(`import ${clause}`);
      if (ns) for (const u of text.matchAll(new RegExp(`\\b${ns[1].replace(/\$/g, '\\$')}\\.([A-Za-z_$][\\w$]*)`, 'g'))) names.add(u[1]);
      else if (named && m[0].startsWith('import')) for (const n of named[1].split(',')) names.add(n.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]);
      else throw new Error(`${file}: import zod/mini as \`import * as z\` or \`import { … }\` (esbuild.mjs, zodApart)`);
    }
  }
  // `z.core` and `z.ZodMiniType` appear in types only; a namespace would keep all of zod's core in dist/zod.js.
  return [...names].filter((n) => zodRuntimeNames.has(n) && n !== 'core' && n !== 'ZodMiniType').sort();
}
const ZOD_NAMES = zodNamesUsed();
const zodApart = {
  name: 'zod-apart',
  setup(build) {
    build.onResolve({ filter: /^zod\/mini$|^zod\/v4\/locales\/en\.js$/ }, (args) => ({ path: args.path, namespace: 'zod-apart' }));
    build.onResolve({ filter: /^\.\/zod\.js$/, namespace: 'zod-apart' }, () => ({ path: './zod.js', external: true }));
    build.onLoad({ filter: /.*/, namespace: 'zod-apart' }, (args) => {
      const names = args.path === 'zod/mini' ? ZOD_NAMES.map((n) => [n, n]) : [['default', 'en']];
      const getters = names.map(([n, from]) => `${JSON.stringify(n)}: { enumerable: true, get: () => load()[${JSON.stringify(from)}] }`);
      return {
        loader: 'js',
        contents: "let zod;\nconst load = () => (zod ??= require('./zod.js'));\n" +
          `Object.defineProperties(exports, { __esModule: { value: true }, ${getters.join(', ')} });\n`,
      };
    });
  },
};
const zodBundle = {
  contents: `export { ${ZOD_NAMES.join(', ')} } from 'zod/mini';\nexport { default as en } from 'zod/v4/locales/en.js';\n`,
  resolveDir: '.', sourcefile: 'zod-entry.js', loader: 'js',
};

const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' };
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs' };
const testExternals = ['vscode', 'mocha', 'playwright-core', 'fast-check', 'ioredis', 'zod', '@vscode/test-electron'];

const builds = [
  // The extension's `main` is a small loader that runs the bundle with V8's code cache (src/extension/loader.ts).
  { ...node, entryPoints: ['src/extension/loader.ts'], outfile: 'dist/extension.js', external: ['vscode', './extension-main.js'], minify: !watch },
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension-main.js', external: ['vscode'], plugins: [vscodeOnce, apart(true), zodApart], minify: !watch,
    // activate() reports how long evaluating the bundle took (bench/cases/extension.ts reads it).
    banner: { js: 'var __ucoreBundleStart = performance.now(), __ucoreBundleCpu = process.cpuUsage();' },
    footer: { js: 'var __ucoreBundleEnd = performance.now(), __ucoreBundleCpuEnd = process.cpuUsage(__ucoreBundleCpu);' } },
  // `ucore` is a small loader that runs the CLI's bundle with V8's code cache (src/cli/loader.ts).
  { ...node, entryPoints: ['src/cli/loader.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, external: ['./cli-main.js'] },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-main.js', define: { UCORE_VERSION: JSON.stringify(pkg.version) }, plugins: [apart(false)] },
  { ...node, entryPoints: ['src/core/contracts/libs-entry.ts'], outfile: 'dist/contract-libs.js', minify: !watch },
  { ...node, entryPoints: ['src/core/search/cel-entry.ts'], outfile: 'dist/cel.js', minify: !watch },
  { ...node, entryPoints: ['src/core/transport/ioredis-entry.ts'], outfile: 'dist/ioredis.js', minify: !watch },
  { ...node, stdin: zodBundle, outfile: 'dist/zod.js', minify: !watch },
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
  // The loader runs extension-main.js as a vm.Script, where a native `import()` has no loader: use require().
  if (/\bimport\(/.test(readFileSync('dist/extension-main.js', 'utf8'))) throw new Error('dist/extension-main.js has a native import(): load lazily with require() (src/extension/loader.ts)');
  const size = statSync('dist/extension-main.js').size;
  console.log(`built ${builds.length} bundles; extension ${(size / 1024).toFixed(0)} KiB; ${relative('.', 'dist')}/`);
}

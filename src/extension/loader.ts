// Entry of dist/extension.js (package.json `main`): loads the extension's bundle, dist/extension-main.js, with V8's
// code cache (issue 13: activation). Compiling the ~430 KiB bundle is most of what loading it costs (~27 ms of CPU
// here, ~5 ms from the cache): the first activation compiles and, once the extension has settled, writes the
// compiled code — including the functions activation compiled — to the user's global storage; later activations read
// it back. VS Code did the same for extensions itself ("cachedData") until Node's loader took over. The cache is keyed
// by a hash of the bundle's text and V8's version (V8 checks only the text's length), lives in the user's own
// storage (never a shared temp dir: a code cache is code), and any failure falls back to a plain require().
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import type * as vscode from 'vscode';
import type { CodeLoad } from './codeLoad';

type Main = typeof import('./extension');

const MAIN = join(__dirname, 'extension-main.js');
const CACHE_PREFIX = 'extension-main-';
/** Long enough after activation that the functions activation compiled are in the cache too. */
const WRITE_AFTER_MS = 10_000;

let main: Main | undefined;

export function activate(context: vscode.ExtensionContext): ReturnType<Main['activate']> {
  const called = performance.now();
  const loaded = loadMain(join(context.globalStorageUri.fsPath, 'code-cache'));
  main = loaded.main;
  main.noteCodeLoad(loaded.info);
  const result = main.activate(context);
  // VS Code's "activate call" time of us, for the benchmark's activation record (written after activate()'s first await).
  loaded.info.activateCallMs = Math.round((performance.now() - called) * 10) / 10;
  return result;
}

export function deactivate(): void {
  main?.deactivate();
}

interface ModuleInternals {
  _nodeModulePaths(dir: string): string[];
  wrap(source: string): string;
}
type ModuleClass = (new (id: string, parent?: unknown) => NodeJS.Module) & ModuleInternals;
// The CommonJS Module class itself (an `import * as` of node:module is a namespace, not the constructor).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module') as ModuleClass;

function loadMain(cacheDir: string): { main: Main; info: CodeLoad } {
  const started = process.cpuUsage();
  let script: Script;
  let cacheFile: string;
  let hadCache: boolean;
  try {
    const source = readFileSync(MAIN, 'utf8');
    const key = createHash('sha256').update(process.versions.v8).update(process.arch).update(source).digest('hex').slice(0, 24);
    cacheFile = join(cacheDir, `${CACHE_PREFIX}${key}.v8`);
    const cachedData = readCache(cacheFile);
    hadCache = cachedData !== undefined;
    script = new Script(Module.wrap(source), { filename: MAIN, cachedData });
  } catch {
    // No code cache today (an unreadable bundle fails again in require, with Node's own message).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { main: require(MAIN) as Main, info: { cache: 'off', compileCpuMs: cpuMsSince(started) } };
  }
  const hit = hadCache && !script.cachedDataRejected;
  const compileCpuMs = cpuMsSince(started);
  const main = run(script);
  if (!hit) writeCacheLater(script, cacheDir, cacheFile);
  return { main, info: { cache: hit ? 'hit' : hadCache ? 'rejected' : 'miss', compileCpuMs } };
}

/** Runs the compiled bundle as Node would run a CommonJS module at MAIN (its require resolves from dist/). */
function run(script: Script): Main {
  const mod = new Module(MAIN, module);
  mod.filename = MAIN;
  mod.paths = Module._nodeModulePaths(__dirname);
  const moduleFunction = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
  // mod.require keeps `mod` as the parent: VS Code hands `require('vscode')` the API by the requiring file's path.
  const requireFromMain = Object.assign((id: string) => mod.require(id), { resolve: require.resolve, cache: require.cache, main: require.main }) as unknown as NodeJS.Require;
  moduleFunction.call(mod.exports, mod.exports, requireFromMain, mod, MAIN, __dirname);
  mod.loaded = true;
  return mod.exports as Main;
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCacheLater(script: Script, dir: string, file: string): void {
  const timer = setTimeout(() => {
    try {
      mkdirSync(dir, { recursive: true });
      // Caches of earlier versions of the bundle are of no further use.
      for (const name of readdirSync(dir)) if (name.startsWith(CACHE_PREFIX) && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, file); // never a half-written cache under the real name
    } catch {
      /* a cache is an optimisation: the next activation compiles again */
    }
  }, WRITE_AFTER_MS);
  timer.unref();
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return Math.round((u.user + u.system) / 100) / 10;
}

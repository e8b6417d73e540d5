// A bundle run from V8's code cache, as the extension's loader (src/extension/loader.ts) and the CLI's
// (src/cli/loader.ts) do (issue 13): the bundle compiled with the cached code when there is some, run as Node would
// run a CommonJS module at its path, and the compiled code written back atomically to a directory of the user's own.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Script } from 'node:vm';

interface ModuleInternals {
  _nodeModulePaths(dir: string): string[];
  wrap(source: string): string;
}
type ModuleClass = (new (id: string, parent?: unknown) => NodeJS.Module) & ModuleInternals;
// The CommonJS Module class itself (an `import * as` of node:module is a namespace, not the constructor).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module') as ModuleClass;

/** The source as Node wraps a CommonJS module, for `new Script(…)`. */
export function wrapModule(source: string): string {
  return Module.wrap(source);
}

/** Runs the compiled bundle as Node would run a CommonJS module at `file` (its require resolves from `dir`). */
export function runAsModule<T>(script: Script, file: string, dir: string, parent: NodeJS.Module): T {
  const mod = new Module(file, parent);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dir);
  const moduleFunction = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
  // mod.require keeps `mod` as the parent: VS Code hands `require('vscode')` the API by the requiring file's path.
  const requireFromMain = Object.assign((id: string) => mod.require(id), { resolve: require.resolve, cache: require.cache, main: require.main }) as unknown as NodeJS.Require;
  moduleFunction.call(mod.exports, mod.exports, requireFromMain, mod, file, dir);
  mod.loaded = true;
  return mod.exports as T;
}

export function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the script's code cache to `file` in `dir` (created for the user alone), removing the names `stale` picks. */
export function writeCache(script: Script, dir: string, file: string, stale: (name: string) => boolean): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) if (stale(name) && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
    renameSync(temp, file); // never a half-written cache under the real name
  } catch {
    /* a cache is an optimisation: the next run compiles again */
  }
}

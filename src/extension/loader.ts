// Entry of dist/extension.js (package.json `main`): loads the extension's bundle, dist/extension-main.js, with V8's
// code cache (issue 13: activation). Compiling the ~430 KiB bundle is most of what loading it costs (~27 ms of CPU
// here, ~5 ms from the cache): the first activation compiles and, once the extension has settled, writes the
// compiled code — including the functions activation compiled — to the user's global storage; later activations read
// it back. VS Code did the same for extensions itself ("cachedData") until Node's loader took over. The cache is keyed
// by a hash of the bundle's text and V8's version (V8 checks only the text's length), lives in the user's own
// storage (never a shared temp dir: a code cache is code), and any failure falls back to a plain require().
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import type * as vscode from 'vscode';
import type { CodeLoad } from './codeLoad';
import { readCache, runAsModule, wrapModule, writeCache } from '../shared/v8-code-cache';

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
    script = new Script(wrapModule(source), { filename: MAIN, cachedData });
  } catch {
    // No code cache today (an unreadable bundle fails again in require, with Node's own message).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { main: require(MAIN) as Main, info: { cache: 'off', compileCpuMs: cpuMsSince(started) } };
  }
  const hit = hadCache && !script.cachedDataRejected;
  const compileCpuMs = cpuMsSince(started);
  const main = runAsModule<Main>(script, MAIN, __dirname, module);
  if (!hit) writeCacheLater(script, cacheDir, cacheFile);
  return { main, info: { cache: hit ? 'hit' : hadCache ? 'rejected' : 'miss', compileCpuMs } };
}

function writeCacheLater(script: Script, dir: string, file: string): void {
  // Caches of earlier versions of the bundle are of no further use.
  const timer = setTimeout(() => writeCache(script, dir, file, (name) => name.startsWith(CACHE_PREFIX)), WRITE_AFTER_MS);
  timer.unref();
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return Math.round((u.user + u.system) / 100) / 10;
}

// Entry of dist/cli.js (`ucore`): runs the CLI's bundle, dist/cli-main.js, with V8's code cache (issue 13: the CLI
// at the core's speed, process start included). Compiling the ~1 MiB bundle and the functions a command runs is
// ~20 ms of CPU per run (of ~100 ms for `ucore publish` of one line); from the cache it is a few. The first run of a
// bundle compiles as usual and, as it exits, writes the compiled code (with the functions that run compiled) to the
// user's own cache directory, $XDG_CACHE_HOME/ucore or ~/.cache/ucore (never a shared temp dir: a code cache is
// code), keyed by a hash of the bundle's text, V8's version and the architecture. Any failure falls back to a plain
// compile; UCORE_CODE_CACHE=0 turns the cache off.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { readCache, runAsModule, wrapModule, writeCache } from '../shared/v8-code-cache';
import { codeCacheDir, commandWord } from './code-cache';

type Main = typeof import('./main');

const MAIN = join(__dirname, 'cli-main.js');
const CACHE_PREFIX = 'cli-main-';

function loadMain(): Main {
  const dir = codeCacheDir();
  if (dir === null) return plainRequire();
  let script: Script;
  let file: string;
  let hit: boolean;
  let bundle: string;
  try {
    const source = readFileSync(MAIN, 'utf8');
    const key = createHash('sha256').update(process.versions.v8).update(process.arch).update(source).digest('hex').slice(0, 24);
    bundle = `${CACHE_PREFIX}${key}-`;
    file = join(dir, `${bundle}${commandWord(process.argv[2])}.v8`);
    const cachedData = readCache(file);
    script = new Script(wrapModule(source), { filename: MAIN, cachedData });
    hit = cachedData !== undefined && !script.cachedDataRejected;
  } catch {
    // An unreadable bundle fails again in require, with Node's own message.
    return plainRequire();
  }
  // Written as the process exits: by then the functions the command ran are compiled and go into the cache too.
  // Caches of earlier versions of the bundle are of no further use.
  if (!hit) process.once('exit', () => writeCache(script, dir, file, (name) => name.startsWith(CACHE_PREFIX) && !name.startsWith(bundle)));
  return runAsModule<Main>(script, MAIN, __dirname, module);
}

function plainRequire(): Main {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(MAIN) as Main;
}

if (require.main === module) loadMain().runCli(process.argv.slice(2));

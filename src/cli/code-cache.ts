// Where dist/cli.js keeps the CLI bundle's code cache (see loader.ts), apart from the loader so tests can import it.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Where the cache lives; null when it is turned off or there is no home to put it in. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.UCORE_CODE_CACHE === '0') return null;
  let base = env.XDG_CACHE_HOME;
  // A relative XDG_CACHE_HOME is to be ignored (XDG Base Directory spec).
  if (!base || !isAbsolute(base)) {
    let home = '';
    try {
      home = homedir();
    } catch {
      /* no home: no cache */
    }
    if (!home) return null;
    base = join(home, '.cache');
  }
  return join(base, 'ucore', 'code-cache');
}

/**
 * One cache per command (its first word): the cache holds the functions the run that wrote it compiled, and a
 * `publish` compiles other functions than a `tail` or `--help`.
 */
export function commandWord(arg: string | undefined): string {
  return arg !== undefined && /^[a-z][a-z-]{0,30}$/.test(arg) ? arg : 'other';
}

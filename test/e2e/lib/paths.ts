// Where things are, from the compiled location of these helpers (dist/test/e2e/lib/*.js → repo root is 4 up).
// esbuild bundles each test to one file, so __dirname is the bundle's folder: dist/test/e2e or dist/test/e2e/lib.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function findRoot(start: string): string {
  // Walk up to the folder holding esbuild.mjs: robust whether the caller is dist/test/e2e/x.js or dist/test/e2e/lib/x.js.
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'esbuild.mjs')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(start, '../../../..');
  }
}

export const REPO_ROOT = findRoot(__dirname);
export const ARTIFACTS_DIR = process.env.UCORE_ARTIFACTS_DIR ?? join(REPO_ROOT, '.test-artifacts');
export const CHROMIUM = process.env.CHROME_BIN ?? '/usr/bin/chromium';

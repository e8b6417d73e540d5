// dist/cli.js runs the CLI's bundle with V8's code cache (src/cli/loader.ts): written by a command's first run to
// the user's cache directory, used by the next, ignored when damaged, never written when turned off.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeCacheDir, commandWord } from '../../src/cli/code-cache';
import { lines, runCli, serverAndDir } from '../support/cli-process';

describe('ucore: the code cache of the CLI bundle', () => {
  const s = serverAndDir('ucore-code-cache-');

  it('a command\'s first run writes its cache, the next runs from it, a damaged one is replaced', async () => {
    const home = join(s.dir, 'cache-home');
    const env = { XDG_CACHE_HOME: home };
    const ndjson = join(s.dir, 'one.ndjson');
    writeFileSync(ndjson, '{"event_type":"a"}\n');
    const publish = () => runCli(['publish', 'cc', '--file', ndjson, '--url', s.url], { env });
    const first = await publish();
    assert.equal(first.code, 0, first.stderr);
    const dir = join(home, 'ucore', 'code-cache');
    const files = () => readdirSync(dir).sort();
    assert.equal(files().length, 1);
    assert.match(files()[0], /^cli-main-[0-9a-f]{24}-publish\.v8$/);
    const file = join(dir, files()[0]);
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'a directory of the user\'s own');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const written = statSync(file).mtimeMs;

    const second = await publish();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(lines(second.stdout).length + lines(second.stderr).length, lines(first.stdout).length + lines(first.stderr).length);
    assert.equal(statSync(file).mtimeMs, written, 'a cache that was used is not written again');

    const version = await runCli(['--version'], { env });
    assert.equal(version.code, 0);
    assert.deepEqual(files().map((f) => f.replace(/[0-9a-f]{24}/, 'H')), ['cli-main-H-other.v8', 'cli-main-H-publish.v8'], 'one cache per command');

    writeFileSync(file, 'not a code cache');
    const damaged = await publish();
    assert.equal(damaged.code, 0, damaged.stderr);
    assert.notEqual(readFileSync(file, 'utf8'), 'not a code cache', 'replaced by a good one');

    const stale = join(dir, 'cli-main-000000000000000000000000-publish.v8');
    writeFileSync(stale, 'of an older bundle');
    rmSync(file);
    assert.equal((await publish()).code, 0);
    assert.ok(existsSync(file), 'written again');
    assert.ok(!existsSync(stale), 'the cache of an older bundle is removed when a new one is written');
  });

  it('UCORE_CODE_CACHE=0 writes nothing', async () => {
    const home = join(s.dir, 'off-home');
    const r = await runCli(['--version'], { env: { XDG_CACHE_HOME: home, UCORE_CODE_CACHE: '0' } });
    assert.equal(r.code, 0);
    assert.equal(existsSync(home), false);
  });

  it('finds the directory and names a cache by the command\'s first word', () => {
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }), join('/x/cache', 'ucore', 'code-cache'));
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache', UCORE_CODE_CACHE: '0' }), null);
    assert.ok(codeCacheDir({})?.endsWith(join('.cache', 'ucore', 'code-cache')));
    assert.ok(codeCacheDir({ XDG_CACHE_HOME: 'relative' })?.endsWith(join('.cache', 'ucore', 'code-cache')), 'a relative XDG_CACHE_HOME is ignored');
    assert.equal(commandWord('store'), 'store');
    assert.equal(commandWord('--version'), 'other');
    assert.equal(commandWord('../../etc'), 'other');
    assert.equal(commandWord(undefined), 'other');
  });
});

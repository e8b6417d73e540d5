// UI smoke test, through `npm start`'s own script (scripts/start.mjs → code-server with the built extension): the
// extension answers its command-palette command with a notification a user can see; and, as a user restarting
// `npm start` would see it, the profile is kept between runs (theme and added connection still there after a
// restart; the browser tab is only reloaded) while `--clean-profile` starts from a clean profile.
// Screenshots: .test-artifacts/screenshots/smoke-*.png.
import * as assert from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../support/redis-server';
import { useWorkbench } from './lib/fixture';
import { REPO_ROOT } from './lib/paths';
import { addConnectionInUi, eventually, pickByLabel, step } from './lib/ui';

const version: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const KEPT = 'kept-connection';

interface Started { child: ChildProcess; output: () => string }

/** `node scripts/start.mjs --no-setup [...args]` (what `npm start` runs, without install and build), until it prints the URL. */
async function npmStart(port: number, profile: string, args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'start.mjs'), '--no-setup', ...args], {
    env: { ...process.env, UCORE_PORT: String(port), UCORE_PROFILE_DIR: profile, UCORE_FORCE_CODE_SERVER: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += String(d); });
  child.stderr!.on('data', (d) => { out += String(d); });
  const started = { child, output: () => out };
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${out}`);
    return out.includes('Ctrl+C stops it');
  }, 'npm start printing its URL', 120_000).catch((e) => { child.kill('SIGTERM'); throw e; });
  return started;
}

/** Ctrl+C, as the user stops it: start.mjs stops code-server's whole process group and exits. */
async function stop(s: Started | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGINT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (s.child.exitCode === null) s.child.kill('SIGKILL');
}

describe('smoke (code-server UI, started as `npm start` starts it)', { timeout: 360_000 }, () => {
  let port = 0;
  let profile = '';
  let started: Started | undefined;
  const e2e = useWorkbench({
    name: 'smoke',
    codeServer: async () => {
      port = await freePort();
      profile = mkdtempSync(join(tmpdir(), 'ucore-profile-'));
      started = await npmStart(port, profile).catch((e) => { rmSync(profile, { recursive: true, force: true }); throw e; });
      return {
        url: `http://127.0.0.1:${port}`,
        workspace: join(REPO_ROOT, 'examples'),
        async stop() {
          await stop(started);
          rmSync(profile, { recursive: true, force: true });
        },
      };
    },
  });

  /** Reloads the page after a restart (the tab stays open, as a user's does) and waits for the workbench. */
  const reload = async () => {
    await e2e.wb.page.reload();
    await e2e.wb.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 90_000 });
  };
  const themeKind = async () => {
    const cls = (await e2e.wb.page.locator('.monaco-workbench').first().getAttribute('class')) ?? '';
    return /\bvs-dark\b/.test(cls) ? 'dark' : /\bhc-/.test(cls) ? 'high-contrast' : /\bvs\b/.test(cls) ? 'light' : cls;
  };
  const connectionRows = async () => (await e2e.wb.treeRows('Connections')).map((r) => r.label);

  it('"UCore: Show Version" shows the version in a notification', async () => {
    await step(e2e.wb, 'smoke-version', async () => {
      await e2e.wb.runCommand('UCore: Show Version');
      // Version from package.json (0.1.0 today), so a version bump does not break the test.
      const expected = new RegExp(`UCore Events ${escapeRegExp(version)}`);
      const text = await e2e.wb.waitForNotification(expected);
      assert.match(text, expected);
      await e2e.wb.screenshot('smoke-version');
    });
  });

  it('`npm start` keeps theme, settings and added connections across a restart; --clean-profile starts clean', async () => {
    const w = e2e.wb;
    await step(w, 'smoke-profile', async () => {
      assert.match(started!.output(), /Profile \(new;/, `the first run says its profile is new:\n${started!.output()}`);
      const initial = await themeKind();
      const wanted = initial === 'light' ? 'Dark Modern' : 'Light Modern';
      const wantedKind = initial === 'light' ? 'dark' : 'light';
      await w.runCommand('Preferences: Color Theme');
      await w.quickInputType(wanted, { submit: false });
      await pickByLabel(w, wanted);
      await eventually(async () => (await themeKind()) === wantedKind, `the ${wantedKind} theme`, 15_000);
      await w.openActivity('UCore Events');
      await addConnectionInUi(w, { url: 'embedded://kept', name: KEPT });
      await eventually(async () => (await connectionRows()).includes(KEPT), 'the added connection in the Connections view');
      await w.page.waitForTimeout(1500); // settings and state are written behind the scenes
      await w.screenshot('smoke-2-before-restart');

      await stop(started);
      started = await npmStart(port, profile);
      assert.match(started.output(), /Profile \(kept from the last run;/, `the second run says it kept the profile:\n${started.output()}`);
      await reload();
      await eventually(async () => (await themeKind()) === wantedKind, `the ${wantedKind} theme kept after the restart (now ${await themeKind()})`, 30_000);
      await w.openActivity('UCore Events');
      await eventually(async () => (await connectionRows()).includes(KEPT), `"${KEPT}" kept after the restart`, 30_000)
        .catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${(await connectionRows()).join(', ')}`); });
      await w.screenshot('smoke-3-after-restart');

      await stop(started);
      started = await npmStart(port, profile, ['--clean-profile']);
      assert.match(started.output(), /--clean-profile: deleted the profile/);
      await reload();
      await eventually(async () => (await themeKind()) === initial, `the default ${initial} theme again with a clean profile`, 30_000);
      // (Added connections are the extension's globalState, which code-server's web workbench keeps in the browser
      // for the address, not in the profile: they stay until the browser's site data is cleared. README says so.)
      await w.openActivity('UCore Events');
      await w.waitForTreeRow('Embedded', 'Connections');
      await w.screenshot('smoke-4-clean-profile');
    });
  });
});

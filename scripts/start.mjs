// `npm start`: installs what is missing, builds, and opens VS Code with the extension on the embedded connection.
//   - a local `code` on PATH: extension development mode (`code --extensionDevelopmentPath=…`);
//   - otherwise: code-server (a real VS Code in the browser) on 127.0.0.1 with the extension linked in; prints the URL
//     and runs until Ctrl+C. UCORE_PORT picks the port (default 8420).
// The workspace is examples/ (sample .events files), so Publish CodeLenses are there at once.
//
// code-server's profile (user data: settings such as the theme; extensions; its home) is kept between runs in
// .run/code-server/ (git-ignored; UCORE_PROFILE_DIR picks another folder), so what the user set up is still there
// after a restart. The same port keeps the same browser origin, for which the browser keeps the rest of the state
// (the extension's globalState, e.g. added connections; the window layout).
//   npm start -- --clean-profile   start from a clean profile (the old one is deleted)
//   npm start -- --no-setup        skip the install and build steps: start what is built (a quick restart)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { ensureSetup } from './ensure-setup.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const workspace = join(root, 'examples');
mkdirSync(workspace, { recursive: true });
const args = process.argv.slice(2);
const known = ['--clean-profile', '--no-setup'];
const unknown = args.filter((a) => !known.includes(a));
if (unknown.length) {
  console.error(`[start] unknown option ${unknown.join(' ')}; known: ${known.join(', ')}`);
  process.exit(2);
}

if (!args.includes('--no-setup')) await ensureSetup();
const code = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'code')).find((p) => existsSync(p));
if (code && process.env.UCORE_FORCE_CODE_SERVER !== '1') {
  console.log(`[start] opening VS Code (${code}) with the extension in development mode`);
  const r = spawnSync(code, ['--new-window', `--extensionDevelopmentPath=${root}`, workspace], { stdio: 'inherit' });
  process.exit(r.status ?? 0);
}

const { ensureE2E } = await import('./ensure-e2e.mjs');
await ensureE2E();
const port = process.env.UCORE_PORT ?? '8420';
const runDir = resolve(process.env.UCORE_PROFILE_DIR ?? join(root, '.run', 'code-server'));
const kept = existsSync(join(runDir, 'udd'));
if (args.includes('--clean-profile') && kept) {
  rmSync(runDir, { recursive: true, force: true });
  console.log(`[start] --clean-profile: deleted the profile in ${runDir}`);
}
const started = spawnSync(join(root, 'e2e', 'start-code-server.sh'), [port, runDir, workspace], {
  env: { ...process.env, LINK_EXT: root, KEEP_PROFILE: '1', EXTRA_SETTINGS_JSON: JSON.stringify({ 'security.workspace.trust.enabled': false }) },
  encoding: 'utf8',
});
if (started.status !== 0) {
  console.error(`[start] code-server did not start:\n${started.stderr}`);
  process.exit(1);
}
const pid = Number(started.stdout.trim().split('\n').pop());
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
const profile = kept && !args.includes('--clean-profile') ? 'kept from the last run' : 'new';
console.log(`\n  UCore Events is running in VS Code (code-server):\n\n    ${url}\n\n  Open it in a browser. The "UCore Events" icon is in the activity bar; the Embedded connection is active.\n`
  + `  Profile (${profile}; settings and theme stay for the next run): ${runDir}\n`
  + `  Added connections stay in the browser's storage for this address (same port next time: UCORE_PORT=${port}).\n`
  + '  `npm start -- --clean-profile` starts from a clean profile.\n'
  + `  Server log: ${join(runDir, 'server.log')}\n  Ctrl+C stops it.\n`);
const stop = () => {
  try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Stay alive while the server runs; leave when it dies.
setInterval(() => {
  try { process.kill(pid, 0); } catch { console.log('[start] code-server exited'); process.exit(1); }
}, 2000);

// The brakes and the bad days, in a real VS Code (code-server) UI with Workspace Trust ON:
// - Restricted Mode (untrusted workspace): connections from workspace settings wait for trust, and nothing is
//   published; trusting the workspace lets them connect.
// - A production connection asks before publishing, with Cancel as the highlighted first choice: Enter sends nothing,
//   only picking Proceed sends.
// - Bad configuration (malformed URL, wrong password, unreachable port) gives one clear error within the timeout.
// The `ucore` CLI watches the channels from outside, so "nothing was published" is observed, not assumed.
// Screenshots: .test-artifacts/screenshots/guards-*.png.
import * as assert from 'node:assert';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { freePort, startRedisServer } from '../support/redis-server';
import { useWorkbench } from './lib/fixture';
import {
  answerPrompts, clearNotifications, clickNotificationButton, eventually, pickByLabel, promptState, runCli, startCli, step,
  waitForSubscribers, type BackgroundCli, type PromptAnswer, type PromptState,
} from './lib/ui';
import type { Workbench } from './lib/workbench';

const COMMAND_TIMEOUT_MS = 2000;
/** A clear error must show within the command timeout plus this much (UI and retry slack). */
const ERROR_SLACK_MS = 4000;
const PASSWORD = 's3cret-pw';

/** The palette's Publish Event flow, to a channel typed by hand, with `marker` in the event's data (+ more answers). */
async function publishFromPalette(wb: Workbench, channel: string, marker: string, more: PromptAnswer[] = []): Promise<void> {
  await wb.runCommand('UCore: Publish Event');
  await answerPrompts(wb, [
    { match: /Publish to a channel or append to a stream/, pick: /Other channel/ },
    { match: /Channel name/, type: channel },
    { match: /Event type/, pick: 'order_paid' },
    { match: /as JSON/, edit: (v) => { const e = JSON.parse(v) as { data: Record<string, unknown> }; e.data.marker = marker; return JSON.stringify(e); } },
    ...more,
  ]);
}

/** Connect through the palette, like a user who picks from the list. */
async function connectFromPalette(wb: Workbench, name: string): Promise<void> {
  await wb.runCommand('UCore: Connect');
  await answerPrompts(wb, [{ match: /Connect to/, pickLabel: name }], { settleMs: 500 });
}

/**
 * Connects through the palette and waits for the error notification matching `pattern`; `took` runs from the
 * moment the connection is picked to the moment the message is on screen.
 */
async function connectExpectingError(wb: Workbench, name: string, pattern: RegExp): Promise<{ msg: string; took: number }> {
  await wb.runCommand('UCore: Connect');
  await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ timeout: 10_000 });
  const started = Date.now();
  await pickByLabel(wb, name);
  const msg = await wb.waitForNotification(pattern, COMMAND_TIMEOUT_MS + ERROR_SLACK_MS);
  const took = Date.now() - started;
  assert.ok(took < COMMAND_TIMEOUT_MS + ERROR_SLACK_MS, `the error took ${took} ms`);
  return { msg, took };
}

const rowOf = async (wb: Workbench, name: string) => (await wb.treeRows('Connections')).find((r) => r.label === name);

/** Accepts TCP connections and never answers: a hung server, not a closed port. Its sockets go to `sockets`. */
async function startSilentServer(sockets: Socket[]): Promise<{ port: number; stop(): Promise<void> }> {
  const silent = createServer((sock) => { sockets.push(sock); sock.on('error', () => undefined); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  return {
    port: (silent.address() as { port: number }).port,
    async stop() {
      for (const sock of sockets) sock.destroy();
      silent.close();
    },
  };
}

describe('guards and bad configuration (code-server UI, Workspace Trust on)', { timeout: 300_000 }, () => {
  const silentSockets: Socket[] = [];
  const clis: BackgroundCli[] = [];
  const e2e = useWorkbench({
    name: 'guards',
    redis: true,
    servers: { locked: () => startRedisServer({ args: ['--requirepass', PASSWORD] }), silent: () => startSilentServer(silentSockets) },
    trust: true,
    files: ({ redis }) => ({
      // A connection a cloned repository could carry: it must not be used before the user trusts the folder.
      '.vscode/settings.json': JSON.stringify({ 'ucore.connections': [{ name: 'ws-redis', url: redis.url }] }, null, 2),
      'README.md': '# guards e2e\n',
      'restricted.events': '### channel: guard_restricted\n{ "event_type": "order_paid", "data": { "order_id": 1 } }\n',
    }),
    settings: async ({ redis, servers: { locked, silent } }) => ({
      'ucore.commandTimeoutMs': COMMAND_TIMEOUT_MS,
      'ucore.connections': [
        { name: 'user-redis', url: redis.url },
        { name: 'prod-redis', url: redis.url, production: true },
        { name: 'bad-url', url: 'redis://127.0.0.1:notaport' },
        { name: 'locked', url: locked.url },
        { name: 'nowhere', url: `redis://127.0.0.1:${await freePort()}` },
        { name: 'silent', url: `redis://127.0.0.1:${silent.port}` },
      ],
    }),
    cleanup: () => { for (const c of clis) c.kill(); },
  });
  const { lap } = e2e;

  it('Restricted Mode: a connection from workspace settings is not used before trust', async () => {
    const w = e2e.wb;
    await step(w, 'guards-restricted-connection', async () => {
      await w.openActivity('UCore Events');
      // The user-settings connections are listed: the view is up to date.
      await eventually(() => rowOf(w, 'user-redis'), 'user-redis in the Connections view', 30_000);
      // VS Code may hold the workspace value back entirely, or the extension may list it as waiting for trust;
      // either way it must not be connectable.
      const row = await rowOf(w, 'ws-redis');
      if (row) assert.match(row.description, /needs a trusted workspace/);
      await w.runCommand('UCore: Connect');
      await w.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'user-redis' }).first().waitFor({ timeout: 10_000 });
      const offered = (await promptState(w.page)).rows;
      const wsOffered = offered.some((r) => r.includes('ws-redis'));
      if (wsOffered) {
        await pickByLabel(w, 'ws-redis');
        const msg = await w.waitForNotification(/trust the workspace/i);
        assert.match(msg, /ws-redis/);
      } else {
        await w.page.keyboard.press('Escape');
      }
      await w.screenshot('guards-1-restricted-workspace-connection');
      assert.doesNotMatch((await rowOf(w, 'ws-redis'))?.description ?? '', /\bconnected\b/, 'ws-redis is not connected');
      console.log(`restricted: ws-redis ${row ? `listed as "${row.description}"` : 'not listed'}; offered by Connect: ${wsOffered}`);
    });
    lap('restricted: workspace connection');
  });

  it('Restricted Mode: nothing can be published (palette hides it, a CodeLens is refused) and nothing reaches Redis', async () => {
    const w = e2e.wb;
    await step(w, 'guards-restricted-publish', async () => {
      await w.openActivity('UCore Events');
      await connectFromPalette(w, 'user-redis');
      await eventually(async () => /\bconnected\b/.test((await rowOf(w, 'user-redis'))?.description ?? ''), 'user-redis connected (reading is allowed)');
      // The palette offers reading commands but not publishing ones.
      await w.page.keyboard.press('F1');
      await w.quickInputType('>UCore: Tail Channel', { submit: false });
      await w.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'UCore: Tail Channel' }).first().waitFor({ timeout: 10_000 });
      await w.quickInputType('>UCore: Publish Event', { submit: false });
      await w.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'UCore: Tail Channel' }).first().waitFor({ state: 'hidden', timeout: 5_000 });
      await w.page.waitForTimeout(300);
      const publishRows = await w.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'UCore: Publish Event' }).count();
      await w.screenshot('guards-2a-restricted-palette');
      await w.page.keyboard.press('Escape');
      assert.strictEqual(publishRows, 0, '"UCore: Publish Event" is not offered in Restricted Mode');

      const tail = startCli(['tail', 'guard_restricted', '--count', '1', '--json', '--url', e2e.redis.url]);
      clis.push(tail);
      await waitForSubscribers(e2e.redis.port, 'guard_restricted');
      await clearNotifications(w);
      // A CodeLens of a .events file is still on screen: clicking it must be refused.
      await w.page.keyboard.press('Control+P');
      await w.quickInputType('restricted.events', { submit: false });
      await w.quickPickSelect('restricted.events');
      const lens = w.page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: 'Publish to guard_restricted' }).first();
      await lens.waitFor({ state: 'visible', timeout: 20_000 });
      await lens.click();
      const msg = await w.waitForNotification(/read-only in an untrusted workspace/);
      assert.match(msg, /cannot publish/);
      await w.screenshot('guards-2b-restricted-codelens-refused');
      // The first event the tail sees must be this sentinel, not the refused one.
      const r = await runCli(['publish', 'guard_restricted', JSON.stringify({ event_type: 'sentinel', data: {} }), '--url', e2e.redis.url]);
      assert.strictEqual(r.code, 0, r.stderr);
      const res = await tail.done(10_000);
      assert.strictEqual((JSON.parse(res.stdout.trim().split('\n')[0]) as { event: { event_type: string } }).event.event_type, 'sentinel');
      await w.page.keyboard.press('Control+W');
    });
    lap('restricted: publish refused');
  });

  it('after the user trusts the workspace, its connection may connect', async () => {
    const w = e2e.wb;
    await step(w, 'guards-trust', async () => {
      await w.openActivity('UCore Events');
      await w.runCommand('Workspaces: Manage Workspace Trust');
      const trust = w.page.locator('.workspace-trust-editor .monaco-button').filter({ hasText: /^Trust$/ }).first();
      await trust.waitFor({ state: 'visible', timeout: 15_000 });
      await trust.click();
      await eventually(async () => {
        const r = await rowOf(w, 'ws-redis');
        return r && !/needs a trusted workspace/.test(r.description);
      }, 'ws-redis listed and no longer waiting for trust');
      await w.page.keyboard.press('Control+W').catch(() => undefined); // close the trust editor
      await connectFromPalette(w, 'ws-redis');
      await eventually(async () => /active · connected/.test((await rowOf(w, 'ws-redis'))?.description ?? ''), 'ws-redis active and connected');
      await w.screenshot('guards-3-trusted-workspace-connection');
    });
    lap('trusted');
  });

  it('a production connection asks before publishing, Cancel first: Enter sends nothing, Proceed sends', async () => {
    const w = e2e.wb;
    await step(w, 'guards-production', async () => {
      await w.openActivity('UCore Events');
      await connectFromPalette(w, 'prod-redis');
      const row = await eventually(async () => {
        const r = await rowOf(w, 'prod-redis');
        return r && /active · connected/.test(r.description) ? r : undefined;
      }, 'prod-redis active and connected');
      assert.match(row.description, /production/, 'the tree marks the connection as production');
      const tail = startCli(['tail', 'guard_prod', '--count', '1', '--json', '--url', e2e.redis.url]);
      clis.push(tail);
      await waitForSubscribers(e2e.redis.port, 'guard_prod');

      // The confirmation's highlighted row is Cancel, so a user who presses Enter (as through the steps before) stops.
      let asked: PromptState | undefined;
      await publishFromPalette(w, 'guard_prod', 'cancelled', [{
        match: /"prod-redis" is a PRODUCTION connection/,
        press: 'Enter',
        inspect: async (s) => {
          asked = s;
          await w.screenshot('guards-4a-production-confirm');
        },
      }]);
      assert.ok(asked, 'the confirmation was asked');
      assert.match(asked.placeholder, /Do you really want to publish order_paid to channel guard_prod\?/);
      assert.match(asked.rows[0] ?? '', /^Cancel\s*Enter or Escape: change nothing/, `Cancel is the first row: ${JSON.stringify(asked.rows)}`);
      assert.match(asked.focused, /^Cancel/, `Cancel is the highlighted row Enter accepts: "${asked.focused}"`);
      assert.ok(asked.rows.some((r) => /^Proceed/.test(r)), `Proceed is offered: ${JSON.stringify(asked.rows)}`);
      await w.page.waitForTimeout(1000);
      assert.strictEqual(tail.stdout(), '', 'Enter on the confirmation published nothing');

      await publishFromPalette(w, 'guard_prod', 'proceeded', [{ match: /"prod-redis" is a PRODUCTION connection/, pick: /Proceed/ }]);
      await w.waitForNotification(/Published order_paid to channel guard_prod/);
      const res = await tail.done(10_000);
      const first = JSON.parse(res.stdout.trim().split('\n')[0]) as { event: { data: { marker?: string } } };
      assert.strictEqual(first.event.data.marker, 'proceeded', 'the cancelled publish never reached Redis');
      await w.screenshot('guards-4b-production-proceeded');
    });
    lap('production guard');
  });

  it('a malformed URL is refused with a clear message (in the form and on connect)', async () => {
    const w = e2e.wb;
    await step(w, 'guards-bad-url', async () => {
      // In the Add Connection form, the URL box says what is wrong before anything is saved.
      await w.runCommand('UCore: Add Connection');
      await w.quickInputType('redis://127.0.0.1:99999', { submit: false });
      const s = await eventually(async () => {
        const p = await promptState(w.page);
        return p.visible && /99999/.test(p.message) ? p : undefined;
      }, 'a validation message under the URL box');
      await w.screenshot('guards-5a-bad-url-in-form');
      await w.page.keyboard.press('Escape');
      assert.match(s.message, /not a valid URL|port/i, `message: ${s.message}`);

      // A malformed URL from settings: one clear error when connecting.
      await clearNotifications(w);
      const { msg, took } = await connectExpectingError(w, 'bad-url', /Connect failed/);
      assert.match(msg, /URL|port/i, msg);
      assert.doesNotMatch(msg, /undefined|\[object|at .*\.js:\d+/, 'a message for people, not a stack');
      console.log(`bad URL: "${msg}" after ${took} ms`);
      await w.screenshot('guards-5b-bad-url-connect');
    });
    lap('bad URL');
  });

  it('a wrong password gives a clear authentication error; the right one connects', async () => {
    const w = e2e.wb;
    await step(w, 'guards-wrong-password', async () => {
      await w.openActivity('UCore Events');
      await clearNotifications(w);
      const first = await connectExpectingError(w, 'locked', /locked: authentication failed/);
      console.log(`no password: "${first.msg}" after ${first.took} ms`);
      await clickNotificationButton(w.page, /locked: authentication failed/, 'Enter Password');
      await w.page.locator('.quick-input-widget .quick-input-message', { hasText: 'Password for locked' }).waitFor({ timeout: 10_000 });
      assert.strictEqual(await w.page.locator('.quick-input-widget .quick-input-box input').getAttribute('type'), 'password', 'the password is typed into a password box');
      await w.quickInputType('wrong-password');
      const t1 = Date.now();
      const msg = await w.waitForNotification(/Connect failed/, COMMAND_TIMEOUT_MS + ERROR_SLACK_MS);
      console.log(`wrong password: "${msg}" after ${Date.now() - t1} ms`);
      assert.match(msg, /password|auth/i, msg);
      assert.doesNotMatch(msg, /wrong-password/, 'the password is never shown');
      await w.screenshot('guards-6a-wrong-password');

      await clearNotifications(w);
      await connectFromPalette(w, 'locked');
      // The stored password is wrong now: the same offer to enter it comes back.
      await w.waitForNotification(/locked: authentication failed/, COMMAND_TIMEOUT_MS + ERROR_SLACK_MS);
      await clickNotificationButton(w.page, /locked: authentication failed/, 'Enter Password');
      await answerPrompts(w, [{ match: /Password for locked/, type: PASSWORD }], { settleMs: 500 });
      await eventually(async () => /active · connected/.test((await rowOf(w, 'locked'))?.description ?? ''), 'locked connected with the right password', 10_000);
      await w.screenshot('guards-6b-right-password');
    });
    lap('wrong password');
  });

  it('an unreachable port gives a clear error within the timeout', async () => {
    const w = e2e.wb;
    await step(w, 'guards-unreachable', async () => {
      await clearNotifications(w);
      await w.openActivity('UCore Events');
      const { msg, took } = await connectExpectingError(w, 'nowhere', /Connect failed/);
      console.log(`unreachable: "${msg}" after ${took} ms`);
      assert.match(msg, /refused|unreachable|could not connect|ECONNREFUSED/i, msg);
      const row = await eventually(async () => {
        const r = await rowOf(w, 'nowhere');
        return r && /error/.test(r.description) ? r : undefined;
      }, 'the Connections view showing the error');
      assert.match(row.description, /error/);
      await w.screenshot('guards-7-unreachable');
    });
    lap('unreachable');
  });

  it('a server that accepts but never answers gives a clear error within the timeout', async () => {
    const w = e2e.wb;
    await step(w, 'guards-silent', async () => {
      await clearNotifications(w);
      const { msg, took } = await connectExpectingError(w, 'silent', /Connect failed/);
      console.log(`silent server: "${msg}" after ${took} ms`);
      assert.match(msg, /time(d)? ?out|did not answer|no answer/i, msg);
      assert.ok(silentSockets.length > 0, 'the extension did reach the silent server');
      await w.screenshot('guards-8-silent-server');
    });
    lap('silent server');
  });
});

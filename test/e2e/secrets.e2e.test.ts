// A connection password must never leak. The test adds a connection to a password-protected redis-server through
// "UCore: Add Connection" (the password typed into its own hidden prompt), uses it (CLI publishes, a palette publish,
// the live monitor receiving traffic), adds a second connection with a wrong password (an error message that
// involves a connection), runs the CLI with a wrong password (a failing run), and then searches everywhere the
// passwords could surface for both of them:
//   - every file under code-server's user-data dir (settings.json, state.vscdb as raw bytes, logs/** including the
//     extension's "UCore Events" output-channel log) and the workspace folder,
//   - every file of the browser profile (where the web workbench keeps its storage), minus the one secret store,
//   - the text of every notification shown, the workbench DOM text, the monitor webview's DOM text,
//   - the messages posted to and from the monitor webview,
//   - the CLI's stdout/stderr.
// Each search also asserts that it looked at something real (the log mentions the connection, messages were seen...).
// Screenshots: .test-artifacts/screenshots/secrets-*.png.
import * as assert from 'node:assert';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import { useWorkbench } from './lib/fixture';
import { addConnectionInUi, answerPrompts, eventually, runCli, step, type CliResult } from './lib/ui';

const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const WRONG = `wrongpw-${randomBytes(12).toString('hex')}`;
const SECRETS = [PASSWORD, WRONG];
const CONN = 'secret-redis';
const BAD_CONN = 'secret-redis-wrong';
const CHANNEL = 'secret_orders';

function event(type: string, data: Record<string, unknown>) {
  return { event_id: `sec-${type}-${randomBytes(4).toString('hex')}`, event_type: type, timestamp: new Date().toISOString(), version: '1.0', data, metadata: {} };
}

/** All files under dir (symlinks are not followed: the extension link points at the repo). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Where a secret occurs in raw bytes: as UTF-8, and as UTF-16LE (Chromium's LevelDB / localStorage keep strings so). */
function findIn(buf: Buffer, secret: string): number {
  const a = buf.indexOf(Buffer.from(secret, 'utf8'));
  if (a >= 0) return a;
  return buf.indexOf(Buffer.from(secret, 'utf16le'));
}

const context = (buf: Buffer, at: number) => JSON.stringify(buf.subarray(Math.max(0, at - 200), at + 200).toString('latin1'));

describe('connection passwords do not leak (code-server UI)', { timeout: 300_000 }, () => {
  const e2e = useWorkbench({
    name: 'secrets',
    redis: { args: ['--requirepass', PASSWORD] },
    settings: { 'ucore.commandTimeoutMs': 4000 },
  });
  const { lap } = e2e;
  const cliRuns: { args: string[]; result: CliResult }[] = [];
  const goodUrl = () => `redis://:${PASSWORD}@127.0.0.1:${e2e.redis.port}`;
  const cli = async (args: string[]) => {
    const result = await runCli(args);
    cliRuns.push({ args, result });
    return result;
  };

  before(async () => {
    // Every notification the workbench shows, also ones that close before the test looks.
    await e2e.wb.page.evaluate(() => {
      const w = window as unknown as { __notes: string[] };
      w.__notes = [];
      const seen = new Set<Element>();
      const grab = () => {
        for (const el of Array.from(document.querySelectorAll('.notification-list-item'))) {
          const text = (el as HTMLElement).innerText;
          if (!seen.has(el) || !w.__notes.includes(text)) { seen.add(el); if (!w.__notes.includes(text)) w.__notes.push(text); }
        }
      };
      new MutationObserver(grab).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  });

  it('adds a connection with a password, uses it, and the password shows up nowhere', async () => {
    const w = e2e.wb;
    const port = e2e.redis.port;
    const frame = () => w.webviewFrame();
    const hostFrame = () => w.page.frameLocator('iframe.webview.ready');

    await step(w, 'secrets-add-connection', async () => {
      await addConnectionInUi(w, { url: `redis://127.0.0.1:${port}`, name: CONN, password: PASSWORD });
      await w.waitForNotification(new RegExp(`Connected to ${CONN}`));
      await w.openActivity('UCore Events');
      await eventually(async () => (await w.treeRows('Connections')).find((r) => r.label === CONN && /\bconnected\b/.test(r.description)),
        `"${CONN}" connected`);
      await w.screenshot('secrets-1-connection-added');
    });
    lap('connection added');

    await step(w, 'secrets-publish', async () => {
      const r = await cli(['publish', CHANNEL, JSON.stringify(event('order_created', { order_id: 1 })), '--url', goodUrl()]);
      assert.strictEqual(r.code, 0, `ucore publish failed: ${r.stderr}`);
      await eventually(async () => (await w.treeRows('Channels')).find((row) => row.label === CHANNEL), `${CHANNEL} in the Channels view`);
      await w.runCommand('UCore: Publish Event');
      await answerPrompts(w, [
        { match: /Publish to a channel or append to a stream/, pick: CHANNEL },
        { match: /Event type/, pick: 'order_created' },
        { match: /as JSON/, edit: (v) => v },
      ]);
      await w.waitForNotification(new RegExp(`Published order_created to channel ${CHANNEL}`));
    });
    lap('published from the CLI and the palette');

    await step(w, 'secrets-monitor', async () => {
      await w.runCommand('UCore: Open Live Monitor');
      await frame().locator('h1', { hasText: 'Live Monitor' }).waitFor({ state: 'visible', timeout: 30_000 });
      await eventually(async () => new RegExp(`${CONN} · ready`).test(await frame().locator('body').innerText()), 'the monitor ready on the connection', 20_000);
      // Record the messages both ways. The content frame receives what the extension posts as window 'message'
      // events. The workbench and the webview's host frame talk over a MessagePort: hooking MessagePort.postMessage
      // in the workbench page records what goes to the webview, in the host frame what the webview sends back.
      const hook = () => {
        const w2 = window as unknown as { __msgs?: string[] };
        if (w2.__msgs) return;
        const msgs: string[] = (w2.__msgs = []);
        const rec = (d: unknown) => { try { msgs.push(JSON.stringify(d) ?? String(d)); } catch { msgs.push(String(d)); } };
        window.addEventListener('message', (e) => rec(e.data), true);
        const orig = MessagePort.prototype.postMessage;
        MessagePort.prototype.postMessage = function (this: MessagePort, ...a: unknown[]) {
          rec(a[0]);
          return (orig as (...x: unknown[]) => void).apply(this, a);
        } as typeof orig;
      };
      await frame().locator('body').evaluate(hook);
      await hostFrame().locator('body').evaluate(hook);
      await w.page.evaluate(hook);
      for (let i = 0; i < 5; i++) {
        const r = await cli(['publish', CHANNEL, JSON.stringify(event('order_paid', { order_id: 10 + i })), '--url', goodUrl()]);
        assert.strictEqual(r.code, 0, `ucore publish failed: ${r.stderr}`);
      }
      await eventually(async () => /order_paid/.test(await frame().locator('body').innerText()), 'the published events in the monitor', 20_000);
      // Something from the webview to the extension too: pause and resume.
      await frame().getByRole('button', { name: 'Pause' }).click();
      await frame().getByRole('button', { name: 'Resume' }).click();
      await w.page.waitForTimeout(2000);
      await w.screenshot('secrets-2-monitor');
    });
    lap('monitor received traffic');

    await step(w, 'secrets-wrong-password', async () => {
      // The CLI with a wrong password: a failing run whose output must not echo it.
      const bad = await cli(['publish', CHANNEL, JSON.stringify(event('order_paid', { order_id: 99 })), '--url', `redis://:${WRONG}@127.0.0.1:${port}`]);
      assert.notStrictEqual(bad.code, 0, `the CLI with a wrong password failed: ${JSON.stringify(bad)}`);
      // A second connection with a wrong password typed into the prompt: the connect fails with an error message.
      await w.page.locator('.part.sidebar .composite.title').first().click();
      await addConnectionInUi(w, { url: `redis://127.0.0.1:${port}`, name: BAD_CONN, password: WRONG });
      await eventually(async () => {
        const notes = await w.page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
        // "Add Connection failed: authentication failed at redis://127.0.0.1:PORT/0: invalid username-password pair…"
        return notes.find((n) => /Add Connection failed/.test(n) && n.includes(String(port)) && /authentication/i.test(n));
      }, `the error notification of the failed Add Connection`, 30_000);
      await w.screenshot('secrets-3-wrong-password');
    });
    lap('wrong password tried');

    // ----- the searches -----
    const leaks: string[] = [];
    const check = (where: string, text: string) => {
      for (const s of SECRETS) {
        const at = text.indexOf(s);
        if (at >= 0) leaks.push(`${where}: ${s === PASSWORD ? 'PASSWORD' : 'WRONG'} at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 200), at + 200))}`);
      }
    };

    // UI text: notifications, the workbench, the monitor webview.
    const notes = await w.page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
    assert.ok(notes.some((n) => n.includes(`Connected to ${CONN}`)), `the notifications were recorded: ${JSON.stringify(notes)}`);
    notes.forEach((n, i) => check(`notification #${i}`, n));
    check('workbench DOM text', await w.page.locator('body').innerText());
    check('workbench DOM html', await w.page.content());
    // The failed connection became the active one, and the monitor keeps each connection's history apart: switch back
    // to the one with traffic, as a user would, so the search below covers a monitor that shows it.
    await w.runCommand('UCore: Select Connection');
    await answerPrompts(w, [{ match: /Active connection/, pick: new RegExp(`${CONN}(?!-wrong)`) }]);
    let webviewText = '';
    await eventually(async () => {
      webviewText = await frame().locator('body').innerText();
      return /order_paid/.test(webviewText) ? true : undefined;
    }, 'the monitor webview shows the traffic', 20_000);
    check('monitor webview text', webviewText);
    check('monitor webview html', await frame().locator('html').evaluate((e) => e.outerHTML));

    // Webview messages.
    const inner = await frame().locator('body').evaluate(() => (window as unknown as { __msgs: string[] }).__msgs);
    const outer = await hostFrame().locator('body').evaluate(() => (window as unknown as { __msgs: string[] }).__msgs);
    const pageSide = await w.page.evaluate(() => (window as unknown as { __msgs: string[] }).__msgs);
    assert.ok(inner.length >= 3, `messages to the webview were captured: ${inner.length}`);
    assert.ok(inner.join('\n').includes('order_paid'), 'the captured messages carry the traffic');
    assert.ok(outer.some((m) => /pause|resume/i.test(m)), `the webview's own messages (pause / resume) were captured: ${outer.slice(0, 20).join('\n').slice(0, 2000)}`);
    [...inner.map((m) => ['webview message (content frame)', m]), ...outer.map((m) => ['webview message (host frame)', m]),
      ...pageSide.map((m) => ['workbench MessagePort message', m])]
      .forEach(([where, m], i) => check(`${where} #${i}`, m));

    // The CLI's output.
    assert.ok(cliRuns.length >= 7 && cliRuns.some((r) => r.result.code !== 0));
    for (const r of cliRuns) check(`CLI ${r.args[0]} (exit ${r.result.code}) stdout+stderr`, `${r.result.stdout}\n${r.result.stderr}`);
    const failed = cliRuns.find((r) => r.result.code !== 0)!;
    assert.ok(failed.result.stderr.trim().length > 0, 'the failing CLI run said why');

    // Files (the workbench stays open: a short wait lets storage and logs flush).
    await w.page.waitForTimeout(2000);
    const s = e2e.server;
    const udd = join(s.runDir, 'udd');
    const uddFiles = filesUnder(udd);
    const settingsFile = join(udd, 'User', 'settings.json');
    assert.ok(uddFiles.includes(settingsFile), 'User/settings.json exists');
    const extLog = uddFiles.find((f) => /[\\/]logs[\\/]/.test(f) && /UCore Events\.log$/.test(f));
    assert.ok(extLog, `the extension's output-channel log exists under udd/logs: ${uddFiles.filter((f) => /logs/.test(f)).map((f) => relative(udd, f)).join(', ')}`);
    const logText = readFileSync(extLog, 'utf8');
    assert.ok(logText.includes(CONN) && logText.includes(BAD_CONN), `the extension log mentions both connections:\n${logText.slice(0, 3000)}`);
    const searched: string[] = [];
    for (const f of [...uddFiles, ...filesUnder(s.workspace), s.logFile]) {
      if (!existsSync(f)) continue;
      const buf = readFileSync(f);
      searched.push(`${relative(s.runDir, f)} (${buf.length} B)`);
      for (const sec of SECRETS) {
        const at = findIn(buf, sec);
        if (at >= 0) leaks.push(`file ${f}: ${sec === PASSWORD ? 'PASSWORD' : 'WRONG'} at ${at}: ${context(buf, at)}`);
      }
    }
    console.log(`searched ${searched.length} files under the run dir and workspace:\n  ${searched.join('\n  ')}`);

    // The browser profile: the web workbench's storage (IndexedDB, Local Storage). Its path from chrome://version.
    const vp = await w.context.newPage();
    await vp.goto('chrome://version');
    const profile = (await vp.locator('#profile_path').innerText()).trim();
    await vp.close();
    const profileFiles = filesUnder(profile);
    assert.ok(profileFiles.length > 10, `the browser profile ${profile} has files`);
    const profileHits: string[] = [];
    for (const f of profileFiles) {
      let buf: Buffer;
      try { buf = readFileSync(f); } catch { continue; }
      for (const sec of SECRETS) {
        const at = findIn(buf, sec);
        if (at >= 0) profileHits.push(`${relative(profile, f)}: ${sec === PASSWORD ? 'PASSWORD' : 'WRONG'} at ${at}: ${context(buf, at)}`);
      }
    }
    console.log(`searched ${profileFiles.length} files of the browser profile; hits: ${profileHits.length ? `\n  ${profileHits.join('\n  ')}` : 'none'}`);
    leaks.push(...profileHits.map((h) => `browser profile ${h}`));

    // Positive control: the password-free connection list (extension global state) is in that browser storage, so
    // the search does reach where the extension's state is kept.
    const stateHits = profileFiles.filter((f) => { try { return findIn(readFileSync(f), BAD_CONN) >= 0; } catch { return false; } });
    console.log(`browser-profile files naming ${BAD_CONN}: ${stateHits.map((f) => relative(profile, f)).join(', ') || 'none'}`);
    assert.ok(stateHits.length > 0, `the extension's state (naming ${BAD_CONN}) was found in the browser profile`);
    // The secret store: VS Code web keeps SecretStorage in browser storage, encrypted (the server holds a key half,
    // udd/serve-web-key-half). Neither the password nor even the secret's key name is in any file in plain text (the
    // connection works, so the password was stored), so nothing needed excluding from the searches above. Logged:
    const keyHits = profileFiles.filter((f) => { try { return findIn(readFileSync(f), `ucore.connection.password/${CONN}`) >= 0; } catch { return false; } });
    console.log(`browser-profile files naming the secret key: ${keyHits.map((f) => relative(profile, f)).join(', ') || 'none'}`);
    console.log(`notifications: ${JSON.stringify(notes)}\nwebview messages: ${inner.length} in the content frame, ${outer.length} in the host frame, ${pageSide.length} workbench MessagePort; CLI runs: ${cliRuns.length}`);
    assert.deepStrictEqual(leaks, [], `the password was found:\n${leaks.join('\n')}`);
    lap('searched');
  });
});

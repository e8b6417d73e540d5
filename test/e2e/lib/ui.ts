// Helpers for UI flows beyond workbench.ts: multi-step prompts, editor text, tree context menus, modal dialogs,
// and the `ucore` CLI / redis-cli as outside observers. Everything waits for the UI instead of sleeping.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { REPO_ROOT } from './paths';
import type { Workbench } from './workbench';

const QUICK_INPUT = '.quick-input-widget';
const UI_TIMEOUT = 15_000;

// ---------------------------------------------------------------------------------------------------------------
// Prompts (input boxes and quick picks, as a user answers them)

/** One answer to a prompt whose title / placeholder / prompt text matches `match`. */
export interface PromptAnswer {
  match: RegExp;
  /** Type this into the box (input boxes; '' submits an empty value). */
  type?: string;
  /** Or pick the row with this text (quick picks). */
  pick?: string | RegExp;
  /** Or pick the row whose label is exactly this (see pickByLabel). */
  pickLabel?: string;
  /** Or change the prefilled value (e.g. edit a JSON template) and submit it. */
  edit?: (current: string) => string;
  /** Multi-select pick: the rows to check before accepting. */
  check?: (string | RegExp)[];
  /** Or press this key as the user would (e.g. 'Enter' on a quick pick: accepts the highlighted row). */
  press?: string;
  /** Called with the prompt before it is answered (assertions, screenshots). */
  inspect?: (s: PromptState) => void | Promise<void>;
}

export interface PromptState {
  visible: boolean;
  title: string;
  placeholder: string;
  message: string;
  value: string;
  /** Rows of a quick pick (empty for an input box). */
  rows: string[];
  /** The highlighted row of a quick pick, the one Enter accepts ('' when none). */
  focused: string;
  /** The message is shown as an error (validation failed). */
  error: boolean;
}

/** What the quick input shows right now. */
export async function promptState(page: Page): Promise<PromptState> {
  return page.evaluate((sel) => {
    const w = document.querySelector(sel) as HTMLElement | null;
    // A widget that is closing (animation) still shows its old content: count it as gone.
    const visible = !!w && w.style.display !== 'none' && w.offsetParent !== null && !w.classList.contains('quick-input-widget-closing');
    if (!w || !visible) return { visible: false, title: '', placeholder: '', message: '', value: '', rows: [], focused: '', error: false };
    const input = w.querySelector('.quick-input-box input') as HTMLInputElement | null;
    const msgEl = w.querySelector('.quick-input-message') as HTMLElement | null;
    const list = w.querySelector('.quick-input-list') as HTMLElement | null;
    const listVisible = !!list && list.offsetParent !== null && getComputedStyle(list).display !== 'none';
    const rows = listVisible ? Array.from(w.querySelectorAll('.quick-input-list .monaco-list-row')).map((r) => (r as HTMLElement).innerText.replace(/\s+/g, ' ').trim()) : [];
    const box = w.querySelector('.quick-input-box .monaco-inputbox');
    const focusedRow = listVisible ? w.querySelector('.quick-input-list .monaco-list-row.focused') as HTMLElement | null : null;
    return {
      visible,
      title: (w.querySelector('.quick-input-title') as HTMLElement | null)?.innerText.trim() ?? '',
      placeholder: input?.getAttribute('placeholder') ?? '',
      message: msgEl && msgEl.offsetParent !== null ? msgEl.innerText.trim() : '',
      value: input?.value ?? '',
      rows,
      focused: focusedRow?.innerText.replace(/\s+/g, ' ').trim() ?? '',
      error: !!box && /\berror\b/.test(box.className),
    };
  }, QUICK_INPUT);
}

const describePrompt = (s: PromptState) =>
  `title="${s.title}" placeholder="${s.placeholder}" message="${s.message}" value="${s.value.slice(0, 120)}" rows=${JSON.stringify(s.rows.slice(0, 8))}`;

/**
 * Answers a sequence of prompts in whatever order they come: each prompt is matched (title + placeholder + message)
 * against the answers not used yet, first match wins. Returns when no prompt has shown for `settleMs` after the
 * last answer. Throws with the prompt's text when nothing matches or the answer is rejected by validation.
 * `transcript` collects what was asked, for the test's diagnostics.
 */
export async function answerPrompts(wb: Workbench, answers: PromptAnswer[], options: { settleMs?: number; timeoutMs?: number; transcript?: string[] } = {}): Promise<string[]> {
  const { page } = wb;
  const settleMs = options.settleMs ?? 1500;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const left = [...answers];
  const transcript = options.transcript ?? [];
  const widget = page.locator(QUICK_INPUT);
  // The first prompt may take a moment (the command starts, asks Redis for channels...).
  await widget.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  for (;;) {
    if (Date.now() > deadline) throw new Error(`prompts did not finish; asked so far:\n${transcript.join('\n')}`);
    let s = await promptState(page);
    if (!s.visible) {
      // Between two steps the widget hides for a moment; a command that is done leaves it hidden. While answers are
      // left, the next prompt may still be loading (a busy machine, a Redis round trip to list channels): wait longer.
      const wait = left.length > 0 ? Math.max(settleMs, 8000) : settleMs;
      const shown = await widget.waitFor({ state: 'visible', timeout: wait }).then(() => true, () => false);
      if (!shown) return transcript;
      continue;
    }
    // A quick pick that is still loading has no rows yet: give it a moment.
    if (s.rows.length === 0 && /loading/i.test(s.placeholder + s.message)) { await page.waitForTimeout(100); continue; }
    const key = `${s.title}\n${s.placeholder}\n${s.message}`;
    const i = left.findIndex((a) => a.match.test(key));
    if (i < 0) {
      // Possibly the previous prompt is still closing with a new one on the way: look again shortly.
      await page.waitForTimeout(300);
      const again = await promptState(page);
      if (again.visible && `${again.title}\n${again.placeholder}\n${again.message}` === key) {
        throw new Error(`no answer for prompt: ${describePrompt(s)}\nasked so far:\n${transcript.join('\n')}`);
      }
      continue;
    }
    const answer = left.splice(i, 1)[0];
    transcript.push(describePrompt(s));
    await answer.inspect?.(s);
    const box = page.locator(`${QUICK_INPUT} .quick-input-box input`);
    if (answer.press !== undefined) {
      await page.keyboard.press(answer.press);
    } else if (answer.pickLabel !== undefined) {
      await pickByLabel(wb, answer.pickLabel);
    } else if (answer.pick !== undefined) {
      await wb.quickPickSelect(answer.pick);
    } else if (answer.check) {
      for (const c of answer.check) {
        const row = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).filter({ hasText: c }).first();
        await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
        const cb = row.locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox').first();
        if (await cb.count()) await cb.click(); else await row.click();
      }
      await page.locator(`${QUICK_INPUT} .quick-input-action .monaco-button, ${QUICK_INPUT} .quick-input-ok .monaco-button`).first().click()
        .catch(async () => { await box.press('Enter'); });
    } else {
      const text = answer.edit ? answer.edit(s.value) : (answer.type ?? '');
      // code-server's simple file dialog (placeholder "Folder path") opens on the folder ("/tmp/") and writes the
      // default file name into the box a moment later: typed before that, the path is overwritten and the default is
      // saved. Wait until its value holds still, type, and type again if the dialog still replaced it.
      const fileDialog = /Folder path/i.test(s.placeholder);
      if (fileDialog) await valueSettled(box);
      await box.fill(text);
      if (fileDialog) {
        await page.waitForTimeout(500);
        if ((await box.inputValue()) !== text) await box.fill(text);
      }
      await box.press('Enter');
    }
    // Wait until this prompt is gone or replaced; a prompt that stays with an error rejected the answer.
    const until = Date.now() + UI_TIMEOUT;
    for (;;) {
      await page.waitForTimeout(100);
      s = await promptState(page);
      if (!s.visible || `${s.title}\n${s.placeholder}\n${s.message}` !== key) break;
      if (Date.now() > until) throw new Error(`prompt did not accept the answer: ${describePrompt(s)}`);
    }
    if (s.visible && s.error && answer.match.test(`${s.title}\n${s.placeholder}`)) {
      throw new Error(`answer rejected: ${describePrompt(s)}`);
    }
  }
}

/** Waits (at most 5 s) until an input's value stops changing and is not a bare folder ending in a slash. */
async function valueSettled(box: Locator): Promise<void> {
  let last = await box.inputValue();
  for (const until = Date.now() + 5000; Date.now() < until;) {
    await box.page().waitForTimeout(300);
    const now = await box.inputValue();
    if (now === last && !/[\\/]$/.test(now)) return;
    last = now;
  }
}

/**
 * Picks the quick-pick row whose label (without icon, description or detail) is exactly `label`. Row text runs label
 * and description together ("user-redisdisconnected"), so a text match cannot tell "redis" from "user-redis".
 */
export async function pickByLabel(wb: Workbench, label: string): Promise<void> {
  const { page } = wb;
  const row = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }),
  }).first();
  await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await row.click();
}

// ---------------------------------------------------------------------------------------------------------------
// Editors

/** The active editor group's tab title. */
export async function activeEditorTitle(page: Page): Promise<string> {
  return page.locator('.part.editor .editor-group-container.active .tab.active .label-name').first().innerText({ timeout: UI_TIMEOUT });
}

/** The visible text of the active editor (Monaco renders visible lines only), lines joined with \n. */
export async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const group = document.querySelector('.part.editor .editor-group-container.active') ?? document.querySelector('.part.editor');
    const lines = Array.from(group?.querySelectorAll('.monaco-editor .view-lines .view-line') ?? []) as HTMLElement[];
    // Lines are absolutely positioned and not necessarily in DOM order.
    lines.sort((a, b) => parseFloat(a.style.top || '0') - parseFloat(b.style.top || '0'));
    return lines.map((l) => l.textContent?.replace(/\u00a0/g, ' ') ?? '').join('\n');
  });
}

/** Waits until the active editor's visible text matches. Returns it. */
export async function waitForEditorText(page: Page, pattern: RegExp | ((text: string) => boolean), timeoutMs = UI_TIMEOUT): Promise<string> {
  const test = typeof pattern === 'function' ? pattern : (t: string) => pattern.test(t);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await editorText(page);
    if (test(last)) return last;
    if (Date.now() > deadline) throw new Error(`editor text did not match ${String(pattern)}; it shows:\n${last.slice(0, 2000)}`);
    await page.waitForTimeout(200);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Trees, menus, dialogs

/**
 * Right-clicks a tree row and runs the context-menu entry whose label matches. The entry is chosen the keyboard way
 * (hover focuses it, Enter runs it): a mouse click that comes right after the menu opened is sometimes dropped by the
 * menu, and a live tree that re-renders can close it; then it tries again.
 */
export async function treeContextAction(wb: Workbench, row: Locator, action: string | RegExp): Promise<void> {
  const { page } = wb;
  const menu = page.locator('.context-view .monaco-menu');
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right' });
    const entry = menu.locator('.action-item').filter({ has: page.locator('.action-label', { hasText: action }) }).first();
    await entry.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await entry.hover();
    const focused = await page.waitForFunction((el) => !!el && /\bfocused\b/.test(el.className), await entry.elementHandle(), { timeout: 2_000 })
      .then(() => true, () => false);
    if (focused) {
      await page.keyboard.press('Enter');
      const closed = await menu.first().waitFor({ state: 'hidden', timeout: 2_000 }).then(() => true, () => false);
      if (closed) return;
    }
    await page.keyboard.press('Escape');
    if (attempt >= 3) throw new Error(`the context menu entry ${String(action)} could not be run`);
  }
}

/** Hovers a tree row and clicks its inline action button whose title (aria-label) starts with `title`. */
/**
 * Clicks a tree row's inline action and waits for its effect (`done` throws when it does not come within the time it
 * is given). A live tree that re-renders between the hover and the click swallows the click, so it tries again.
 */
export async function treeInlineAction<T>(row: Locator, title: string, done: (timeoutMs: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await row.hover();
    const action = row.locator(`.actions .action-label[aria-label^="${title}"]`).first();
    await action.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await action.click();
    try {
      return await done(attempt < 3 ? 5_000 : UI_TIMEOUT);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/** The text of the modal dialog on screen (VS Code's own dialog, not a browser one). */
export async function modalDialog(page: Page, timeoutMs = UI_TIMEOUT): Promise<{ text: string; buttons: string[] }> {
  const box = page.locator('.monaco-dialog-box').first();
  await box.waitFor({ state: 'visible', timeout: timeoutMs });
  return {
    text: (await box.locator('.dialog-message-text, .dialog-message-detail').allInnerTexts()).join('\n'),
    buttons: await box.locator('.dialog-buttons .monaco-button').allInnerTexts(),
  };
}

export async function clickDialogButton(page: Page, label: string | RegExp): Promise<void> {
  const box = page.locator('.monaco-dialog-box').first();
  await box.locator('.dialog-buttons .monaco-button').filter({ hasText: label }).first().click();
  await box.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}

/** Clicks a button of the notification toast whose message matches. */
export async function clickNotificationButton(page: Page, message: RegExp, button: string | RegExp): Promise<void> {
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ has: page.locator('.notification-list-item-message', { hasText: message }) }).first();
  await toast.locator('.monaco-button').filter({ hasText: button }).first().click();
}

/** Closes all notification toasts (so later waits do not match old ones). */
export async function clearNotifications(wb: Workbench): Promise<void> {
  await wb.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// Outside observers: the `ucore` CLI and redis-cli

export interface CliResult { code: number | null; stdout: string; stderr: string }

const CLI = () => join(REPO_ROOT, 'dist', 'cli.js');

/** Runs `node dist/cli.js ...args` to completion. */
export function runCli(args: string[], timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI(), ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : (err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

export interface BackgroundCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the result when the process exits, or rejects after timeoutMs (and kills it). */
  done(timeoutMs: number): Promise<CliResult>;
  kill(): void;
}

/** Starts the CLI in the background (e.g. `tail`) and collects its output. */
export function startCli(args: string[]): BackgroundCli {
  const child = spawn(process.execPath, [CLI(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => { out += String(d); });
  child.stderr?.on('data', (d) => { err += String(d); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    kill,
    async done(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => { kill(); reject(new Error(`ucore ${args.join(' ')} did not exit within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`)); }, timeoutMs);
      });
      try {
        const code = await Promise.race([exited, timeout]);
        return { code, stdout: out, stderr: err };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `redis-cli -p port ...args`, raw output trimmed. */
export function redisCli(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--no-raw', ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

/** `redis-cli --raw`: one value per line. */
export function redisCliRaw(port: number, args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--raw', ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve(stdout.replace(/\n$/, '').split('\n'));
    });
  });
}

/** Waits until `channel` has at least `n` subscribers (PUBSUB NUMSUB), e.g. a `ucore tail` that has started. */
export async function waitForSubscribers(port: number, channel: string, n = 1, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [, count] = await redisCliRaw(port, ['PUBSUB', 'NUMSUB', channel]);
    if (Number(count) >= n) return;
    if (Date.now() > deadline) throw new Error(`${channel} has ${count} subscribers, expected ${n}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `check` until it returns a truthy value. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = UI_TIMEOUT, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) { lastError = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Runs `fn`; on failure saves FAILED-<name>.png, closes what the failed step left open (a quick input, a modal
 * dialog) so the next test starts from a clean workbench, and rethrows.
 */
export async function step<T>(wb: Workbench, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    await wb.screenshot(`FAILED-${name}`).catch(() => undefined);
    for (let i = 0; i < 3; i++) {
      const open = await wb.page.locator(`${QUICK_INPUT}:visible, .monaco-dialog-box:visible, .context-view .monaco-menu:visible`).count().catch(() => 0);
      if (!open) break;
      await wb.page.keyboard.press('Escape').catch(() => undefined);
      await wb.page.waitForTimeout(200);
    }
    throw e;
  }
}

/**
 * UCore: Add Connection, answered like a user would: URL, name, no TLS, no ACL user, the password (or none),
 * Development. Returns when the prompts have settled; the caller waits for what it expects (connected or an error).
 */
export async function addConnectionInUi(wb: Workbench, connection: { url: string; name: string; password?: string }): Promise<string[]> {
  await wb.runCommand('UCore: Add Connection');
  return answerPrompts(wb, [
    { match: /URL/, type: connection.url },
    { match: /: name/, type: connection.name },
    { match: /TLS/, pick: 'No TLS' },
    { match: /ACL user/, type: '' },
    { match: /password/i, type: connection.password ?? '' },
    { match: /production/i, pick: 'Development' },
  ]);
}

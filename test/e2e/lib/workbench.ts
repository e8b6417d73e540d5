// Drives code-server's real VS Code workbench with playwright-core + Debian's Chromium.
// Selectors are the ones verified in /work/shared/E2E.md; each helper waits for the UI rather than sleeping.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { ARTIFACTS_DIR, CHROMIUM } from './paths';

export interface WorkbenchOptions {
  /** Screenshots go to <artifactsDir>/screenshots. Default <repo>/.test-artifacts. */
  artifactsDir?: string;
  /** Extra `payload` entries for the page URL (e.g. extensionDevelopmentPath; needs a smoke-test-driver server). */
  payload?: [string, string][];
  /** Called before the page loads, e.g. to exposeFunction() hooks the workbench looks up at startup. */
  beforeGoto?: (page: Page) => Promise<void>;
  /** Default 60 s: the workbench needs 6–7 s on this machine, much more under load. */
  timeoutMs?: number;
}

export interface TreeRow {
  label: string;
  description: string;
  /** The row's aria-label: the tooltip if the item sets one, else label + description. */
  ariaLabel: string;
  /** undefined for leaves. */
  expanded?: boolean;
}

export interface Workbench {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught page errors, in order; the workbench logs some harmless ones (gallery, auth). */
  pageErrors: string[];
  runCommand(title: string): Promise<void>;
  quickPickSelect(text: string | RegExp): Promise<void>;
  quickInputType(text: string, options?: { submit?: boolean }): Promise<void>;
  openActivity(title: string): Promise<void>;
  treeRows(viewTitle?: string): Promise<TreeRow[]>;
  waitForTreeRow(text: string | RegExp, viewTitle?: string): Promise<Locator>;
  expandTreeRow(text: string | RegExp, viewTitle?: string): Promise<void>;
  /**
   * Folds every view of the side bar except `keep`: a tree renders only the rows in view, so a test that reads rows
   * must not depend on how much room the other views take.
   */
  foldViewsExcept(...keep: string[]): Promise<void>;
  notifications(): Promise<string[]>;
  waitForNotification(pattern: RegExp, timeoutMs?: number): Promise<string>;
  screenshot(name: string): Promise<string>;
  webviewFrame(): FrameLocator;
  close(): Promise<void>;
}

// From E2E.md: headless Chromium as root in a container, no GPU, nothing that phones home.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const QUICK_INPUT = '.quick-input-widget';
const QUICK_ROW = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;
const UI_TIMEOUT = 15_000;
// Commands of extensions appear once the extension host has scanned them: 8–10 s after page load here.
const COMMAND_TIMEOUT = 30_000;

export async function openWorkbench(url: string, folder: string, options: WorkbenchOptions = {}): Promise<Workbench> {
  const artifactsDir = options.artifactsDir ?? ARTIFACTS_DIR;
  const profile = mkdtempSync(join(tmpdir(), 'ucore-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 },
  });
  // From here on a failure must not leak a 700 MiB browser: close it before rethrowing.
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    await options.beforeGoto?.(page);

    let target = `${url}/?folder=${encodeURIComponent(folder)}`;
    if (options.payload) target += `&payload=${encodeURIComponent(JSON.stringify(options.payload))}`;
    await page.goto(target, { timeout: options.timeoutMs ?? 60_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: options.timeoutMs ?? 60_000 });

    const quickInput = page.locator(QUICK_INPUT);
    const quickInputBox = page.locator(`${QUICK_INPUT} .quick-input-box input`);

    // Accept the row matching `text`: Enter when it is already the focused row (what a user would do),
    // otherwise click it, because fuzzy matching and "recently used" can put another row first.
    async function pickRow(text: string | RegExp, timeout = UI_TIMEOUT) {
      const row = page.locator(QUICK_ROW).filter({ hasText: text }).first();
      await row.waitFor({ state: 'visible', timeout });
      const focused = page.locator(`${QUICK_ROW}.focused`).filter({ hasText: text });
      if (await focused.count()) await page.keyboard.press('Enter');
      else await row.click();
    }

    // A view pane (section in the side bar) by its header title; all custom trees when no title is given.
    function treeScope(viewTitle?: string): Locator {
      if (!viewTitle) return page.locator('.customview-tree');
      return page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: viewTitle }) }).locator('.customview-tree');
    }
    const rowIn = (text: string | RegExp, viewTitle?: string) =>
      treeScope(viewTitle).locator('.monaco-list-row').filter({ hasText: text }).first();

    const wb: Workbench = {
      page, context, pageErrors,

      async runCommand(title) {
        // The palette lists the commands known when it opens and does not refresh while open. Right after the
        // workbench appears, the extensions may not be scanned yet, so reopen it until the command shows up.
        const deadline = Date.now() + COMMAND_TIMEOUT;
        for (;;) {
          await page.keyboard.press('F1');
          await quickInputBox.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
          await quickInputBox.fill(`>${title}`);
          try {
            await pickRow(title, Math.min(3_000, Math.max(deadline - Date.now(), 500)));
            break;
          } catch (e) {
            if (Date.now() >= deadline) throw e;
            await page.keyboard.press('Escape');
            await quickInput.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
          }
        }
        // The palette closes; a command that asks something at once reuses the same widget for its own quick pick
        // or input box, often before a poll could see it hidden. Either way the palette's ">title" text is gone.
        await page.waitForFunction(({ sel, text }) => {
          const w = document.querySelector(sel) as HTMLElement | null;
          const input = w?.querySelector('.quick-input-box input') as HTMLInputElement | null;
          return !w || w.style.display === 'none' || w.offsetParent === null || input?.value !== text;
        }, { sel: QUICK_INPUT, text: `>${title}` }, { timeout: UI_TIMEOUT });
      },

      async quickPickSelect(text) {
        await quickInputBox.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
        await pickRow(text);
      },

      async quickInputType(text, { submit = true } = {}) {
        await quickInputBox.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
        await quickInputBox.fill(text);
        if (submit) await page.keyboard.press('Enter');
      },

      async openActivity(title) {
        const item = page.locator('.part.activitybar .action-item').filter({
          has: page.locator(`a[aria-label^="${title}"], .action-label[aria-label^="${title}"]`),
        }).first();
        await item.waitFor({ state: 'visible', timeout: 60_000 });
        // Clicking the active container would collapse the side bar, so only click when it is not checked.
        if (!/\bchecked\b/.test((await item.getAttribute('class')) ?? '')) await item.click();
        await page.locator('.part.sidebar .composite.title', { hasText: title }).first()
          .waitFor({ state: 'visible', timeout: UI_TIMEOUT }).catch(() => { /* some layouts hide the title; the views still show */ });
      },

      async treeRows(viewTitle) {
        // One evaluateAll, so the snapshot is consistent even while the tree re-renders.
        return treeScope(viewTitle).locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => {
          const exp = r.getAttribute('aria-expanded');
          return {
            label: r.querySelector('.label-name')?.textContent?.trim() ?? '',
            description: r.querySelector('.label-description')?.textContent?.trim() ?? '',
            ariaLabel: r.getAttribute('aria-label') ?? '',
            expanded: exp === null ? undefined : exp === 'true',
          };
        }));
      },

      async waitForTreeRow(text, viewTitle) {
        const row = rowIn(text, viewTitle);
        await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
        return row;
      },

      async expandTreeRow(text, viewTitle) {
        // A live tree (the Streams view refreshes every few seconds) may render the row anew while it is clicked:
        // look the row up again each time, and click again while it stays collapsed.
        const deadline = Date.now() + UI_TIMEOUT;
        const expanded = async () => (await rowIn(text, viewTitle).getAttribute('aria-expanded').catch(() => null)) === 'true';
        for (;;) {
          const row = await wb.waitForTreeRow(text, viewTitle);
          if ((await row.getAttribute('aria-expanded')) === 'true') return;
          // The twistie only toggles; clicking the label would also run the item's command.
          await row.locator('.monaco-tl-twistie').click();
          for (const until = Date.now() + 3_000; Date.now() < until;) {
            if (await expanded()) return;
            await page.waitForTimeout(100);
          }
          if (Date.now() > deadline) throw new Error(`the tree row ${String(text)} did not expand`);
        }
      },

      async foldViewsExcept(...keep) {
        const headers = page.locator('.part.sidebar .pane-header');
        for (let i = 0; i < await headers.count(); i++) {
          const header = headers.nth(i);
          const title = (await header.locator('.title').first().textContent().catch(() => ''))?.trim() ?? '';
          const open = (await header.getAttribute('aria-expanded')) === 'true';
          if (open !== keep.includes(title)) await header.click();
        }
        await page.waitForTimeout(300);
      },

      async notifications() {
        return page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts();
      },

      async waitForNotification(pattern, timeoutMs = UI_TIMEOUT) {
        const msg = page.locator('.notifications-toasts .notification-toast .notification-list-item-message').filter({ hasText: pattern }).first();
        await msg.waitFor({ state: 'visible', timeout: timeoutMs });
        return msg.innerText();
      },

      async screenshot(name) {
        const dir = join(artifactsDir, 'screenshots');
        mkdirSync(dir, { recursive: true });
        const file = join(dir, name.endsWith('.png') ? name : `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },

      webviewFrame() {
        // Webviews are two nested iframes: the host frame (class webview, "ready" once loaded) and the content.
        return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      },

      async close() {
        await context.close().catch(() => { /* already closed */ });
        rmSync(profile, { recursive: true, force: true });
      },
    };
    return wb;
  } catch (e) {
    await context.close().catch(() => { /* ignore */ });
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}

// Hostile payloads in a real VS Code (code-server) UI: an event whose channel name, event_type and data carry HTML and
// script is published with the `ucore` CLI, then looked at everywhere the extension shows it (Channels tree, tail
// document, Streams tree + inspect document, live monitor webview, stream entries view). It must show as literal text and run nothing:
// no browser dialog, no `window.__pwned` in the page or any frame, no <img src=x> element created from the payload.
// Screenshots: .test-artifacts/screenshots/hostile-*.png.
import * as assert from 'node:assert';
import { describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { useWorkbench } from './lib/fixture';
import { activeEditorTitle, answerPrompts, eventually, redisCli, runCli, step, treeContextAction, treeInlineAction, waitForEditorText } from './lib/ui';
import type { Workbench } from './lib/workbench';

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>window.__pwned=1</script>';
const CHANNEL = IMG;
const TYPE = SCRIPT;
const STREAM = `xss:${IMG}`;
const CONN = 'xss-redis';
const ENTRIES_STREAM = `xss-entries:${IMG}`;

const hostileEvent = (n: number) => ({
  event_id: `xss-${n}`, event_type: TYPE, timestamp: new Date().toISOString(), version: '1.0',
  entity_id: IMG, user_id: SCRIPT,
  data: { html: IMG, script: SCRIPT, svg: '<svg/onload=alert(2)>', n },
  metadata: { source: `"><iframe src=javascript:alert(3)>` },
});

/** Every frame's `window.__pwned` (undefined everywhere = nothing ran), and browser alerts seen. */
async function pwnedAnywhere(wb: Workbench): Promise<string[]> {
  const hits: string[] = [];
  for (const f of wb.page.frames()) {
    const v = await f.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned).catch(() => undefined);
    if (v !== undefined) hits.push(`${f.url().slice(0, 120)} → ${String(v)}`);
  }
  return hits;
}

/** Elements created from the payload: an <img src=x>, <svg onload>, <iframe src=javascript:> in any frame. */
async function injectedElements(wb: Workbench): Promise<string[]> {
  const hits: string[] = [];
  const check = async (f: Frame) => {
    const n = await f.evaluate(() => document.querySelectorAll('img[src="x"], svg[onload], iframe[src^="javascript:"], [onerror]').length).catch(() => 0);
    if (n) hits.push(`${f.url().slice(0, 120)}: ${n}`);
  };
  for (const f of wb.page.frames()) await check(f);
  return hits;
}

describe('hostile payloads show as text and run nothing (code-server UI)', { timeout: 240_000 }, () => {
  const e2e = useWorkbench({
    name: 'hostile',
    redis: true,
    // Page size 5: the stream entries step pages a short stream.
    settings: ({ redis }) => ({ 'ucore.connections': [{ name: CONN, url: redis.url }], 'ucore.defaultConnection': CONN, 'ucore.explorer.pageSize': 5 }),
  });
  // Any alert()/confirm() from a payload surfaces in e2e.dialogs (in the page or any frame).
  const { dialogs, lap } = e2e;

  it('the Channels tree shows the hostile channel name as text', async () => {
    const w = e2e.wb;
    await step(w, 'hostile-channels', async () => {
      await w.openActivity('UCore Events');
      await eventually(async () => (await w.treeRows('Connections')).find((r) => r.label === CONN && /\bconnected\b/.test(r.description)), `${CONN} connected`, 30_000);
      const r = await runCli(['publish', CHANNEL, JSON.stringify(hostileEvent(1)), '--url', e2e.redis.url]);
      assert.strictEqual(r.code, 0, r.stderr);
      await eventually(async () => (await w.treeRows('Channels')).find((row) => row.label === CHANNEL), 'the hostile channel as a literal tree label', 15_000);
      await w.screenshot('hostile-1-channels-tree');
    });
    lap('channels tree');
  });

  it('the tail document shows the hostile event as text', async () => {
    const w = e2e.wb;
    await step(w, 'hostile-tail', async () => {
      const row = await w.waitForTreeRow(CHANNEL, 'Channels');
      await treeInlineAction(row, 'Tail Channel', (timeoutMs) => waitForEditorText(w.page, /tail of channel/, timeoutMs));
      assert.ok((await activeEditorTitle(w.page)).includes(IMG), 'the tab title shows the channel literally');
      const r = await runCli(['publish', CHANNEL, JSON.stringify(hostileEvent(2)), '--url', e2e.redis.url]);
      assert.strictEqual(r.code, 0, r.stderr);
      const text = await waitForEditorText(w.page, (t) => t.includes('"n":2'), 15_000);
      assert.ok(text.includes(IMG) && text.includes(SCRIPT), `the tail shows the payload literally:\n${text}`);
      await w.screenshot('hostile-2-tail-document');
    });
    lap('tail document');
  });

  it('the Streams tree and the inspect document show a hostile stream entry as text', async () => {
    const w = e2e.wb;
    await step(w, 'hostile-inspect', async () => {
      await redisCli(e2e.redis.port, ['XADD', STREAM, '*', 'event', JSON.stringify(hostileEvent(3))]);
      await w.runCommand('UCore: Refresh');
      await eventually(async () => (await w.treeRows('Streams')).find((r) => r.label === STREAM), 'the hostile stream key as a literal tree label');
      await w.expandTreeRow(STREAM, 'Streams');
      await w.expandTreeRow('Entries', 'Streams');
      // Entries are labelled with their time; the id ends the description.
      const entry = w.page.locator('.pane').filter({ has: w.page.locator('.pane-header', { hasText: 'Streams' }) })
        .locator('.monaco-list-row').filter({ hasText: /\d{13}-\d+\s*$/ }).first();
      await entry.waitFor({ state: 'visible', timeout: 15_000 });
      const rows = await w.treeRows('Streams');
      const entryRow = rows.find((r) => /^\d\d:\d\d:\d\d\.\d{3}/.test(r.label) && /\d{13}-\d+$/.test(r.description));
      assert.ok(entryRow && entryRow.description.includes(TYPE), `the entry row names the type literally: ${JSON.stringify(entryRow)}`);
      await w.screenshot('hostile-3a-streams-tree');
      await entry.click(); // an entry's command is Inspect Event
      const text = await waitForEditorText(w.page, (t) => t.includes('"n": 3'), 15_000);
      assert.ok(text.includes(IMG) && text.includes(SCRIPT), `the inspect document shows the payload literally:\n${text}`);
      await w.screenshot('hostile-3b-inspect-document');
    });
    lap('inspect document');
  });

  it('the live monitor webview shows the hostile channel and type as text', async () => {
    const w = e2e.wb;
    await step(w, 'hostile-monitor', async () => {
      await w.runCommand('UCore: Open Live Monitor');
      const frame = w.webviewFrame();
      await frame.locator('body').waitFor({ state: 'attached', timeout: 30_000 });
      // Publish after the monitor is open so its recent-events list has the event for sure.
      for (let n = 4; n <= 6; n++) {
        const r = await runCli(['publish', CHANNEL, JSON.stringify(hostileEvent(n)), '--url', e2e.redis.url]);
        assert.strictEqual(r.code, 0, r.stderr);
      }
      await eventually(async () => {
        const text = await frame.locator('body').innerText();
        return text.includes(CHANNEL) && text.includes(TYPE);
      }, 'the monitor showing the hostile channel and event type as text', 20_000).catch(async (e) => {
        throw new Error(`${(e as Error).message}; the monitor shows:\n${(await frame.locator('body').innerText().catch(() => '?')).slice(0, 1500)}`);
      });
      await w.screenshot('hostile-4a-monitor-webview');
      // The recent-events list is further down: show it too, payload preview included.
      const recent = frame.locator('section', { has: frame.locator('h3', { hasText: 'Recent events' }) }).first();
      await recent.scrollIntoViewIfNeeded();
      const recentText = await recent.innerText();
      assert.ok(recentText.includes(TYPE) && recentText.includes(CHANNEL) && recentText.includes(IMG),
        `recent events show the event literally: ${recentText.slice(0, 500)}`);
      await w.screenshot('hostile-4b-monitor-recent-events');
    });
    lap('monitor webview');
  });

  it('the stream entries view opens from the Streams tree, goes to a time, pages, and shows hostile entries as text', async () => {
    const w = e2e.wb;
    await step(w, 'hostile-entries-view', async () => {
      // Written as another app writes: 12 entries a second apart from 10:00 (hostile events and plain fields), a gap
      // of an hour, 3 more.
      const base = Date.UTC(2026, 11, 1, 10, 0, 0);
      const id = (i: number) => `${base + (i < 12 ? i * 1000 : 3_600_000 + (i - 12) * 1000)}-0`;
      for (let i = 0; i < 15; i++) {
        const fields = i % 4 === 3 ? ['order_id', String(i), 'status', IMG] : ['event', JSON.stringify(hostileEvent(100 + i))];
        await redisCli(e2e.redis.port, ['XADD', ENTRIES_STREAM, id(i), ...fields]);
      }
      await w.runCommand('View: Close All Editors');
      await w.runCommand('UCore: Refresh');
      await eventually(async () => (await w.treeRows('Streams')).find((r) => r.label === ENTRIES_STREAM), 'the entries stream in the tree');
      await treeContextAction(w, await w.waitForTreeRow(ENTRIES_STREAM, 'Streams'), 'Open Stream Entries');
      const frame = w.webviewFrame();
      const firstId = () => frame.locator('tr[data-id]').first().getAttribute('data-id');
      await frame.locator('h1', { hasText: 'Stream entries' }).waitFor({ state: 'visible', timeout: 30_000 });
      await eventually(async () => (await firstId()) === id(10), 'the newest page (5 entries) shown', 20_000);
      assert.strictEqual(await frame.locator('[data-figure="stream"]').innerText(), ENTRIES_STREAM);
      // Go to a time in the gap: the page starts at the first entry after it; then older, older again, newer.
      await frame.locator('[data-control="time"]').fill('2026-12-01 10:30');
      await frame.locator('[data-control="time"]').press('Enter');
      await eventually(async () => (await firstId()) === id(12), 'the page after the gap', 15_000);
      assert.ok(await frame.locator('[data-control="newer"]').isDisabled(), 'nothing newer than the last entry');
      await frame.locator('[data-control="older"]').click();
      await eventually(async () => (await firstId()) === id(7), 'the older page', 15_000);
      await frame.locator('tr[data-id]').first().focus();
      await w.page.keyboard.press('PageUp');
      await eventually(async () => (await firstId()) === id(2), 'the page before it, from the keyboard', 15_000);
      await frame.locator('[data-control="newer"]').click();
      await eventually(async () => (await firstId()) === id(7), 'the newer page', 15_000);
      const text = await frame.locator('[data-section="entries"]').innerText();
      assert.ok(text.includes(TYPE) && text.includes(IMG) && text.includes('2026-12-01 10:00:07.000Z'), `the rows show the payload literally: ${text.slice(0, 600)}`);
      assert.strictEqual(await frame.locator('#app img, #app script, #app svg, #app iframe').count(), 0, 'no element from a payload');
      await w.screenshot('hostile-6a-stream-entries');
      // Past the end: the empty state says so.
      await frame.locator('[data-control="time"]').fill('2026-12-02 00:00');
      await frame.locator('[data-control="time"]').press('Enter');
      await frame.locator('[data-figure="message"]', { hasText: 'No entries at or after 2026-12-02T00:00:00.000Z.' }).waitFor({ state: 'visible', timeout: 15_000 });
      await w.screenshot('hostile-6b-stream-entries-empty');
      await frame.locator('[data-control="older"]').click();
      await eventually(async () => (await firstId()) === id(10), 'Older from past the end: the last page', 15_000);
      // A row opens as JSON beside the panel.
      await frame.locator(`tr[data-id="${id(12)}"]`).click();
      const json = await waitForEditorText(w.page, (t) => t.includes('"n": 112'), 15_000);
      assert.ok(json.includes(IMG) && json.includes(SCRIPT), `the entry opens as JSON, literally:\n${json.slice(0, 400)}`);
      await w.screenshot('hostile-6c-stream-entry-opened');
    });
    lap('stream entries view');
  });

  it('a notification naming a hostile channel shows it as text (no HTML, no command link)', async () => {
    const w = e2e.wb;
    await step(w, 'hostile-notification', async () => {
      // Notifications render [text](command:…) as a link: a channel name must not become one.
      const channel = `${IMG} [open](command:ucore.demo.start)`;
      await w.runCommand('UCore: Publish Event');
      await answerPrompts(w, [
        { match: /Publish to a channel or append to a stream/, pick: /Other channel/ },
        { match: /Channel name/, type: channel },
        { match: /Event type/, pick: 'order_paid' },
        { match: /as JSON/, edit: (v) => v },
      ]);
      const toast = w.page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'Published order_paid' }).first();
      await toast.waitFor({ timeout: 15_000 });
      const text = await toast.locator('.notification-list-item-message').innerText();
      await w.screenshot('hostile-5-notification');
      const links = await toast.locator('.notification-list-item-message a').evaluateAll((as) =>
        as.map((a) => `"${a.textContent ?? ''}" → ${a.getAttribute('href') ?? a.getAttribute('data-href') ?? a.getAttribute('title') ?? '?'}`));
      // The extension breaks link syntax with an invisible zero-width space; what the user reads is the same text.
      const visible = text.replace(/\u200b/g, '');
      assert.deepStrictEqual({ literal: visible.includes(channel), links }, { literal: true, links: [] },
        `the notification must show the channel name literally, without links; it shows: ${text}`);
    });
    lap('notification');
  });

  it('nothing ran: no dialog, no window.__pwned in any frame, no injected element', async () => {
    // Give any deferred handler (onerror of a broken image, a timer) a moment to fire.
    await e2e.wb.page.waitForTimeout(1000);
    assert.deepStrictEqual(dialogs, [], 'no alert/confirm/prompt dialog');
    assert.deepStrictEqual(await pwnedAnywhere(e2e.wb), [], 'window.__pwned is undefined in the page and every frame');
    assert.deepStrictEqual(await injectedElements(e2e.wb), [], 'no element built from the payload');
    assert.ok(e2e.wb.page.frames().length > 1, 'the webview frames were checked too');
  });
});

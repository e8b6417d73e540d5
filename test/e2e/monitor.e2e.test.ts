// The live monitor panel in a real VS Code (code-server + Chromium), on a Redis connection: open it from the
// palette, start demo traffic and see the charts draw and the recent-events table grow, pause and resume, set a low
// alert threshold in the panel and see the alert in the panel and the status bar, open a row in Inspect Event, show
// a hostile channel / type / payload as text without running it, follow a switch to the dark theme, and come back
// after a window reload. At the workbench's 1400 px, with the UCore Events side bar open, every column fits its
// card and nothing shows past the sticky header; the `events` row says why stored events count twice. Switching the
// active connection shows the other connection's own history, says so, and switching back brings the first one's
// back; the demo keeps running on its connection and the panel says where. A consumer of a group another app made on
// the event store stops while another reads: one notification, an alert and an age chart in the panel, the consumer
// marked in the Streams view with the group's trend, and the notification's Claim Pending for… moves its entries.
// Screenshots:
// .test-artifacts/screenshots/monitor-*.png.
import * as assert from 'node:assert';
import { describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { startRedisServer } from '../support/redis-server';
import { useWorkbench } from './lib/fixture';
import Redis from 'ioredis';
import { answerPrompts, clickNotificationButton, eventually, redisCli, redisCliRaw, runCli, step, waitForEditorText } from './lib/ui';

const CONN = 'monitor-redis';
const OTHER = 'monitor-other';
const OTHER_CHANNEL = 'only_on_other';
/** A long channel name: the tables must cut it, not push their number columns out of the card. */
const LONG_CHANNEL = 'orders.eu-west-1.payments.processed.with-a-rather-long-name.v2';
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>window.__pwned=1</script>';
const DATA = '<img src=x onerror=window.__pwned=2>';
/** A contract in the workspace: a channel and a stream the demo does not use, checked live by the monitor. */
const CONTRACT_CHANNEL = 'shop_orders';
const CONTRACT_STREAM = 'shop_store';
const CONTRACT = `asyncapi: 3.0.0
info: { title: Shop, version: 1.0.0 }
channels:
  orders:
    address: ${CONTRACT_CHANNEL}
    messages:
      OrderCreated: { $ref: '#/components/messages/OrderCreated' }
  store:
    address: ${CONTRACT_STREAM}
    x-ucore: { kind: stream }
    messages:
      OrderCreated: { $ref: '#/components/messages/OrderCreated' }
components:
  messages:
    OrderCreated:
      payload:
        type: object
        required: [event_type, data]
        properties:
          event_type: { const: order_created }
          data:
            type: object
            required: [order_id]
            properties:
              order_id: { type: integer }
              total_price: { type: number, exclusiveMinimum: 0 }
`;
const CONTRACT_RULE_LINE = CONTRACT.split('\n').findIndex((l) => l.includes('exclusiveMinimum')) + 1;

describe('live monitor panel (code-server UI)', { timeout: 420_000 }, () => {
  const e2e = useWorkbench({
    name: 'monitor',
    redis: true,
    servers: { other: () => startRedisServer() },
    settings: ({ redis, servers: { other } }) => ({
      'ucore.connections': [{ name: CONN, url: redis.url }, { name: OTHER, url: other.url }],
      'ucore.defaultConnection': CONN,
      'ucore.demo.ratePerSecond': 40,
      'workbench.colorTheme': 'Default Light Modern',
      // The stuck-consumer step: a consumer is stuck after 3 s, sampled every second.
      'ucore.lag.stuckAfterSeconds': 3,
      'ucore.lag.sampleSeconds': 1,
    }),
    files: { 'asyncapi.yaml': CONTRACT },
  });
  const { dialogs, lap } = e2e;

  const frame = (): FrameLocator => e2e.wb.webviewFrame();
  const panelText = () => frame().locator('body').innerText();
  const rowsKept = async () => Number(await frame().locator('.vtable').getAttribute('data-rows'));
  const eventsSeen = async () => Number(await frame().locator('[data-figure="total"]').getAttribute('data-events'));
  /**
   * After Pause: updates already on their way may still land (several, seconds late, on a busy machine). Waits until
   * the total holds still for 0.7 s and returns it; a page that keeps updating is left to the caller's check.
   */
  const holdStill = async () => {
    let seen = await eventsSeen();
    for (const until = Date.now() + 8000; Date.now() < until;) {
      await e2e.wb.page.waitForTimeout(700);
      const now = await eventsSeen();
      if (now === seen) break;
      seen = now;
    }
    return seen;
  };
  const statusBarText = () => e2e.wb.page.locator('.part.statusbar').innerText();
  /** Moves the keyboard focus out of the webview, so F1 opens a palette that takes typing. */
  const focusWorkbench = () => e2e.wb.page.locator('.part.sidebar .composite.title').first().click();
  const command = async (title: string) => {
    await focusWorkbench();
    await e2e.wb.runCommand(title);
  };

  /** Pixels drawn (alpha > 0) on the chart's canvas: axes, grid and lines. */
  const chartInk = (title: string) => frame().locator(`[data-chart="${title}"] canvas`).first()
    .evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return 0;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });

  it('opens from the palette and says there are no events yet', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-open', async () => {
      await eventually(async () => /monitor-redis/.test(await statusBarText()), 'the Redis connection in the status bar', 30_000);
      await w.runCommand('UCore: Open Live Monitor');
      await frame().locator('h1', { hasText: 'Live Monitor' }).waitFor({ state: 'visible', timeout: 30_000 });
      await eventually(async () => /monitor-redis · ready/.test(await panelText()), 'the panel naming the connection, ready', 20_000);
      assert.match(await panelText(), /No events yet/);
      await w.screenshot('monitor-1-empty-light');
    });
    lap('opened');
  });

  it('shows demo traffic: charts drawn, rate tables, dashboard, and a growing recent-events table', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-traffic', async () => {
      await w.runCommand('UCore: Start Demo Traffic');
      await eventually(async () => (await rowsKept()) > 5, 'recent events in the table', 20_000);
      const first = await rowsKept();
      await eventually(async () => (await rowsKept()) > first + 10, 'the table growing', 20_000);
      // Charts get a point a second: wait for a few, then look at the canvas.
      await frame().locator('[data-chart="Events/s by channel"] canvas').first().waitFor({ state: 'visible', timeout: 20_000 });
      await eventually(async () => (await chartInk('Events/s by channel')) > 500, 'the channel chart drawn', 20_000);
      assert.ok((await chartInk('Events/s by event type')) > 500, 'the type chart is drawn');
      await eventually(async () => (await chartInk('Stream length')) > 500, 'the stream-length chart drawn (the demo stores its events)', 20_000);
      const text = await panelText();
      assert.match(text, /ecommerce_events/, 'the demo channel in the channel table');
      assert.match(text, /order_created/, 'an event type in the type table');
      await eventually(async () => /E-commerce dashboard/.test(await panelText()) && /orders by status|Orders by status/.test(await panelText()), 'the e-commerce dashboard', 20_000);
      await eventually(async () => /event_store/.test(await panelText()), 'the event store in the streams table', 10_000);
      await w.page.waitForTimeout(2500); // a few more seconds of history for the screenshot
      await w.screenshot('monitor-2-traffic-light');
    });
    lap('traffic');
  });

  it('says on the `events` row why every stored event is counted twice', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-events-note', async () => {
      const f = frame();
      const note = f.locator('[data-note="events"]');
      await note.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await note.innerText(), /event store republishes every stored event on "events".*counted twice/);
      const row = f.locator('table[data-table="Channel"] tr', { has: f.locator('.name-text', { hasText: /^events$/ }) }).first();
      assert.match((await row.locator('td.name').getAttribute('title')) ?? '', /republishes every stored event/, 'the row\'s tooltip says it too');
      assert.strictEqual(await row.locator('.row-note-mark').count(), 1, 'the row carries the note mark');
      assert.strictEqual(await f.locator('[data-note]').count(), 1, 'only the store channel has a note');
      // And in the Channels view, where the rates are shown too: the row's tooltip.
      await w.openActivity('UCore Events');
      const treeRow = await eventually(async () => (await w.treeRows('Channels')).find((r) => r.label === 'events'), 'the events channel in the Channels view');
      assert.match(treeRow.ariaLabel, /republishes every stored event/, `the Channels view's tooltip: ${treeRow.ariaLabel}`);
      // The table is rebuilt on every update: scroll its card (which stays) into view.
      await f.locator('table[data-table="Channel"]').evaluate((t) => t.closest('.card')!.scrollIntoView({ block: 'center' }));
      await w.screenshot('monitor-2b-events-note');
    });
    lap('events note');
  });

  it('fits 1400 px with the side bar open: no column clipped, nothing past the sticky header', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-layout', async () => {
      await w.openActivity('UCore Events');
      for (let i = 0; i < 5; i++) {
        const r = await runCli(['publish', LONG_CHANNEL, JSON.stringify({ event_type: 'payment_processed_with_a_long_type_name', data: { i } }), '--url', e2e.redis.url]);
        assert.strictEqual(r.code, 0, r.stderr);
      }
      const f = frame();
      await eventually(async () => (await panelText()).includes('orders.eu-west-1'), 'the long channel in the channel table', 15_000);
      await w.page.waitForTimeout(1500);
      const layout = await f.locator('body').evaluate(() => {
        const out: string[] = [];
        const root = document.scrollingElement ?? document.documentElement;
        if (root.scrollWidth > root.clientWidth + 1) out.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
        for (const table of Array.from(document.querySelectorAll('table.rates'))) {
          const card = table.closest('.card') as HTMLElement;
          const c = card.getBoundingClientRect();
          for (const th of Array.from(table.querySelectorAll('thead th'))) {
            const r = th.getBoundingClientRect();
            if (r.right > c.right + 0.5 || r.left < c.left - 0.5) out.push(`"${th.textContent}" of ${table.getAttribute('data-table') ?? 'a table'} is outside its card (${Math.round(r.right)} > ${Math.round(c.right)})`);
          }
          const scroller = table.parentElement as HTMLElement;
          if (scroller.scrollWidth > scroller.clientWidth + 1) out.push(`${table.getAttribute('data-table') ?? 'a table'} needs ${scroller.scrollWidth - scroller.clientWidth}px more`);
        }
        const bar = document.querySelector('.toolbar') as HTMLElement;
        if (bar.getBoundingClientRect().width < root.clientWidth - 1) out.push(`the sticky header is narrower than the page: ${bar.getBoundingClientRect().width} < ${root.clientWidth}`);
        return { problems: out, width: root.clientWidth };
      });
      assert.deepStrictEqual(layout.problems, [], `at ${layout.width}px wide`);
      for (const [table, column] of [['Channel', 'subscribers'], ['streams', 'lag']] as const) {
        const th = f.locator(`table[data-table="${table}"] thead th`, { hasText: new RegExp(`^${column}$`) });
        assert.ok(await th.isVisible(), `${column} is shown`);
      }
      await w.screenshot('monitor-2c-layout-1400');
      // Scrolled: what passes under the sticky header is covered by it, edge to edge.
      await f.locator('[data-section="dashboard"]').scrollIntoViewIfNeeded();
      await f.locator('body').evaluate(() => window.scrollBy(0, 120));
      const covered = await f.locator('body').evaluate(() => {
        const bar = (document.querySelector('.toolbar') as HTMLElement).getBoundingClientRect();
        const leaks: string[] = [];
        for (const cell of Array.from(document.querySelectorAll('table.rates th, table.rates td'))) {
          const r = cell.getBoundingClientRect();
          const underBar = r.bottom > bar.top && r.top < bar.bottom;
          if (underBar && (r.right > bar.right + 0.5 || r.left < bar.left - 0.5) && (cell.textContent ?? '').trim()) leaks.push(cell.textContent!.trim());
        }
        return leaks;
      });
      assert.deepStrictEqual(covered, [], 'no table text beside the sticky header');
      await w.screenshot('monitor-2d-layout-scrolled');
      await f.locator('body').evaluate(() => window.scrollTo(0, 0));
    });
    lap('layout');
  });

  it('pauses (nothing changes, counting goes on) and resumes', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-pause', async () => {
      await frame().getByRole('button', { name: 'Pause' }).click();
      await frame().getByRole('button', { name: 'Resume' }).waitFor({ state: 'visible', timeout: 5_000 });
      const seen = await holdStill();
      const rows = await rowsKept();
      assert.match(await panelText(), /Paused/);
      await w.page.waitForTimeout(3000);
      assert.strictEqual(await rowsKept(), rows, 'the table does not change while paused');
      assert.strictEqual(await eventsSeen(), seen, 'the totals do not change while paused');
      await w.screenshot('monitor-3-paused');
      await frame().getByRole('button', { name: 'Resume' }).click();
      await eventually(async () => (await eventsSeen()) > seen + 20, 'the counts catching up after Resume (the monitor kept counting)', 10_000);
      await eventually(async () => (await rowsKept()) !== rows, 'the table moving again', 10_000);
      assert.doesNotMatch(await panelText(), /Paused:/);
    });
    lap('pause/resume');
  });

  it('fires an alert past a threshold set in the panel: alert list and status bar', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-alert', async () => {
      const f = frame();
      await f.getByLabel('Alert scope').selectOption('total');
      await f.getByLabel('Alert threshold').fill('1');
      await f.getByLabel('Alert window').selectOption('1');
      await f.getByRole('button', { name: 'Add Alert' }).click();
      await eventually(async () => /total > 1\/s/.test(await f.locator('[data-section="alerts"]').innerText()), 'the rule listed', 10_000);
      await eventually(async () => /Alert total > 1\/s — total:/.test(await f.locator('[data-section="active-alerts"]').innerText().catch(() => '')), 'the alert firing in the panel', 15_000);
      await eventually(async () => /total \S+\/s > 1\/s/.test(await statusBarText()), 'the alert in the status bar', 10_000);
      assert.match(await f.locator('.alert-log').innerText(), /fired/);
      await w.screenshot('monitor-4-alert');
      // Removing the rule resolves the alert: the status bar goes back to the connection.
      await f.locator('ul.rules li', { hasText: 'total > 1/s' }).getByRole('button', { name: 'Remove' }).click();
      await eventually(async () => !/total \S+\/s > 1\/s/.test(await statusBarText()) && /monitor-redis/.test(await statusBarText()), 'the status bar back to normal', 10_000);
    });
    lap('alert');
  });

  it('opens a recent event in Inspect Event when its row is clicked', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-inspect', async () => {
      // Paused, so the row clicked is the row read (new events would push it down otherwise).
      await frame().getByRole('button', { name: 'Pause' }).click();
      await frame().getByRole('button', { name: 'Resume' }).waitFor({ state: 'visible', timeout: 5_000 });
      await holdStill();
      // A row of the guide's envelope (saga events have no event_type), and the same entity in the document.
      const row = frame().locator('.vwindow .vrow').filter({ has: frame().locator('.c-type', { hasText: /^order_/ }) }).first();
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      const type = await row.locator('.c-type').innerText();
      const entity = await row.locator('.c-entity').innerText();
      await row.click();
      const text = await waitForEditorText(w.page, (t) => t.includes(`"event_type": "${type}"`) && t.includes(entity), 15_000);
      assert.match(text, /"event_id"/);
      await w.screenshot('monitor-5-inspect');
      await command('View: Close Editor');
      // The panel's tab comes back; its page was rebuilt and restored "paused" from its state.
      await frame().getByRole('button', { name: 'Resume' }).click();
      await frame().getByRole('button', { name: 'Pause' }).waitFor({ state: 'visible', timeout: 10_000 });
    });
    lap('inspect');
  });

  it('shows a hostile channel, type and payload as text and runs nothing', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-xss', async () => {
      await command('UCore: Stop Demo Traffic');
      await command('UCore: Open Live Monitor');
      await frame().locator('h1', { hasText: 'Live Monitor' }).waitFor({ state: 'visible', timeout: 20_000 });
      const resume = frame().getByRole('button', { name: 'Resume' });
      if (await resume.isVisible()) await resume.click();
      const payload = JSON.stringify({ event_type: SCRIPT, entity_id: IMG, data: { x: DATA } });
      for (let i = 0; i < 3; i++) {
        const r = await runCli(['publish', IMG, payload, '--url', e2e.redis.url]);
        assert.strictEqual(r.code, 0, r.stderr);
      }
      const f = frame();
      await f.locator('[data-filter="channel"]').fill('<img');
      await eventually(async () => {
        const text = await panelText();
        return text.includes(IMG) && text.includes(SCRIPT) && text.includes(DATA.replace(/"/g, ''));
      }, 'the hostile channel, type and data as literal text', 15_000).catch(async (e) => {
        throw new Error(`${(e as Error).message}; the panel shows:\n${(await panelText().catch(() => '?')).slice(0, 2000)}`);
      });
      await w.page.waitForTimeout(1000); // any onerror of a broken image would have fired by now
      const pwned = await f.locator('body').evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
      assert.strictEqual(pwned, undefined, 'window.__pwned is undefined in the webview');
      for (const fr of w.page.frames()) {
        const v = await fr.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned).catch(() => undefined);
        assert.strictEqual(v, undefined, `window.__pwned in ${fr.url().slice(0, 80)}`);
      }
      const injected = await f.locator('body').evaluate(() => document.querySelectorAll('img, svg, iframe, object, embed, [onerror], [onload]').length
        + Array.from(document.scripts).filter((s) => (s.textContent ?? '').includes('__pwned')).length);
      assert.strictEqual(injected, 0, 'no element built from the payload');
      assert.deepStrictEqual(dialogs, [], 'no dialog');
      await w.screenshot('monitor-6-xss');
      await f.locator('[data-filter="channel"]').fill('');
    });
    lap('xss');
  });

  it('checks a contract channel and stream live: violations in the panel open the event and the rule; the trees and Problems show them', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-contracts', async () => {
      await command('UCore: Open Live Monitor');
      await frame().locator('h1', { hasText: 'Live Monitor' }).waitFor({ state: 'visible', timeout: 60_000 });
      const port = e2e.redis.port;
      // As another app writes them: JSON text with PUBLISH and XADD, one event with a hostile id.
      const bad = (id: string, data: object) => JSON.stringify({ event_type: 'order_created', event_id: id, data });
      await redisCli(port, ['PUBLISH', CONTRACT_CHANNEL, bad('ok-1', { order_id: 1, total_price: 5 })]);
      await redisCli(port, ['PUBLISH', CONTRACT_CHANNEL, bad('bad-1', { order_id: 2, total_price: 0 })]);
      await redisCli(port, ['PUBLISH', CONTRACT_CHANNEL, bad(IMG, { order_id: 'three' })]);
      await redisCli(port, ['XADD', CONTRACT_STREAM, '*', 'event', bad('bad-s', { order_id: 4, total_price: -1 })]);
      const f = frame();
      const section = f.locator('[data-section="contracts"]');
      await eventually(async () => Number(await f.locator('[data-figure="contracts"]').getAttribute('data-violating')) >= 3, 'three violating events in the panel', 30_000);
      const summary = await f.locator('[data-figure="contracts"]').innerText();
      assert.match(summary, /4 of 4 events on contract channels and streams checked · every event checked · 3 violating/);
      /** The table's rows as `cell | cell | …` (textContent: the same whether the rows are scrolled into view or not). */
      const cells = (table: string) => section.locator(`table[data-table="${table}"] tbody tr`)
        .evaluateAll((rows) => rows.map((r) => Array.from((r as HTMLTableRowElement).cells, (c) => c.textContent ?? '').join(' | ')));
      const counts = await cells('contracts');
      assert.ok(counts.includes('shop_orders | order_created | 3 | 2'), counts.join('\n'));
      assert.ok(counts.includes('shop_store (stream) | order_created | 1 | 1'), counts.join('\n'));
      const list = await cells('violations');
      assert.ok(list.some((r) => / \| shop_orders \| order_created \| bad-1 \| \/data\/total_price \| must be > 0 \| asyncapi\.yaml:/.test(r) && r.includes(`asyncapi.yaml:${CONTRACT_RULE_LINE}:`)), list.join('\n'));
      assert.ok(list.some((r) => r.includes(IMG) && r.includes('/data/order_id')), 'the hostile id as text');
      assert.strictEqual(await f.locator('body').evaluate(() => document.querySelectorAll('img, [onerror]').length), 0, 'no element built from the event');
      await section.scrollIntoViewIfNeeded();
      await w.screenshot('monitor-8-contracts');

      // A row opens the contract at the rule and the event beside it.
      await section.locator('table[data-table="violations"] tbody tr', { hasText: 'bad-s' }).first().click();
      const tabs = () => w.page.locator('.part.editor .tab .label-name').allInnerTexts();
      await eventually(async () => { const t = await tabs(); return t.some((x) => x.startsWith('asyncapi')) && t.some((x) => /shop_store bad-s/.test(x)); }, 'the contract and the event open', 30_000)
        .catch(async (e) => { throw new Error(`${(e as Error).message}; tabs: ${(await tabs()).join(', ')}`); });
      const ruleAt = await w.page.locator('.part.statusbar').innerText();
      assert.match(ruleAt, new RegExp(`Ln ${CONTRACT_RULE_LINE}, Col \\d+`), 'the cursor on the rule');
      await w.screenshot('monitor-9-violation-opened');

      // The Channels and Streams views mark what broke the contract; the Problems panel lists the rules.
      await w.openActivity('UCore Events');
      const channelRow = await eventually(async () => (await w.treeRows('Channels')).find((r) => r.label === CONTRACT_CHANNEL && /⚠ 2 violating/.test(r.description)), 'the channel marked in the tree', 20_000);
      assert.match(channelRow.ariaLabel, /2 events of 3 checked broke it/);
      await eventually(async () => (await w.treeRows('Streams')).find((r) => r.label === CONTRACT_STREAM && /⚠ 1 violating/.test(r.description)), 'the stream marked in the tree', 20_000);
      const toggleProblems = async () => { await focusWorkbench(); await w.page.keyboard.press('Control+Shift+M'); };
      await toggleProblems();
      const problems = w.page.locator('.part.panel');
      await eventually(async () => /2 live events broke this rule/.test(await problems.innerText().catch(() => '')), 'the broken rule in the Problems panel', 20_000);
      await w.screenshot('monitor-10-contract-badges');

      await command('UCore: Clear Contract Violations');
      await eventually(async () => !(await w.treeRows('Channels')).some((r) => /violating/.test(r.description)), 'the badge cleared', 20_000);
      await toggleProblems();
      // The contract and the event opened beside the panel: close them, the panel stays for the next steps.
      await command('View: Focus First Editor Group');
      await command('View: Close Editors in Other Groups');
      await command('UCore: Open Live Monitor');
    });
    lap('contracts');
  });

  it('follows a switch to the dark theme', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-dark', async () => {
      await command('UCore: Start Demo Traffic');
      await command('Preferences: Color Theme');
      await w.quickInputType('Dark Modern');
      await eventually(async () => /vscode-dark/.test((await frame().locator('body').getAttribute('class')) ?? ''), 'the webview in the dark theme', 20_000);
      await w.page.waitForTimeout(3000);
      const bg = await frame().locator('body').evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = (bg.match(/\d+/g) ?? ['255', '255', '255']).map(Number);
      assert.ok(r! + g! + b! < 200, `a dark background: ${bg}`);
      assert.ok((await chartInk('Events/s by channel')) > 500, 'the chart is drawn in the dark theme');
      await w.screenshot('monitor-7-traffic-dark');
    });
    lap('dark');
  });

  it('keeps each connection\'s history apart when the active connection changes, and says so; the demo runs on', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-switch', async () => {
      const f = frame();
      const resume = f.getByRole('button', { name: 'Resume' });
      if (await resume.isVisible()) await resume.click();
      const channelChart = f.locator('[data-chart="Events/s by channel"]');
      const series = async () => ((await channelChart.getAttribute('data-series')) ?? '').split('\n').filter(Boolean);
      const points = async () => Number(await channelChart.getAttribute('data-points'));
      await eventually(async () => (await series()).includes('ecommerce_events'), 'the demo channel charted on the first connection', 15_000);
      const pointsBefore = await points();
      const storeLength = async () => Number((await redisCliRaw(e2e.redis.port, ['XLEN', 'event_store']))[0]);

      // To the other connection: its own (empty) history, a note saying what happened, the demo still on the first.
      await command('UCore: Connect');
      await answerPrompts(w, [{ match: /Connect to/, pickLabel: OTHER }], { settleMs: 500 });
      const connection = f.locator('[data-figure="connection"]');
      await eventually(async () => /^monitor-other · ready/.test(await connection.innerText()), 'the panel naming the other connection', 20_000);
      const switchNote = f.locator('[data-banner="switch"]');
      await switchNote.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await switchNote.innerText(), /Now showing "monitor-other".*"monitor-redis" keeps its own history/);
      const demoNote = f.locator('[data-banner="demo"]');
      await eventually(async () => /Demo traffic is running on "monitor-redis", not on "monitor-other"/.test(await demoNote.innerText().catch(() => '')), 'the panel saying where the demo runs', 10_000);
      assert.match(await f.locator('[data-action="demo"]').innerText(), /Stop Demo Traffic \(on monitor-redis\)/);
      await eventually(async () => /demo on monitor-redis/.test(await statusBarText()), 'the status bar saying where the demo runs', 10_000);
      const stored = await storeLength();
      const publisher = setInterval(() => void redisCli(e2e.servers.other.port, ['PUBLISH', OTHER_CHANNEL, JSON.stringify({ event_type: 'other_only', data: {} })]).catch(() => undefined), 250);
      try {
        await eventually(async () => (await series()).includes(OTHER_CHANNEL), 'the other connection\'s channel charted', 20_000);
        const now = await series();
        assert.ok(!now.includes('ecommerce_events') && !now.includes('events'), `no series of the first connection in the other's chart: ${now.join(', ')}`);
        const channels = await f.locator('table[data-table="Channel"] tbody').innerText();
        assert.ok(channels.includes(OTHER_CHANNEL) && !channels.includes('ecommerce_events'), `the channel table is the other connection's: ${channels}`);
        await eventually(async () => (await storeLength()) > stored + 5, 'the demo still appending on the first connection', 15_000);
        await f.locator('body').evaluate(() => window.scrollTo(0, 0));
        await w.screenshot('monitor-9-switched-to-other');
      } finally {
        clearInterval(publisher);
      }

      // And back: the first connection's history is there again, and the other's series are not.
      await command('UCore: Connect');
      await answerPrompts(w, [{ match: /Connect to/, pickLabel: CONN }], { settleMs: 500 });
      await eventually(async () => /^monitor-redis · ready/.test(await connection.innerText()), 'the panel naming the first connection again', 20_000);
      await eventually(async () => /Now showing "monitor-redis" again: its history from before is back/.test(await switchNote.innerText()), 'the note saying the history came back', 10_000);
      await eventually(async () => (await series()).includes('ecommerce_events'), 'the first connection\'s series back', 15_000);
      assert.ok(!(await series()).includes(OTHER_CHANNEL), `the other connection's channel is not in the first one's chart: ${(await series()).join(', ')}`);
      assert.ok((await points()) >= pointsBefore, `the history from before is back (${await points()} points, ${pointsBefore} before the switch)`);
      assert.ok(await demoNote.isHidden(), 'no demo note while the panel shows the demo\'s connection');
      await f.locator('body').evaluate(() => window.scrollTo(0, 0));
      await w.screenshot('monitor-10-back-to-first');
    });
    lap('switch');
  });

  it('comes back after a window reload (serializer), with the time window and filters it had', async () => {
    const w = e2e.wb;
    await step(w, 'monitor-reload', async () => {
      const resume = frame().getByRole('button', { name: 'Resume' });
      if (await resume.isVisible()) await resume.click();
      await frame().getByLabel('Time window').selectOption('60');
      await frame().locator('[data-filter="type"]').fill('order_');
      await w.page.waitForTimeout(500);
      await command('Developer: Reload Window');
      await w.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
      // Restored by the serializer: nobody opens it again.
      await frame().locator('h1', { hasText: 'Live Monitor' }).waitFor({ state: 'visible', timeout: 60_000 });
      assert.strictEqual(await frame().getByLabel('Time window').inputValue(), '60');
      assert.strictEqual(await frame().locator('[data-filter="type"]').inputValue(), 'order_');
      // A reload restarts the extension host (and stops the demo): start it again and see data flow.
      await command('UCore: Start Demo Traffic');
      await eventually(async () => Number(await frame().locator('.vtable').getAttribute('data-shown')) > 0, 'filtered events in the restored panel', 30_000)
        .catch(async (e) => {
          const f = frame();
          const diag = `rows=${await f.locator('.vtable').getAttribute('data-rows')} shown=${await f.locator('.vtable').getAttribute('data-shown')} `
            + `events=${await eventsSeen()}\n${(await f.locator('[data-section="recent"]').innerText()).slice(0, 1500)}`;
          throw new Error(`${(e as Error).message}\n${diag}`);
        });
      const types = await frame().locator('.vwindow .vrow .c-type').allInnerTexts();
      assert.ok(types.length > 0 && types.every((t) => t.includes('order_')), `only order_ types listed: ${types.join(', ')}`);
      await eventually(async () => (await chartInk('Events/s by channel')) > 500, 'the chart drawing again', 20_000);
      await w.screenshot('monitor-8-restored-dark');
      await command('UCore: Stop Demo Traffic');
    });
    lap('reload');
  });

  it('a consumer that stops while another reads: notified once, alerted and charted in the panel, marked in the Streams view, claimed from the notification', async () => {
    const w = e2e.wb;
    // Another app's workers (ioredis, the guide's way) on a group of the event store, which the monitor samples.
    // The group name is markup: the panel and the tree must show it as text.
    const GROUP = '<b>e2e</b>-workers';
    const app = new Redis(e2e.redis.port, '127.0.0.1');
    let steady: ReturnType<typeof setInterval> | undefined;
    try {
      await step(w, 'monitor-stuck', async () => {
        await app.xgroup('CREATE', 'event_store', GROUP, '$');
        for (let i = 0; i < 3; i++) await app.xadd('event_store', '*', 'event', JSON.stringify({ event_type: 'job_queued', data: { job: i } }));
        const got = (await app.xreadgroup('GROUP', GROUP, 'stalled', 'COUNT', 3, 'STREAMS', 'event_store', '>')) as Array<[string, unknown[]]>;
        assert.strictEqual(got[0]![1].length, 3, 'stalled took three jobs and stops');
        steady = setInterval(() => void (async () => {
          await app.xadd('event_store', '*', 'event', JSON.stringify({ event_type: 'job_queued', data: {} }));
          const r = (await app.xreadgroup('GROUP', GROUP, 'steady', 'COUNT', 100, 'STREAMS', 'event_store', '>')) as Array<[string, Array<[string, string[]]>]> | null;
          const ids = r?.[0]?.[1].map(([id]) => id) ?? [];
          if (ids.length) await app.xack('event_store', GROUP, ...ids);
        })().catch(() => undefined), 300);

        const note = await w.waitForNotification(/Consumer stalled of group .*e2e.*-workers on event_store is stuck/, 30_000);
        assert.match(note, /3 pending, the oldest idle .* while steady keeps reading/);
        const f = frame();
        const key = `event_store › ${GROUP} › stalled`;
        await eventually(async () => (await f.locator('[data-section="active-alerts"]').innerText().catch(() => '')).includes(`${key}: oldest pending idle`), 'the stuck alert firing in the panel', 20_000);
        const ages = f.locator('[data-chart="Oldest pending entry, idle (s)"]');
        await eventually(async () => ((await ages.getAttribute('data-series')) ?? '').split('\n').includes(`event_store › ${GROUP}`), 'the group in the age chart', 20_000);
        await eventually(async () => (await chartInk('Oldest pending entry, idle (s)')) > 500, 'the age chart drawn', 20_000);
        assert.strictEqual(await f.locator('b').count(), 0, 'the group name is text, not markup');
        assert.match(await statusBarText(), /stalled stuck/);
        await ages.scrollIntoViewIfNeeded();
        await w.screenshot('monitor-11-stuck-alert-chart');
        await f.locator('body').evaluate(() => window.scrollTo(0, 0));

        // The Streams view: the group's trend, the stalled consumer marked.
        await w.openActivity('UCore Events');
        await w.expandTreeRow('event_store', 'Streams');
        await w.expandTreeRow(GROUP, 'Streams');
        // The side bar is narrow: the row's description is cut, its aria label has all of it.
        const groupRow = await eventually(async () => (await w.treeRows('Streams')).find((r) => r.label === GROUP && /^⚠ 1 stuck · lag \d+ (?:[▁▂▃▄▅▆▇█]+ )?[↑↓→]/.test(r.description)), 'the trend on the group row (a lag that never moved: just →)', 20_000);
        assert.match(groupRow.ariaLabel, /Lag over the last .*: now \d+, min \d+, max \d+/);
        const stalled = await eventually(async () => (await w.treeRows('Streams')).find((r) => r.label === 'stalled' && /^stuck /.test(r.description)), 'stalled marked stuck', 20_000);
        assert.match(stalled.description, /3 pending/);
        assert.ok((await w.treeRows('Streams')).some((r) => r.label === 'steady' && !/stuck/.test(r.description)), 'steady is not marked');
        await w.screenshot('monitor-12-stuck-tree');
        assert.strictEqual((await w.notifications()).filter((n) => /Consumer stalled .* is stuck/.test(n)).length, 1, 'one notification for the episode');

        // Claim Pending for… from the notification: steady is offered first, the summary says what moved.
        await clickNotificationButton(w.page, /Consumer stalled .* is stuck/, 'Claim Pending for…');
        await answerPrompts(w, [{ match: /Claim them for consumer/, pickLabel: 'steady' }], { settleMs: 500 });
        const summary = await w.waitForNotification(/Claimed 3 pending entries of stalled for steady/, 20_000);
        assert.match(summary, /\(group .*e2e.*-workers on event_store\)/);
        await eventually(async () => !(await f.locator('[data-section="active-alerts"]').innerText().catch(() => '')).includes(key), 'the alert resolved', 20_000);
        await eventually(async () => (await w.treeRows('Streams')).some((r) => r.label === 'stalled' && /^0 pending/.test(r.description)), 'stalled no longer marked', 20_000);
        const pending = (await app.xpending('event_store', GROUP)) as [number, string, string, Array<[string, string]> | null];
        assert.ok(!(pending[3] ?? []).some(([c]) => c === 'stalled'), 'nothing pending on stalled');
        await w.screenshot('monitor-13-claimed');
      });
      lap('stuck');
    } finally {
      if (steady) clearInterval(steady);
      app.disconnect();
    }
  });
});

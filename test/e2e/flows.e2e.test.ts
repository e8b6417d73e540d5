// End-to-end UI flows of the extension in a real VS Code (code-server) driven by headless Chromium, against a private
// redis-server; the `ucore` CLI and redis-cli observe from outside. One server and workbench for the whole file: the
// flows build on each other the way a user's session does (add a connection, then use it).
// Screenshots: .test-artifacts/screenshots/flows-*.png (FAILED-*.png when a step fails).
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { useWorkbench } from './lib/fixture';
import {
  addConnectionInUi, answerPrompts, eventually, redisCli, redisCliRaw, runCli, startCli, step, treeContextAction, waitForSubscribers, waitForEditorText,
  clearNotifications, clickDialogButton, modalDialog, type BackgroundCli,
} from './lib/ui';
import type { Workbench } from './lib/workbench';
import { startOrderResponder, type OrderResponder } from '../support/order-responder';

const CONN = 'e2e-redis';
const CHANNEL = 'e2e_orders';
const LENS_CHANNEL = 'e2e_lens';
const JOBS = 'e2e_jobs';
const REPLAY_CHANNEL = 'e2e_replayed';
const REPLAY_COUNT = 12;

const EVENTS_FILE = `### channel: ${LENS_CHANNEL}
{
  "event_type": "order_paid",
  "entity_id": "order_4242",
  "data": { "order_id": 4242, "note": "from-codelens" }
}
`;

const CONTRACT_CHANNEL = 'e2e_contract';
const GEN_STREAM = 'e2e_shipments';
// A contract in the workspace (found by the default ucore.contracts.files) and a .events file that breaks it.
const CONTRACT = `asyncapi: 3.0.0
info: {title: e2e contract, version: '1'}
channels:
  orders:
    address: ${CONTRACT_CHANNEL}
    messages:
      InvoiceSent:
        payload:
          type: object
          required: [event_type, data]
          properties:
            event_type: {const: invoice_sent}
            data:
              type: object
              required: [amount]
              properties:
                amount: {type: number, exclusiveMinimum: 0}
`;
// invoice_sent: a type the guide's registry does not know, so the only problem is the contract's.
const CONTRACT_EVENTS = `### channel: ${CONTRACT_CHANNEL}
{
  "event_type": "invoice_sent",
  "data": { "amount": -5 }
}
`;

function event(type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    event_id: `e2e-${type}-${Math.random().toString(16).slice(2)}`, event_type: type, timestamp: new Date().toISOString(),
    version: '1.0', data, metadata: {}, ...extra,
  };
}

// Make Scenario Test: a service (test/support/order-responder.ts, plain ioredis: order_created on MK_ORDERS →
// order_paid on MK_PAYMENTS) recorded by `ucore record`, the recording turned into a scenario from its CodeLens.
const MK_ORDERS = 'e2e_mk_orders';
const MK_PAYMENTS = 'e2e_mk_payments';
const MK_IDS = ['0193a8c4-aaaa-7000-8000-00000000000a', '0193a8c4-bbbb-7000-8000-00000000000b'];

const SCENARIO_CHANNEL = 'e2e_scenario';
// Two scenario tests on the test's Redis, no service needed: the first expects the event it sends (passes), the
// second a payment nobody makes (fails at its expectation, line 11).
const SCENARIO = `### test: an order is seen
### channel: ${SCENARIO_CHANNEL}
{ "event_type": "order_created", "entity_id": "order:{{uuid:o}}", "data": { "order_id": 1 } }

### expect channel: ${SCENARIO_CHANNEL} within 3000ms
{ "event_type": "order_created", "entity_id": "order:{{uuid:o}}" }

### test: nobody pays
### channel: ${SCENARIO_CHANNEL}
{ "event_type": "order_created", "entity_id": "order:{{uuid:p}}", "data": { "order_id": 2 } }
### expect channel: e2e_payments within 800ms
{ "event_type": "order_paid", "entity_id": "order:{{uuid:p}}" }
`;
// A recorded fixture (what Record Traffic writes).
const FIXTURE = [
  '{"t":0,"kind":"pubsub","channel":"e2e_fixture","event":{"event_type":"order_created","entity_id":"order:1","data":{"order_id":1}}}',
  '{"t":40,"kind":"pubsub","channel":"e2e_fixture","event":{"event_type":"order_created","entity_id":"order:2","data":{"order_id":2}}}',
  '{"t":90,"kind":"pubsub","channel":"e2e_fixture_paid","event":{"event_type":"order_paid","entity_id":"order:1","data":{"amount":5}}}',
].join('\n') + '\n';

/** Stream id `a` comes after `b`. */
const idAfter = (a: string, b: string) => {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am! > bm! || (am === bm && as! > bs!);
};

/** Label + description of the rows of a view, for messages. */
const rowsText = async (wb: Workbench, view: string) => (await wb.treeRows(view)).map((r) => `${r.label} [${r.description}]`).join(' | ');

describe('UCore Events flows (code-server UI)', { timeout: 540_000 }, () => {
  const clis: BackgroundCli[] = [];
  let responder: OrderResponder | undefined;
  const e2e = useWorkbench({
    name: 'flows',
    redis: true,
    // A failed test opens its peek by itself (VS Code's default is now 'never': the failure shows inline at its line
    // and in Test Results, as seen in code-server; the peek shows the same message where the test can read it).
    settings: { 'ucore.commandTimeoutMs': 4000, 'testing.automaticallyOpenPeekView': 'failureAnywhere' },
    files: { 'orders.events': EVENTS_FILE, 'contracts/asyncapi.yaml': CONTRACT, 'contract.events': CONTRACT_EVENTS, 'scenarios.events': SCENARIO, 'fixtures/recorded.ndjson': FIXTURE },
    cleanup: async () => { for (const c of clis) c.kill(); await responder?.stop(); },
  });
  const { dialogs, lap } = e2e;

  it('adds a connection to the test redis-server and connects to it', async () => {
    const w = e2e.wb;
    await step(w, 'flows-add-connection', async () => {
      const asked = await addConnectionInUi(w, { url: e2e.redis.url, name: CONN });
      assert.ok(asked.length >= 6, `the URL, name, TLS, user, password and production were asked: ${asked.join('\n')}`);
      // Each step says where it is, and the count is right: six questions, "(1/6)" … "(6/6)", none past the end.
      const steps = asked.map((a) => /\((\d+)\/(\d+)\)/.exec(a)).map((m) => (m ? `${m[1]}/${m[2]}` : 'untitled'));
      assert.deepStrictEqual(steps, ['1/6', '2/6', '3/6', '4/6', '5/6', '6/6'], `the steps' titles: ${asked.join('\n')}`);
      await w.waitForNotification(new RegExp(`Connected to ${CONN}`));
      await w.openActivity('UCore Events');
      await eventually(async () => (await w.treeRows('Connections')).find((r) => r.label === CONN && /active/.test(r.description) && /\bconnected\b/.test(r.description)),
        `"${CONN}" shown as active and connected`);
      await w.screenshot('flows-1-connection-added');
    });
    lap('connection added');
  });

  it('shows a channel after an event is published to it from the CLI', async () => {
    const w = e2e.wb;
    await step(w, 'flows-channel-from-cli', async () => {
      const r = await runCli(['publish', CHANNEL, JSON.stringify(event('order_created', { order_id: 1, items: [{ product_id: 1, quantity: 1 }], total_price: 5 })), '--url', e2e.redis.url]);
      assert.strictEqual(r.code, 0, `ucore publish failed: ${r.stderr}`);
      await eventually(async () => (await w.treeRows('Channels')).find((row) => row.label === CHANNEL),
        `channel ${CHANNEL} in the Channels view`, 15_000).catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Channels')}`); });
      await w.screenshot('flows-2-channel-from-cli');
    });
    lap('channel from CLI');
  });

  it('publishes from the command palette and `ucore tail` receives it', async () => {
    const w = e2e.wb;
    await step(w, 'flows-publish-palette', async () => {
      const tail = startCli(['tail', CHANNEL, '--count', '1', '--json', '--url', e2e.redis.url]);
      clis.push(tail);
      await waitForSubscribers(e2e.redis.port, CHANNEL);
      const marker = `palette-${Date.now()}`;
      await w.runCommand('UCore: Publish Event');
      await answerPrompts(w, [
        { match: /Publish to a channel or append to a stream/, pick: CHANNEL },
        { match: /Event type/, pick: 'order_created' },
        {
          match: /as JSON/,
          edit: (v) => {
            const e = JSON.parse(v) as { event_type: string; data: Record<string, unknown> };
            assert.strictEqual(e.event_type, 'order_created', 'the JSON box is prefilled with the chosen type');
            e.data.note = marker;
            return JSON.stringify(e);
          },
        },
      ]);
      const msg = await w.waitForNotification(new RegExp(`Published order_created to channel ${CHANNEL}`));
      assert.match(msg, /\(1 receiver\b/, "the one receiver is the CLI tail");
      await w.screenshot('flows-3-published-from-palette');
      const res = await tail.done(15_000);
      assert.strictEqual(res.code, 0, `ucore tail failed: ${res.stderr}`);
      const line = JSON.parse(res.stdout.trim().split('\n')[0]) as { channel: string; event: { event_type: string; data: { note?: string } } };
      assert.strictEqual(line.channel, CHANNEL);
      assert.strictEqual(line.event.event_type, 'order_created');
      assert.strictEqual(line.event.data.note, marker, 'the tail received the event edited in the input box');
    });
    lap('palette publish → CLI tail');
  });

  it('publishes a block of a .events file from its CodeLens', async () => {
    const w = e2e.wb;
    await step(w, 'flows-codelens', async () => {
      const tail = startCli(['tail', LENS_CHANNEL, '--count', '1', '--json', '--url', e2e.redis.url]);
      clis.push(tail);
      await waitForSubscribers(e2e.redis.port, LENS_CHANNEL);
      // Open the file the way a user does: Quick Open.
      await w.page.keyboard.press('Control+P');
      await w.quickInputType('orders.events', { submit: false });
      await w.quickPickSelect('orders.events');
      await waitForEditorText(w.page, /from-codelens/);
      const lens = w.page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: `Publish to ${LENS_CHANNEL}` }).first();
      await lens.waitFor({ state: 'visible', timeout: 20_000 });
      const lenses = await w.page.locator('.monaco-editor .codelens-decoration').allInnerTexts();
      await w.screenshot('flows-4a-events-file-codelens');
      await lens.click();
      // A single block reports in the status bar (Publish All uses a notification).
      const status = w.page.locator('.part.statusbar').filter({ hasText: new RegExp(`Published order_paid to channel ${LENS_CHANNEL} \\((\\d+ receivers?|no receivers) besides UCore\\)`) });
      await status.waitFor({ timeout: 15_000 }).catch((e: Error) => { throw new Error(`${e.message}; lenses: ${lenses.join(' | ')}`); });
      const res = await tail.done(15_000);
      const line = JSON.parse(res.stdout.trim().split('\n')[0]) as { channel: string; event: { event_type: string; event_id?: string; data: { order_id: number; note: string } } };
      assert.strictEqual(line.channel, LENS_CHANNEL);
      assert.strictEqual(line.event.event_type, 'order_paid');
      assert.deepStrictEqual([line.event.data.order_id, line.event.data.note], [4242, 'from-codelens']);
      assert.ok(line.event.event_id, 'the missing envelope fields were filled in when sending');
      await w.screenshot('flows-4b-codelens-published');
    });
    lap('CodeLens publish');
  });

  it('a contract in the workspace underlines the violating property and stops its publish until "Send Anyway"', async () => {
    const w = e2e.wb;
    await step(w, 'flows-contract', async () => {
      const tail = startCli(['tail', CONTRACT_CHANNEL, '--count', '1', '--json', '--url', e2e.redis.url]);
      clis.push(tail);
      await waitForSubscribers(e2e.redis.port, CONTRACT_CHANNEL);
      await w.page.keyboard.press('Control+P');
      await w.quickInputType('contract.events', { submit: false });
      await w.quickPickSelect('contract.events');
      await waitForEditorText(w.page, /"amount": -5/);
      await w.page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'visible', timeout: 20_000 });
      await w.screenshot('flows-4c-contract-diagnostic');
      const lens = w.page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: `Publish to ${CONTRACT_CHANNEL}` }).first();
      await lens.waitFor({ state: 'visible', timeout: 20_000 });
      await lens.click();
      const dialog = await modalDialog(w.page, 15_000);
      assert.match(dialog.text, /invoice_sent breaks the contract for channel e2e_contract \(e2e contract\)/);
      assert.match(dialog.text, /data\.amount: must be > 0 {2}— contracts\/asyncapi\.yaml:17/);
      assert.ok(dialog.buttons.some((b) => /Send Anyway/.test(b)), dialog.buttons.join(' | '));
      await w.screenshot('flows-4d-contract-stops-publish');
      await clickDialogButton(w.page, 'Cancel');
      await new Promise((r) => setTimeout(r, 1000));
      assert.strictEqual(tail.stdout().trim(), '', 'nothing was published after Cancel');
      await lens.click();
      await modalDialog(w.page, 15_000);
      await clickDialogButton(w.page, 'Send Anyway');
      const res = await tail.done(15_000);
      const line = JSON.parse(res.stdout.trim().split('\n')[0]) as { event: { data: { amount: number } } };
      assert.strictEqual(line.event.data.amount, -5);
      await w.screenshot('flows-4e-contract-sent-anyway');
    });
    lap('contract check');
  });

  it('Generate Contract from Traffic samples a stream written the guide\'s way and opens a contract that accepts it', async () => {
    const w = e2e.wb;
    const port = e2e.redis.port;
    await step(w, 'flows-contract-generate', async () => {
      for (let i = 1; i <= 4; i++) {
        await redisCli(port, ['XADD', GEN_STREAM, '*', 'event', JSON.stringify({ event_type: 'shipment_created', event_id: `s-${i}`, timestamp: '2026-12-01T10:00:00Z', data: { order_id: String(i), carrier: i % 2 ? 'dhl' : 'ups' } })]);
      }
      await redisCli(port, ['XGROUP', 'CREATE', GEN_STREAM, 'shipping', '0']);
      await clearNotifications(w);
      await w.runCommand('UCore: Generate Contract from Traffic');
      await answerPrompts(w, [
        { match: /channels and streams to sample/, check: [GEN_STREAM] },
        { match: /how long to sample/, pick: '10 seconds' },
      ]);
      const progress = w.page.locator('.notifications-toasts .notification-toast').filter({ hasText: /Sampling/ }).first();
      await progress.waitFor({ state: 'visible', timeout: 10_000 });
      await w.screenshot('flows-4f-contract-generate-progress');
      await answerPrompts(w, [{ match: /Where should the contract go/, pick: 'Open unsaved' }], { timeoutMs: 60_000 });
      await waitForEditorText(w.page, /const: shipment_created/);
      await waitForEditorText(w.page, /- shipping/);
      const done = await w.waitForNotification(/Contract inferred from 4 events/, 20_000);
      assert.match(done, new RegExp(GEN_STREAM));
      await w.screenshot('flows-4g-contract-generated');
    });
    lap('generate contract');
  });

  it('expands a stream → group → consumer → pending entries and claims one for another consumer', async () => {
    const w = e2e.wb;
    const port = e2e.redis.port;
    await step(w, 'flows-claim', async () => {
      for (let i = 1; i <= 3; i++) {
        await redisCli(port, ['XADD', JOBS, '*', 'event', JSON.stringify(event('order_paid', { order_id: 100 + i }, { entity_id: `order_${100 + i}` }))]);
      }
      await redisCli(port, ['XGROUP', 'CREATE', JOBS, 'workers', '0']);
      await redisCli(port, ['XGROUP', 'CREATECONSUMER', JOBS, 'workers', 'bob']);
      await redisCli(port, ['XREADGROUP', 'GROUP', 'workers', 'alice', 'COUNT', '2', 'STREAMS', JOBS, '>']);
      const pendingIds = (await redisCliRaw(port, ['XPENDING', JOBS, 'workers', '-', '+', '10', 'alice'])).filter((l) => /^\d+-\d+$/.test(l));
      assert.strictEqual(pendingIds.length, 2, 'alice holds two pending entries');

      await w.runCommand('UCore: Refresh');
      await w.expandTreeRow(JOBS, 'Streams');
      await w.expandTreeRow('workers', 'Streams');
      await eventually(async () => (await w.treeRows('Streams')).find((r) => r.label === 'alice' && /^2 pending/.test(r.description)), 'alice with 2 pending');
      await w.expandTreeRow('alice', 'Streams');
      const target = pendingIds[0];
      const row = await w.waitForTreeRow(target, 'Streams');
      await w.screenshot('flows-5a-pending-entries');
      await treeContextAction(w, row, /^Claim/);
      await answerPrompts(w, [{ match: new RegExp(`Claim ${target} for`), pick: 'bob' }]);
      await w.page.locator('.part.statusbar', { hasText: `Claimed ${target} for bob` }).waitFor({ timeout: 15_000 });
      const bobs = await redisCliRaw(port, ['XPENDING', JOBS, 'workers', '-', '+', '10', 'bob']);
      assert.ok(bobs.includes(target), `bob owns ${target} in Redis: ${bobs.join(' ')}`);
      await eventually(async () => {
        const rows = await w.treeRows('Streams');
        return rows.find((r) => r.label === 'bob' && /^1 pending/.test(r.description)) && rows.find((r) => r.label === 'alice' && /^1 pending/.test(r.description));
      }, 'the tree showing alice and bob with one pending entry each').catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Streams')}`); });
      await w.expandTreeRow('bob', 'Streams');
      await w.waitForTreeRow(target, 'Streams');
      await w.screenshot('flows-5b-claimed');
    });
    lap('claim');
  });

  it('searches a stream from its context menu and lists the matches in Search Results; one opens as JSON', async () => {
    const w = e2e.wb;
    await step(w, 'flows-search', async () => {
      // JOBS holds the three order_paid events the claim step appended (order_id 101, 102, 103), XADDed the guide's way.
      const row = await w.waitForTreeRow(JOBS, 'Streams');
      await treeContextAction(w, row, /^Search Stream/);
      await w.quickInputType('event_type == "order_paid" && data.order_id >= 102');
      const rows = await eventually(async () => {
        const r = await w.treeRows('Search Results');
        return r.some((x) => /2 matches · 3 of 3 scanned · searched to the end/.test(x.label)) && r;
      }, 'the search status in Search Results').catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Search Results')}`); });
      const matches = rows.filter((r) => /order_paid/.test(r.description));
      assert.strictEqual(matches.length, 2, JSON.stringify(rows));
      await w.screenshot('flows-search-results');
      await w.page.locator('.pane').filter({ has: w.page.locator('.pane-header', { hasText: 'Search Results' }) })
        .locator('.customview-tree .monaco-list-row', { hasText: 'order_paid' }).first().click();
      await w.page.locator('.monaco-editor .view-lines', { hasText: '"order_id": 102' }).waitFor({ timeout: 15_000 });
      await w.screenshot('flows-search-opened');
    });
    lap('search');
  });

  it('exports the search results to NDJSON from the Search Results title (save dialog) and imports them into another stream after a dry run', async () => {
    const w = e2e.wb;
    await step(w, 'flows-export-import', async () => {
      const file = join(e2e.server.workspace, 'jobs-results.ndjson');
      await clearNotifications(w);
      // The Search Results view still shows the two matches of the search step.
      const pane = w.page.locator('.pane').filter({ has: w.page.locator('.pane-header', { hasText: 'Search Results' }) });
      await pane.locator('.pane-header').hover();
      await pane.locator('.pane-header .action-label[aria-label^="Export Search Results"]').first().click();
      await answerPrompts(w, [{ match: /Export e2e_jobs to/, edit: () => file, inspect: async () => { await w.screenshot('flows-export-1-save-dialog'); } }]);
      await w.waitForNotification(/Exported 2 entries of e2e_jobs to jobs-results\.ndjson \(2 scanned\)/);
      await w.screenshot('flows-export-2-exported');
      const exported = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; stream: string; event: { data: { order_id: number } } });
      assert.deepStrictEqual(exported.map((l) => [l.kind, l.stream, l.event.data.order_id]), [['stream', JOBS, 102], ['stream', JOBS, 103]]);

      // Export Entries from the stream's context menu: all of it.
      await clearNotifications(w);
      const all = join(e2e.server.workspace, 'jobs-all.ndjson');
      // The save dialog follows the pick: on a loaded machine it may take longer than answerPrompts' usual 1.5 s.
      const asked: string[] = [];
      await treeContextAction(w, await w.waitForTreeRow(JOBS, 'Streams'), /^Export Entries/);
      await answerPrompts(w, [
        { match: /Export which entries of e2e_jobs/, pick: 'All entries', inspect: async (p) => { assert.ok(p.rows.some((r) => r.includes('The search results shown')), p.rows.join(' | ')); await w.screenshot('flows-export-0-which-entries'); } },
        { match: /Export e2e_jobs to/, edit: () => all },
      ], { settleMs: 5000, transcript: asked });
      await w.waitForNotification(/Exported 3 entries of e2e_jobs to jobs-all\.ndjson \(3 scanned\)/).catch((e: Error) => { throw new Error(`${e.message}; asked: ${asked.join(' // ')}`); });
      assert.strictEqual(readFileSync(all, 'utf8').trim().split('\n').length, 3);

      await clearNotifications(w);
      await w.runCommand('UCore: Import NDJSON');
      await answerPrompts(w, [
        { match: /Import which NDJSON file/, edit: () => file },
        { match: /Import jobs-results\.ndjson into/, pick: 'One stream or channel' },
        { match: /Send the events of/, pick: 'Other stream' },
        { match: /Stream key/, type: `${JOBS}_copy` },
        { match: /Events per second at most/, type: '' },
      ]);
      const dialog = await modalDialog(w.page);
      assert.match(dialog.text, /Import 2 events from jobs-results\.ndjson into "e2e-redis"/, dialog.text);
      assert.match(dialog.text, /Dry run: would send 2 events to stream e2e_jobs_copy: 2/, dialog.text);
      await w.screenshot('flows-export-3-import-dry-run');
      await clickDialogButton(w.page, 'Import');
      await w.waitForNotification(/Imported 2 events from jobs-results\.ndjson to stream e2e_jobs_copy: 2/);
      await w.screenshot('flows-export-4-imported');
      const copied = await redisCliRaw(e2e.redis.port, ['XRANGE', `${JOBS}_copy`, '-', '+']);
      assert.strictEqual(copied.filter((l) => l.includes('order_paid')).length, 2, copied.join('\n'));
    });
    lap('export / import');
  });

  it('replays stored events with a progress notification, then a summary', async () => {
    const w = e2e.wb;
    const port = e2e.redis.port;
    await step(w, 'flows-replay', async () => {
      for (let i = 1; i <= REPLAY_COUNT; i++) {
        await redisCli(port, ['XADD', 'event_store', '*', 'event', JSON.stringify(event('order_created',
          { order_id: 500 + i, items: [{ product_id: 1, quantity: i }], total_price: i }, { entity_id: `order_${500 + i}` }))]);
      }
      const tail = startCli(['tail', REPLAY_CHANNEL, '--count', String(REPLAY_COUNT), '--json', '--url', e2e.redis.url]);
      clis.push(tail);
      await waitForSubscribers(port, REPLAY_CHANNEL);
      await clearNotifications(w);
      await w.runCommand('UCore: Replay Events');
      // The replay walks: which events → where to → how fast → a dry-run preview (a modal) → run.
      await answerPrompts(w, [
        { match: /source stream/, pick: 'event_store' },
        { match: /which events/, pick: 'All events' },
        { match: /\(2\/4\): target/, pick: 'This connection' },
        { match: /Replay to a channel or a stream/, pick: /Other channel/ },
        { match: /Channel name/, type: REPLAY_CHANNEL },
        { match: /rate/, type: '4' },
      ]);
      const preview = await modalDialog(w.page, 15_000);
      assert.match(preview.text, new RegExp(`${REPLAY_COUNT} events match`), `the dry run counted the events: ${preview.text}`);
      assert.match(preview.text, new RegExp(REPLAY_CHANNEL));
      await w.screenshot('flows-6a-replay-preview');
      await clickDialogButton(w.page, 'Run Replay');
      const progress = w.page.locator('.notifications-toasts .notification-toast').filter({ hasText: new RegExp(`Replaying to channel ${REPLAY_CHANNEL}`) }).first();
      await progress.waitFor({ state: 'visible', timeout: 10_000 });
      const progressText = await progress.innerText();
      // Cancellable: the progress toast carries a Cancel button.
      const cancelButtons = await progress.locator('.monaco-button').filter({ hasText: /^Cancel$/ }).count();
      await w.screenshot('flows-6b-replay-progress');
      const summary = await w.waitForNotification(new RegExp(`Replayed ${REPLAY_COUNT}\\b`), 30_000);
      assert.match(summary, new RegExp(REPLAY_CHANNEL), `summary names the target: ${summary}`);
      assert.strictEqual(cancelButtons, 1, `the progress notification can be cancelled: ${progressText}`);
      await w.screenshot('flows-6c-replay-summary');
      const res = await tail.done(15_000);
      const got = res.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: { data: { order_id: number } } }).event.data.order_id);
      assert.deepStrictEqual(got, Array.from({ length: REPLAY_COUNT }, (_, i) => 501 + i), 'replayed in order');
    });
    lap('replay');
  });

  it('Replay by event type lists the types present in the stream, not the registry\'s', async () => {
    const w = e2e.wb;
    const port = e2e.redis.port;
    await step(w, 'flows-replay-types', async () => {
      // The stream holds order_created only (written the guide's way, no index) plus a type index key another
      // writer left for older entries; the registry knows a dozen other types that must not be offered.
      await redisCli(port, ['XADD', 'event_store:idx:type:legacy_refund', '*', 'i', '']);
      let asked: { rows: string[]; placeholder: string } | undefined;
      await w.runCommand('UCore: Replay Events');
      await answerPrompts(w, [
        { match: /source stream/, pick: 'event_store' },
        { match: /which events/, pick: 'By event type' },
        {
          match: /event types/,
          press: 'Escape',
          inspect: async (p) => {
            asked = p;
            await w.screenshot('flows-6d-replay-types-in-stream');
          },
        },
      ]);
      assert.ok(asked, 'the type step was asked');
      // A row's text is its label then its description ("order_created12 of the newest 12").
      assert.ok(asked.rows.some((r) => /^order_created\s*12 of the newest 12\b/.test(r)), `order_created (in the stream) is offered, with how many of the newest entries carry it: ${asked.rows.join(' | ')}`);
      assert.ok(asked.rows.some((r) => /^legacy_refund\s*indexed/.test(r)), `the type index's type is offered as indexed: ${asked.rows.join(' | ')}`);
      for (const absent of ['user_registered', 'payment_processed', 'order_shipped']) {
        assert.ok(!asked.rows.some((r) => r.startsWith(absent)), `${absent} (registry only, not in the stream) is not offered: ${asked.rows.join(' | ')}`);
      }
      assert.match(asked.placeholder, /newest 1[0-9] entries|newest \d+ entries/);
      await redisCli(port, ['DEL', 'event_store:idx:type:legacy_refund']);
    });
    lap('replay types');
  });

  it('Replay by time range asks which clock and says which one it used', async () => {
    const w = e2e.wb;
    const port = e2e.redis.port;
    await step(w, 'flows-replay-clock', async () => {
      // Two events that happened a day ago, appended now the guide's way (a backfill).
      const dayAgo = Date.now() - 86_400_000;
      for (let i = 0; i < 2; i++) {
        await redisCli(port, ['XADD', 'event_store', '*', 'event', JSON.stringify(event('order_created', { order_id: 900 + i }, { timestamp: new Date(dayAgo + i).toISOString() }))]);
      }
      const range = (clock: RegExp) => [
        { match: /source stream/, pick: 'event_store' },
        { match: /which events/, pick: 'Time range' },
        { match: /^\s*Since/m, type: new Date(dayAgo - 60_000).toISOString() },
        { match: /^\s*Until/m, type: new Date(dayAgo + 60_000).toISOString() },
        { match: /range compares/, pick: clock },
        { match: /\(2\/4\): target/, pick: 'This connection' },
        { match: /Replay to a channel or a stream/, pick: /Other channel/ },
        { match: /Channel name/, type: 'clock_check' },
        { match: /rate/, type: '' },
      ];
      await w.runCommand('UCore: Replay Events');
      await answerPrompts(w, range(/Event time/));
      const preview = await modalDialog(w.page, 15_000);
      assert.match(preview.text, /2 events match/, `found by their timestamp: ${preview.text}`);
      assert.match(preview.text, /Time range on the event's timestamp/);
      await w.screenshot('flows-6e-replay-event-clock');
      await clickDialogButton(w.page, 'Cancel');
      await clearNotifications(w);
      await w.runCommand('UCore: Replay Events');
      await answerPrompts(w, range(/Append time/));
      const none = await w.waitForNotification(/No events match/, 15_000);
      assert.match(none, /Time range on the append time \(stream id\)/, `appended now, not a day ago: ${none}`);
    });
    lap('replay clock');
  });

  it('starts demo traffic and the Channels and Streams views fill; stops it', async () => {
    const w = e2e.wb;
    await step(w, 'flows-demo', async () => {
      await w.runCommand('UCore: Start Demo Traffic');
      // The demo's consumers subscribe at once, so the channels may be listed before any traffic: wait for rates.
      const live = (d: string) => /(^|\s)[1-9][\d.]*k?\/s|0\.[1-9]\d*\/s/.test(d);
      await eventually(async () => {
        const rows = await w.treeRows('Channels');
        return ['ecommerce_events', 'user_events'].every((name) => rows.some((r) => r.label === name && live(r.description)));
      }, 'the demo channels with live rates in the Channels view', 20_000).catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Channels')}`); });
      const streamRows = w.page.locator('.pane').filter({ has: w.page.locator('.pane-header', { hasText: 'Streams' }) }).locator('.customview-tree .monaco-list-row');
      // Room for the rows (the tree renders only the rows in view): the other views folded, e2e_jobs collapsed.
      await w.foldViewsExcept('Streams');
      const jobs = (await w.treeRows('Streams')).findIndex((r) => r.label === JOBS);
      if (jobs >= 0 && (await w.treeRows('Streams'))[jobs]!.expanded) await streamRows.nth(jobs).locator('.monaco-tl-twistie').click();
      await w.page.waitForTimeout(500);
      await w.runCommand('UCore: Refresh');
      await eventually(async () => {
        const rows = await w.treeRows('Streams');
        const store = rows.find((r) => r.label === 'event_store');
        return store && Number(/^(\d+)/.exec(store.description)?.[1] ?? 0) > REPLAY_COUNT;
      }, 'event_store growing in the Streams view', 20_000);
      await w.screenshot('flows-7a-demo-traffic');

      // Under live traffic the entries hold still: times as labels (ids in the description), a selected entry stays
      // on its row, and the entries that arrive meanwhile wait behind a "N newer entries" row.
      const all = await w.treeRows('Streams');
      const storeAt = all.findIndex((r) => r.label === 'event_store');
      if (all[storeAt]?.expanded !== true) await streamRows.nth(storeAt).locator('.monaco-tl-twistie').click();
      const entriesAt = await eventually(async () => {
        const rows = await w.treeRows('Streams');
        const i = rows.findIndex((r, k) => k > storeAt && r.label === 'Entries');
        return i > storeAt ? i : undefined;
      }, 'the Entries folder of event_store');
      await streamRows.nth(entriesAt).locator('.monaco-tl-twistie').click();
      const ENTRY_LABEL = /^\d\d:\d\d:\d\d\.\d{3}( #\d+)?$/;
      const ENTRY_ID = /\b(\d{13}-\d+)$/;
      const entryRows = async () => (await w.treeRows('Streams')).filter((r) => ENTRY_LABEL.test(r.label) && ENTRY_ID.test(r.description));
      const shownBefore = await eventually(async () => { const r = await entryRows(); return r.length >= 5 ? r : undefined; }, 'entries labelled with their time, the id in the description');
      const chosen = shownBefore[2]!;
      await streamRows.filter({ hasText: ENTRY_ID.exec(chosen.description)![1]! }).first().click();
      const selectedText = async () => (await w.page.locator('.pane').filter({ has: w.page.locator('.pane-header', { hasText: 'Streams' }) })
        .locator('.monaco-list-row.selected').allInnerTexts()).join(' | ');
      assert.ok((await selectedText()).includes(ENTRY_ID.exec(chosen.description)![1]!), `the clicked entry is selected: ${await selectedText()}`);
      // Two auto-refreshes (every 5 s) while the demo appends a few events a second.
      await w.page.waitForTimeout(11_000);
      const newer = await eventually(async () => (await w.treeRows('Streams')).find((r) => /^\d+\+? newer entr/.test(r.label)), 'a "N newer entries" row above the entries', 10_000)
        .catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Streams')}`); });
      const shownAfter = await entryRows();
      assert.deepStrictEqual(shownAfter.slice(0, 5).map((r) => r.description), shownBefore.slice(0, 5).map((r) => r.description), 'the entries did not move under live traffic');
      assert.ok((await selectedText()).includes(ENTRY_ID.exec(chosen.description)![1]!), `the selection is still on its entry: ${await selectedText()}`);
      await w.screenshot('flows-7b-streams-hold-still');
      await streamRows.filter({ hasText: newer.label }).first().click();
      await eventually(async () => {
        const first = (await entryRows())[0];
        return first && idAfter(ENTRY_ID.exec(first.description)![1]!, ENTRY_ID.exec(shownBefore[0]!.description)![1]!);
      }, 'the newest entries shown after "newer entries" is clicked');
      await w.screenshot('flows-7c-streams-newer-shown');
      await w.runCommand('UCore: Stop Demo Traffic');
      await w.waitForNotification(/Demo stopped( on "[^"]+")?: \d+ events/);
      const before = Number((await redisCliRaw(e2e.redis.port, ['XLEN', 'event_store']))[0]);
      await new Promise((r) => setTimeout(r, 1500));
      const after = Number((await redisCliRaw(e2e.redis.port, ['XLEN', 'event_store']))[0]);
      assert.ok(after - before <= 5, `demo traffic stopped (event_store grew by ${after - before} after Stop)`);
      await w.screenshot('flows-7d-demo-stopped');
    });
    lap('demo traffic');
  });

  it('Show Event Flows draws the order flow, lists the stuck guide-written order and traces it to the unacked entry', async () => {
    const w = e2e.wb;
    const frame = () => w.webviewFrame();
    await step(w, 'flows-map', async () => {
      // A guide-written order (only data.order_id, XADD event_store * event <json>) that stopped at order_paid ten
      // minutes ago, read by a group that acked its order_created only; and an event whose type is markup.
      const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace('Z', '000').slice(0, 26);
      await redisCliRaw(e2e.redis.port, ['XGROUP', 'CREATE', 'event_store', 'e2e-fulfilment', '$']);
      const created = (await redisCliRaw(e2e.redis.port, ['XADD', 'event_store', '*', 'event', JSON.stringify({ event_id: 'order_990001', event_type: 'order_created', timestamp: at(601_000), user_id: 12345, data: { order_id: 990001, total_price: 99.99 } })]))[0]!;
      await redisCliRaw(e2e.redis.port, ['XADD', 'event_store', '*', 'event', JSON.stringify({ event_id: 'paid_990001', event_type: 'order_paid', timestamp: at(600_000), data: { order_id: 990001 } })]);
      await redisCliRaw(e2e.redis.port, ['XADD', 'event_store', '*', 'event', JSON.stringify({ event_type: '<img src=x onerror=alert(1)>', timestamp: at(500_000), data: { order_id: 990002 } })]);
      await redisCliRaw(e2e.redis.port, ['XREADGROUP', 'GROUP', 'e2e-fulfilment', 'w1', 'COUNT', '10', 'STREAMS', 'event_store', '>']);
      await redisCliRaw(e2e.redis.port, ['XACK', 'event_store', 'e2e-fulfilment', created]);
      await w.page.locator('.part.sidebar .composite.title').first().click();
      await w.runCommand('UCore: Show Event Flows');
      await frame().locator('h1', { hasText: 'Event Flows' }).waitFor({ state: 'visible', timeout: 30_000 });
      await eventually(async () => (await frame().locator('svg .node').count()) >= 4, 'the order graph drawn (≥ 4 types)', 60_000);
      for (const type of ['order_created', 'order_paid', 'order_shipped']) assert.strictEqual(await frame().locator(`svg .node[data-type="${type}"]`).count(), 1, type);
      assert.ok(await frame().locator('svg .edge[data-from="order_created"]').count() >= 1, 'steps out of order_created');
      assert.match(await frame().locator('svg .edge-label').first().textContent() ?? '', /^\d+ · [\d.]+ (ms|s|min|h)\/[\d.]+ (ms|s|min|h)$/);
      await w.screenshot('flows-8a-flow-map');
      const stuckRow = frame().locator('[data-section="stuck"] tr[data-entity="990001"]');
      await stuckRow.waitFor({ state: 'visible', timeout: 10_000 });
      // The markup type is a text node, not an element.
      assert.strictEqual(await frame().locator('img').count(), 0, 'no <img> from a type name');
      await frame().locator('svg .node[data-type="order_paid"]').click();
      await eventually(async () => /Filtered to entities stopped at order_paid/.test(await frame().locator('[data-figure="filter"]').innerText()), 'the stuck list filtered by the clicked type');
      assert.ok(await stuckRow.isVisible(), 'the stuck order stays listed under its type');
      await w.screenshot('flows-8b-node-filter');
      await stuckRow.click();
      await eventually(async () => /pending in group e2e-fulfilment with w1, 1 delivery/.test(await frame().locator('[data-section="timeline"]').innerText()), 'the timeline names the group that has not acked order_paid', 30_000);
      assert.match(await frame().locator('[data-section="timeline"]').innerText(), /acked by group e2e-fulfilment/);
      await frame().locator('[data-section="timeline"]').scrollIntoViewIfNeeded();
      await w.screenshot('flows-8c-trace');
      // From the palette too.
      await w.page.locator('.part.sidebar .composite.title').first().click();
      await w.runCommand('UCore: Trace Entity');
      await answerPrompts(w, [{ match: /Entity to trace/, type: '990002' }]);
      await eventually(async () => /990002: 1 events? in event_store/.test(await frame().locator('[data-section="timeline"]').innerText()), 'the palette trace shown', 30_000);
      assert.strictEqual(await frame().locator('img').count(), 0);
      await w.screenshot('flows-8d-trace-hostile');
    });
    lap('event flows');
  });

  it('a fixture has its CodeLens and replays; scenario tests pass and fail in the Testing view, the failure at its line', async () => {
    const w = e2e.wb;
    await step(w, 'flows-scenarios', async () => {
      await w.page.locator('.part.sidebar .composite.title').first().click().catch(() => undefined);
      // Record Traffic: a typed channel name, checked in the multi-select, until stopped from the status bar.
      await w.runCommand('UCore: Record Traffic');
      const qi = w.page.locator('.quick-input-widget');
      await qi.locator('.quick-input-box input').fill('e2e_recorded');
      const typed = qi.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'e2e_recorded' }).first();
      await typed.waitFor({ timeout: 15_000 });
      const cb = typed.locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox').first();
      if (await cb.count()) await cb.click(); else await typed.click();
      await w.screenshot('flows-9-record-pick');
      await qi.locator('.quick-input-action .monaco-button, .quick-input-ok .monaco-button').first().click();
      await answerPrompts(w, [
        { match: /Record for how long/, pick: 'Until I stop it' },
        { match: /Fixture file/, type: 'fixtures/e2e-recorded.ndjson' },
      ]);
      const recordingItem = w.page.locator('.part.statusbar .statusbar-item').filter({ hasText: /Recording e2e_recorded|\d+ events · \d+ s/ }).first();
      await recordingItem.waitFor({ timeout: 15_000 });
      await waitForSubscribers(e2e.redis.port, 'e2e_recorded');
      for (const n of [1, 2]) await redisCli(e2e.redis.port, ['PUBLISH', 'e2e_recorded', JSON.stringify({ event_type: 'order_created', data: { order_id: n } })]);
      await w.page.locator('.part.statusbar .statusbar-item').filter({ hasText: '2 events' }).first().waitFor({ timeout: 15_000 });
      await w.screenshot('flows-9-recording-status');
      await w.page.locator('.part.statusbar .statusbar-item').filter({ hasText: '2 events' }).first().click();
      await w.waitForNotification(/Recorded 2 events in \d+ s into fixtures\/e2e-recorded\.ndjson/);
      await clearNotifications(w);
      await w.page.keyboard.press('Control+P');
      await w.quickInputType('recorded.ndjson', { submit: false });
      await w.quickPickSelect('recorded.ndjson');
      await waitForEditorText(w.page, /e2e_fixture_paid/);
      const replay = w.page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: 'Replay to' }).first();
      // CodeLens comes after the editor's debounce and the extension host's answer: slow on a loaded machine.
      await replay.waitFor({ state: 'visible', timeout: 60_000 });
      const lensText = () => w.page.locator('.monaco-editor .codelens-decoration').allInnerTexts().then((t) => t.join(' | '));
      const titles = ['Replay to…', 'Compare with…', 'Make Scenario Test…'];
      await eventually(async () => { const t = await lensText(); return titles.every((x) => t.includes(x)); }, 'the three fixture lenses', 30_000).catch(async (e) => { throw new Error(`${(e as Error).message}: ${await lensText()}`); });
      await w.screenshot('flows-9a-fixture-codelens');
      const tail = startCli(['tail', 'e2e_fixture', '--count', '2', '--json', '--url', e2e.redis.url]);
      clis.push(tail);
      await waitForSubscribers(e2e.redis.port, 'e2e_fixture');
      await replay.click();
      await answerPrompts(w, [
        { match: /Replay to which connection/, pick: CONN },
        { match: /Where do the events go/, pick: 'Same channels and streams' },
        { match: /Replay speed/, pick: '10×' },
      ]);
      await w.waitForNotification(/Replayed 3 events of fixtures\/recorded\.ndjson/);
      const res = await tail.done(15_000);
      assert.deepStrictEqual(res.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: { entity_id: string } }).event.entity_id), ['order:1', 'order:2']);

      await w.page.keyboard.press('Control+P');
      await w.quickInputType('scenarios.events', { submit: false });
      await w.quickPickSelect('scenarios.events');
      await waitForEditorText(w.page, /nobody pays/);
      await w.runCommand('View: Show Testing');
      const explorer = w.page.locator('.test-explorer');
      const fileRow = explorer.locator('.monaco-list-row').filter({ hasText: 'scenarios.events' }).first();
      await fileRow.waitFor({ timeout: 20_000 });
      // Expand the file item when it is collapsed, so both tests show.
      if ((await fileRow.getAttribute('aria-expanded')) === 'false') await fileRow.click();
      await w.runCommand('Test: Run All Tests');
      const passed = explorer.locator('.monaco-list-row').filter({ hasText: 'an order is seen' }).locator('.codicon-testing-passed-icon');
      const failed = explorer.locator('.monaco-list-row').filter({ hasText: 'nobody pays' }).locator('.codicon-testing-failed-icon');
      await passed.waitFor({ timeout: 30_000 });
      await failed.waitFor({ timeout: 30_000 });
      // The failure opens as a peek in the scenario, at the expectation's line, saying what was expected and what came.
      const peek = w.page.locator('.monaco-editor .peekview-widget').first();
      await peek.waitFor({ timeout: 20_000 });
      const peekText = await peek.innerText();
      assert.match(peekText, /expected channel e2e_payments within 800ms/, peekText);
      assert.match(peekText, /nothing arrived on channel e2e_payments/, peekText);
      await w.screenshot('flows-9b-testing-view');
      // The peek opens right below the line it belongs to: the expectation's header, line 11.
      const editor = w.page.locator('.monaco-editor').filter({ has: w.page.locator('.peekview-widget') }).first();
      const lineNumber = editor.locator('.margin-view-overlays .line-numbers').filter({ hasText: /^11$/ }).first();
      const [ln, pk] = await Promise.all([lineNumber.boundingBox(), peek.boundingBox()]);
      assert.ok(ln && pk && pk.y >= ln.y + ln.height - 2 && pk.y <= ln.y + ln.height + 30, `the peek (${JSON.stringify(pk)}) sits below line 11 (${JSON.stringify(ln)})`);
    });
    lap('fixture CodeLens and scenario tests');
  });

  it('Make Scenario Test from a recording\'s CodeLens: the scenario passes in the Testing view, and fails there and in `ucore test` when the service breaks', async () => {
    const w = e2e.wb;
    await step(w, 'flows-make-scenario', async () => {
      responder = await startOrderResponder(e2e.redis.url, { in: MK_ORDERS, out: MK_PAYMENTS, delayMs: 100 });
      // Record the service at work from the CLI (the UI's Record Traffic is the step above): two orders, two payments.
      const fixture = join(e2e.server.workspace, 'fixtures', 'mk.ndjson');
      const rec = startCli(['record', MK_ORDERS, MK_PAYMENTS, '--count', '4', '--out', fixture, '--url', e2e.redis.url]);
      clis.push(rec);
      await waitForSubscribers(e2e.redis.port, MK_ORDERS, 2);
      await waitForSubscribers(e2e.redis.port, MK_PAYMENTS, 1);
      for (const [i, id] of MK_IDS.entries()) {
        await redisCli(e2e.redis.port, ['PUBLISH', MK_ORDERS, JSON.stringify({ event_id: `mk-${i}`, event_type: 'order_created', timestamp: new Date().toISOString(), entity_id: `order:${id}`, data: { order_id: 700 + i, total_price: 20 + i } })]);
      }
      const recorded = await rec.done(20_000);
      assert.strictEqual(recorded.code, 0, recorded.stderr);

      await clearNotifications(w);
      await w.page.keyboard.press('Control+P');
      await w.quickInputType('mk.ndjson', { submit: false });
      await w.quickPickSelect('mk.ndjson');
      await waitForEditorText(w.page, new RegExp(MK_PAYMENTS));
      const make = w.page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: 'Make Scenario Test' }).first();
      await make.waitFor({ state: 'visible', timeout: 60_000 });
      await make.click();
      // Click one: the orders are what the test sends; click two: the payments (offered checked) are what it expects.
      await answerPrompts(w, [
        { match: /Inputs: which channels/, check: [MK_ORDERS], inspect: async () => { await w.screenshot('flows-10a-make-scenario-inputs'); } },
        { match: /Outputs: which does the test EXPECT/, check: [], inspect: async (p) => { assert.ok(p.rows.some((r) => r.includes(MK_PAYMENTS)), p.rows.join(' | ')); await w.screenshot('flows-10b-make-scenario-outputs'); } },
      ]);
      await w.waitForNotification(/Wrote 2 scenario tests \(2 sends, 2 expectations\) to fixtures\/mk\.events/);
      const scenario = await waitForEditorText(w.page, new RegExp(`### expect channel: ${MK_PAYMENTS} within`));
      assert.doesNotMatch(scenario, /0193a8c4|event_id|timestamp/, 'recorded ids and times left out');
      await w.screenshot('flows-10c-scenario-made');

      await w.runCommand('View: Show Testing');
      const explorer = w.page.locator('.test-explorer');
      const fileRow = explorer.locator('.monaco-list-row').filter({ hasText: 'mk.events' }).first();
      await fileRow.waitFor({ timeout: 30_000 });
      if ((await fileRow.getAttribute('aria-expanded')) === 'false') await fileRow.click();
      const runFile = async () => {
        // The row's own Run action, shown on hover: only this file's tests run.
        await fileRow.hover();
        const run = fileRow.locator('.action-label').filter({ has: w.page.locator('.codicon-testing-run-icon') }).or(fileRow.locator('.action-label.codicon-testing-run-icon')).first();
        await run.click({ timeout: 10_000 });
      };
      const testRows = explorer.locator('.monaco-list-row').filter({ hasText: /order:… \(\d\)/ });
      const icons = async (icon: string) => testRows.locator(`.codicon-${icon}`).count();
      await runFile();
      await eventually(async () => (await icons('testing-passed-icon')) === 2, 'both made tests passed', 45_000)
        .catch(async (e) => { throw new Error(`${(e as Error).message}: ${(await testRows.allInnerTexts()).join(' | ')}`); });
      await w.screenshot('flows-10d-made-scenario-passed');

      // The service breaks (it pays one more than the order's total): the same tests fail, in the editor and in CI.
      responder.broken = true;
      await runFile();
      await eventually(async () => (await icons('testing-failed-icon')) === 2, 'both made tests failed', 45_000)
        .catch(async (e) => { throw new Error(`${(e as Error).message}: ${(await testRows.allInnerTexts()).join(' | ')}`); });
      const peek = w.page.locator('.monaco-editor .peekview-widget').filter({ hasText: MK_PAYMENTS }).first();
      await peek.waitFor({ timeout: 20_000 });
      const peekText = await peek.innerText();
      assert.match(peekText, /data\.amount is 2[12]/, peekText);
      await w.screenshot('flows-10e-made-scenario-failed');
      const ci = await runCli(['test', join(e2e.server.workspace, 'fixtures', 'mk.events'), '--url', e2e.redis.url], 30_000);
      assert.strictEqual(ci.code, 1, ci.stdout + ci.stderr);
      assert.match(ci.stdout, /0 passed, 2 failed/, ci.stdout);
      responder.broken = false;
      const fixed = await runCli(['test', join(e2e.server.workspace, 'fixtures', 'mk.events'), '--url', e2e.redis.url], 30_000);
      assert.strictEqual(fixed.code, 0, fixed.stdout + fixed.stderr);
      assert.match(fixed.stdout, /2 passed, 0 failed/, fixed.stdout);
    });
    lap('Make Scenario Test from the CodeLens');
  });

  it('no browser dialog opened during the flows', () => {
    assert.deepStrictEqual(dialogs, []);
  });
});

// The extension on Redis Sentinel, in a real VS Code (code-server) driven by headless Chromium: a private master, one
// replica and three sentinels on loopback ports, added through "UCore: Add Connection" with the redis+sentinel:// URL.
// The Connections view shows the topology (master name, the current master, its replica, the sentinels); an event
// published from the command palette reaches a tail opened in the UI; then the master is SIGKILLed and, without the
// user touching the connection, a second publish from the palette reaches the same tail (the adapter followed the
// master the sentinels promoted) and a refreshed Topology names the new master as current.
// Outside observers subscribe on the master directly (plain ioredis, no Sentinel), so they do not depend on the code
// under test. Screenshots: .test-artifacts/screenshots/sentinel-*.png (FAILED-*.png when a step fails).
import * as assert from 'node:assert';
import { describe, it } from 'node:test';
import Redis from 'ioredis';
import { startRedisSentinel } from '../support/redis-sentinel';
import { useWorkbench } from './lib/fixture';
import { addConnectionInUi, answerPrompts, clearNotifications, eventually, step, waitForEditorText, waitForSubscribers } from './lib/ui';
import type { TreeRow, Workbench } from './lib/workbench';

const CONN = 'e2e-sentinel';
const CHANNEL = 'e2e_sentinel_orders';
/** Sentinels need ~2.5 s to promote the replica (down-after 1 s); generous for a machine under load. */
const FAILOVER_LIMIT_MS = 30_000;

const rowsText = async (wb: Workbench, view: string) => (await wb.treeRows(view)).map((r) => `${r.label} [${r.description}]`).join(' | ');
const addr = (port: number) => `127.0.0.1:${port}`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('UCore Events on Redis Sentinel, through a failover (code-server UI)', { timeout: 300_000 }, () => {
  const clients: Redis[] = [];
  const e2e = useWorkbench({
    name: 'sentinel',
    servers: { sentinel: () => startRedisSentinel() },
    settings: { 'ucore.commandTimeoutMs': 4000 },
    cleanup: () => Promise.allSettled(clients.map((c) => c.quit().catch(() => c.disconnect()))),
  });
  const { lap } = e2e;

  /** A plain subscriber on one server (not through Sentinel): collects what reaches that server on CHANNEL. */
  const observe = async (port: number) => {
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    c.on('error', () => { /* the old master dies on purpose */ });
    clients.push(c);
    const received: string[] = [];
    c.on('message', (_channel: string, message: string) => received.push(message));
    await c.connect();
    await c.subscribe(CHANNEL);
    return received;
  };

  /** Rows of the Connections view, waited for until `pick` finds what it needs; the rows go into the error. */
  const waitRows = <T>(w: Workbench, pick: (rows: TreeRow[]) => T | undefined, what: string, timeoutMs?: number) =>
    eventually(async () => pick(await w.treeRows('Connections')), what, timeoutMs)
      .catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Connections')}`); });

  /** "UCore: Publish Event" to CHANNEL with a marker in data.note, as a user does it; returns the notification. */
  const publishFromPalette = async (w: Workbench, marker: string) => {
    await clearNotifications(w);
    const started = Date.now();
    await w.runCommand('UCore: Publish Event');
    await answerPrompts(w, [
      { match: /Publish to a channel or append to a stream/, pick: /Other channel/ },
      { match: /Channel name/, type: CHANNEL },
      { match: /Event type/, pick: 'order_created' },
      {
        match: /as JSON/,
        edit: (v) => {
          const e = JSON.parse(v) as { data: Record<string, unknown> };
          e.data.note = marker;
          return JSON.stringify(e);
        },
      },
    ]);
    const answered = Date.now();
    // Success or the command's error ("Publish Event failed: …"): either way the test sees what the user saw.
    const msg = await w.waitForNotification(new RegExp(`Published order_created to channel ${CHANNEL}|Publish Event failed`), 20_000);
    lap(`palette publish: prompts answered after ${answered - started} ms, notification ${Date.now() - answered} ms later`);
    return msg;
  };

  /**
   * Expands the Connections row whose label is exactly `label`. wb.expandTreeRow matches a row's whole text, and the
   * Topology row's description ("… · master 127.0.0.1:p · …") contains the master's label.
   */
  const expandRow = async (w: Workbench, label: string) => {
    const row = w.page.locator('.pane').filter({ has: w.page.locator('.pane-header', { hasText: 'Connections' }) })
      .locator('.customview-tree .monaco-list-row').filter({ has: w.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escape(label)}\\s*$`) }) }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.locator('.monaco-tl-twistie').click();
    await w.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: 15_000 });
  };

  /**
   * Drags the side bar's edge to the right, as a user would, so the screenshots show the rows' descriptions
   * ("master · current · ok") instead of cutting them off.
   */
  const widenSideBar = async (w: Workbench, width = 560) => {
    const box = await w.page.locator('.part.sidebar').boundingBox();
    if (!box || box.width >= width) return;
    const y = box.y + box.height / 2;
    await w.page.mouse.move(box.x + box.width + 1, y);
    await w.page.mouse.down();
    await w.page.mouse.move(box.x + width, y, { steps: 8 });
    await w.page.mouse.up();
  };

  /** The Topology row and its subtree, expanded: master (current), its replicas, the Sentinels group. */
  const expandTopology = async (w: Workbench, masterPort: number) => {
    // The tree renders only the rows in view: the other views folded, so the third sentinel's row has room.
    await w.foldViewsExcept('Connections');
    await expandRow(w, CONN);
    const topo = await waitRows(w, (rows) => rows.find((r) => r.label === 'Topology' && r.description.includes(`master ${addr(masterPort)}`)),
      `the Topology row naming master ${addr(masterPort)}`, 20_000);
    await expandRow(w, 'Topology');
    await expandRow(w, addr(masterPort));
    await expandRow(w, 'Sentinels');
    return topo;
  };

  it('adds a connection with the redis+sentinel:// URL and connects to it', async () => {
    const w = e2e.wb;
    await step(w, 'sentinel-add-connection', async () => {
      await addConnectionInUi(w, { url: e2e.servers.sentinel.url, name: CONN });
      await w.waitForNotification(new RegExp(`Connected to ${CONN}`));
      await w.openActivity('UCore Events');
      await widenSideBar(w);
      const row = await waitRows(w, (rows) => rows.find((r) => r.label === CONN && /active/.test(r.description) && /\bconnected\b/.test(r.description)),
        `"${CONN}" shown as active and connected`);
      assert.match(row.description, /\bsentinel\b/, `the row says it is a Sentinel connection: ${row.description}`);
      assert.strictEqual(row.expanded, false, 'a Sentinel connection can be expanded');
    });
    lap('connection added');
  });

  it('shows the topology: master name, the current master, its replica and three sentinels', async () => {
    const w = e2e.wb;
    const s = e2e.servers.sentinel;
    await step(w, 'sentinel-topology', async () => {
      const topo = await expandTopology(w, s.masterPort);
      assert.strictEqual(topo.description, `sentinel · ${s.masterName} · master ${addr(s.masterPort)} · 1 replica · 3 sentinels`);
      assert.match(topo.ariaLabel, new RegExp(`Sentinel master name: ${escape(s.masterName)}`), `tooltip: ${topo.ariaLabel}`);
      const rows = await waitRows(w, (all) => {
        const master = all.find((r) => r.label === addr(s.masterPort));
        const replica = all.find((r) => r.label === addr(s.replicaPort));
        const sentinels = s.sentinelPorts.map((p) => all.find((r) => r.label === addr(p)));
        return master && replica && sentinels.every(Boolean) ? { master, replica, sentinels: sentinels.map((r) => r!), all } : undefined;
      }, 'master, replica and three sentinel rows');
      assert.strictEqual(rows.master.description, 'master · current · ok · 1 replica');
      assert.match(rows.master.ariaLabel, /this connection writes here/, `the master's tooltip says why it is "current": ${rows.master.ariaLabel}`);
      assert.strictEqual(rows.replica.description, 'replica · ok');
      for (const r of rows.sentinels) assert.strictEqual(r.description, 'sentinel · ok', `${r.label}`);
      const group = rows.all.find((r) => r.label === 'Sentinels');
      assert.strictEqual(group?.description, '3');
      // Tree order: the master, its replica beneath it, then the Sentinels group with its three rows.
      const labels = rows.all.map((r) => r.label);
      const at = (l: string) => labels.indexOf(l);
      assert.ok(at(addr(s.masterPort)) < at(addr(s.replicaPort)) && at(addr(s.replicaPort)) < at('Sentinels')
        && s.sentinelPorts.every((p) => at(addr(p)) > at('Sentinels')), `order: ${labels.join(' | ')}`);
      await w.screenshot('sentinel-1-topology');
    });
    lap('topology');
  });

  let masterReceived: string[] = [];

  it('publishes from the command palette and the tail opened in the UI shows the event', async () => {
    const w = e2e.wb;
    const s = e2e.servers.sentinel;
    await step(w, 'sentinel-tail-publish', async () => {
      await w.runCommand('UCore: Tail Channel');
      await answerPrompts(w, [
        { match: /Channel to tail/, pick: /Other channel/ },
        { match: /Channel name/, type: CHANNEL },
      ]);
      await waitForEditorText(w.page, new RegExp(`tail of channel "${CHANNEL}" on "${CONN}"`));
      masterReceived = await observe(s.masterPort);
      // The tail subscribed on the master (plus the observer).
      await waitForSubscribers(s.masterPort, CHANNEL, 2);
      const marker = `before-failover-${Date.now()}`;
      const msg = await publishFromPalette(w, marker);
      assert.match(msg, new RegExp(`Published order_created to channel ${CHANNEL} \\(2 receivers\\b`), `the tail and the observer: ${msg}`);
      await waitForEditorText(w.page, (t) => t.includes(marker), 15_000);
      const got = await eventually(async () => masterReceived.find((m) => m.includes(marker)), 'the observer on the master receiving the event');
      assert.strictEqual((JSON.parse(got) as { event_type: string }).event_type, 'order_created');
      await w.screenshot('sentinel-2-published-before-failover');
    });
    lap('palette publish → UI tail');
  });

  it('after the master is killed and failed over, publishes again (no reconnect by the user) and the tail shows it', async () => {
    const w = e2e.wb;
    const s = e2e.servers.sentinel;
    await step(w, 'sentinel-failover', async () => {
      const oldMaster = await s.killMaster();
      assert.strictEqual(oldMaster, s.masterPort);
      const { newMasterPort, ms } = await s.waitForFailover(oldMaster, FAILOVER_LIMIT_MS);
      assert.strictEqual(newMasterPort, s.replicaPort, 'the sentinels promoted the replica');
      lap(`sentinels switched to ${newMasterPort} ${ms} ms after the kill`);
      const newReceived = await observe(newMasterPort);
      const before = Date.now();
      // Straight away, as a user would: the adapter must have followed the master by itself (or be about to).
      const marker = `after-failover-${Date.now()}`;
      const msg = await publishFromPalette(w, marker);
      lap(`publish after failover answered in ${Date.now() - before} ms: ${msg}`);
      // The tail resubscribed on the new master, the observer is there: two receivers, as before the failover.
      assert.match(msg, new RegExp(`Published order_created to channel ${CHANNEL} \\(2 receivers\\b`), msg);
      await waitForEditorText(w.page, (t) => t.includes(marker), 15_000);
      const tail = await waitForEditorText(w.page, /\(2 received/);
      assert.ok(tail.includes(marker) && /before-failover-/.test(tail), `the same tail shows both events:\n${tail}`);
      const got = await eventually(async () => newReceived.find((m) => m.includes(marker)), 'the observer on the new master receiving the event');
      assert.strictEqual((JSON.parse(got) as { data: { note: string } }).data.note, marker);
      await w.screenshot('sentinel-3-published-after-failover');
    });
    lap('palette publish after failover → same UI tail');
  });

  it('a refreshed Topology names the promoted master as current and the old one as its replica, down', async () => {
    const w = e2e.wb;
    const s = e2e.servers.sentinel;
    await step(w, 'sentinel-topology-after-failover', async () => {
      const newMaster = await s.currentMasterPort();
      // What the view shows from its own refresh on reconnecting, before the user asks again (for the log).
      const beforeRefresh = await rowsText(w, 'Connections');
      lap(`before Refresh: ${beforeRefresh}`);
      // Sentinels flag a just-promoted master `disconnected` while their own link reconnects; the view must not
      // show the master this connection is using as disconnected.
      assert.doesNotMatch(beforeRefresh, /master · current · disconnected/, beforeRefresh);
      // The sentinels' own hello channel is plumbing, not a channel to list.
      assert.doesNotMatch(await rowsText(w, 'Channels'), /__sentinel__/);
      await w.runCommand('UCore: Refresh');
      const connRow = await waitRows(w, (rows) => rows.find((r) => r.label === CONN && /\bconnected\b/.test(r.description)), `"${CONN}" connected`);
      assert.match(connRow.description, /\bsentinel\b/);
      const topo = await expandTopology(w, newMaster);
      assert.strictEqual(topo.description, `sentinel · ${s.masterName} · master ${addr(newMaster)} · 1 replica · 3 sentinels`);
      // The killed server stays on the sentinels' books as a replica of the new master until it comes back.
      const rows = await waitRows(w, (all) => {
        const master = all.find((r) => r.label === addr(newMaster));
        const old = all.find((r) => r.label === addr(s.masterPort));
        return master && old && /\b(down|disconnected)\b/.test(old.description) ? { master, old, all } : undefined;
      }, `new master ${addr(newMaster)} and the old one shown down`, 20_000);
      assert.strictEqual(rows.master.description, 'master · current · ok · 1 replica');
      assert.match(rows.old.description, /^replica · (down|disconnected)$/);
      assert.strictEqual(rows.all.filter((r) => /^sentinel · ok$/.test(r.description)).length, 3, await rowsText(w, 'Connections'));
      await w.screenshot('sentinel-4-topology-after-failover');
    });
    lap('topology after failover');
  });
});

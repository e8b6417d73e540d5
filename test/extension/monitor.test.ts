// The live monitor's host side, inside a real extension host: updates to the panel are coalesced (at most 10 a
// second however busy the traffic), messages from the page are validated (junk is dropped, never acted on),
// updates are bounded deltas, alert rules from the panel fire and show in the status bar, and every buffer stays
// bounded. The page itself is driven in test/e2e/monitor.e2e.test.ts.
import * as assert from 'node:assert';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import type { UCoreExtensionApi } from '../../src/extension/extension';
import { LagAlerts } from '../../src/extension/monitor/alertRules';
import { Coalescer, type Clock } from '../../src/extension/monitor/coalescer';
import { MonitorHistory } from '../../src/extension/monitor/history';
import { InspectStore } from '../../src/extension/monitor/inspectStore';
import { UpdateBuilder } from '../../src/extension/monitor/updateBuilder';
import type { MonitorSnapshot } from '../../src/core/monitor';
import {
  HISTORY_SECONDS, hostMessageSchema, MAX_RECENT_PER_UPDATE, webviewMessageSchema,
} from '../../src/shared/monitorProtocol';
import { api, eventually, sleep, unique } from './helpers';

/** A clock whose time only moves when the test says so. */
class FakeClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void { this.timers = this.timers.filter((x) => x.id !== h); }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

/** Publishes `n` small events on the active (embedded) connection, pipelined. */
async function publishMany(a: UCoreExtensionApi, channel: string, n: number, type = 'load_test'): Promise<void> {
  const conn = await a.services.requireConnection();
  const payload = JSON.stringify({ event_id: 'x', event_type: type, timestamp: new Date().toISOString(), data: { n: 1 } });
  for (let done = 0; done < n; done += 1000) {
    const batch: Array<[string, string]> = [];
    for (let i = done; i < Math.min(n, done + 1000); i++) batch.push([channel, payload]);
    await conn.transport.publishBatch(batch);
  }
}

describe('monitor panel (host side)', function () {
  this.timeout(60_000);

  before(async () => {
    const a = await api();
    await a.services.connections.setActive('Embedded');
    await a.monitor.settled();
  });

  afterEach(async () => {
    (await api()).monitorPanel.current?.dispose();
  });

  it('coalesces: a thousand requests in a second give at most 10 sends, the first one at once', () => {
    const clock = new FakeClock();
    let sends = 0;
    const c = new Coalescer(100, () => { sends++; }, clock);
    c.request();
    assert.strictEqual(sends, 1, 'the first request after a quiet time is sent at once');
    for (let i = 0; i < 1000; i++) {
      c.request();
      clock.advance(1);
    }
    assert.ok(sends <= 11, `${sends} sends in 1 s`);
    assert.ok(sends >= 9, `${sends} sends in 1 s: requests are not starved`);
    clock.advance(1000);
    const settled = sends;
    clock.advance(5000);
    assert.strictEqual(sends, settled, 'nothing is sent without a request');
    c.dispose();
  });

  it('accepts the messages the page sends and rejects junk', () => {
    for (const ok of [
      { type: 'ready' }, { type: 'ready', paused: true, focusChannel: null }, { type: 'pause', paused: false },
      { type: 'inspect', seq: 42 }, { type: 'addAlertRule', rule: { scope: 'total', match: 'total', threshold: 5 } },
      { type: 'removeAlertRule', id: 'total > 5/s' }, { type: 'setFocus', channel: 'orders' },
    ]) assert.ok(webviewMessageSchema.safeParse(ok).success, JSON.stringify(ok));
    for (const junk of [
      null, 'ready', 42, [], {}, { type: 'nope' }, { type: 'inspect', seq: '1' }, { type: 'inspect', seq: -1 },
      { type: 'inspect', seq: 1.5 }, { type: 'pause' }, { type: 'setFocus', channel: 'x'.repeat(10_000) },
      { type: 'addAlertRule', rule: { scope: 'everything', match: '*', threshold: 1 } },
      { type: 'addAlertRule', rule: { scope: 'total', match: 'total', threshold: -1 } },
      { type: 'addAlertRule', rule: { scope: 'total', match: 'total', threshold: Number.POSITIVE_INFINITY } },
      { type: '__proto__' }, JSON.parse('{"type":"ready","__proto__":{"paused":true}}').__proto__,
    ]) assert.ok(!webviewMessageSchema.safeParse(junk).success, `rejected: ${JSON.stringify(junk)}`);
  });

  it('drops invalid messages from the page without acting on them', async () => {
    const a = await api();
    const panel = a.monitorPanel.createOrShow(null);
    await eventually('the page saying ready', () => panel.isReady || undefined, 30_000);
    const seenBefore = a.monitor.eventsSeen;
    const rulesBefore = a.monitor.rules.length;
    for (const junk of [null, { type: 'clear', then: 'more' }.then, { type: 'inspect', seq: 'all' }, { type: 'addAlertRule', rule: { scope: 'total' } }, '<img src=x onerror=alert(1)>']) {
      panel.receive(junk);
    }
    assert.strictEqual(panel.rejected, 5, 'every junk message was counted as rejected');
    assert.strictEqual(a.monitor.rules.length, rulesBefore, 'no rule was added');
    assert.ok(a.monitor.eventsSeen >= seenBefore, 'nothing was cleared');
  });

  it('sends bounded deltas: only events since the last update, at most 50, the rest counted as skipped', async () => {
    const a = await api();
    const builder = new UpdateBuilder({ monitor: a.monitor, demoRunning: () => false }, new InspectStore());
    const init = builder.init(false, null);
    assert.ok(hostMessageSchema.safeParse(init).success, 'init is valid');
    const before = a.monitor.eventsSeen;
    await publishMany(a, 'bounded-deltas', 5000);
    await eventually('5000 events counted', () => (a.monitor.eventsSeen >= before + 5000 ? true : undefined));
    const u1 = builder.update();
    assert.ok(hostMessageSchema.safeParse({ type: 'update', update: u1 }).success, 'the update is valid');
    assert.strictEqual(u1.recent.length, MAX_RECENT_PER_UPDATE);
    assert.strictEqual(u1.recent.length + u1.skipped, u1.eventsSeen - Math.max(0, before - MAX_RECENT_PER_UPDATE));
    for (let i = 1; i < u1.recent.length; i++) assert.ok(u1.recent[i - 1]!.seq > u1.recent[i]!.seq, 'newest first');
    assert.strictEqual(u1.recent[0]!.seq, u1.eventsSeen, 'the newest event is listed');
    const u2 = builder.update();
    assert.strictEqual(u2.recent.length, 0, 'nothing new: no rows');
    assert.strictEqual(u2.skipped, 0);
    assert.strictEqual(u2.seq, u1.seq + 1);
    await publishMany(a, 'bounded-deltas', 7);
    await eventually('7 more events counted', () => (a.monitor.eventsSeen >= u1.eventsSeen + 7 ? true : undefined));
    const u3 = builder.update();
    assert.strictEqual(u3.recent.length, 7, 'exactly the new events');
    assert.ok(u3.recent.every((r) => r.seq > u1.eventsSeen));
  });

  it('posts at most 10 updates a second to an open panel under heavy traffic', async () => {
    const a = await api();
    const panel = a.monitorPanel.createOrShow(null);
    await eventually('the page saying ready', () => panel.isReady || undefined, 30_000);
    await sleep(300);
    const start = panel.updatesPosted;
    const t0 = Date.now();
    // ~2 s of traffic as fast as the embedded transport takes it. The embedded transport delivers in-process: yield
    // between batches as a socket would, or this loop alone would starve every timer of the extension host.
    let sent = 0;
    while (Date.now() - t0 < 2000) {
      await publishMany(a, 'coalescing', 1000);
      sent += 1000;
      await new Promise((r) => setImmediate(r));
    }
    const seconds = (Date.now() - t0) / 1000;
    const posted = panel.updatesPosted - start;
    console.log(`      ${posted} updates in ${seconds.toFixed(1)} s under load (${Math.round(sent / seconds)} events/s)`);
    assert.ok(posted >= 5, `updates keep coming under load (${posted})`);
    assert.ok(posted <= Math.ceil(seconds * 10) + 1, `${posted} updates in ${seconds.toFixed(1)} s`);
  });

  it('fires a rule added in the panel: the status bar turns to the alert, removing the rule resolves it', async () => {
    const a = await api();
    const rule = await a.monitor.addPanelRule({ scope: 'channel', match: 'alert-test-*', threshold: 5, windowSeconds: 1 });
    try {
      assert.ok(a.monitor.rules.some((r) => r.id === rule.id && r.source === 'panel'));
      await assert.rejects(a.monitor.addPanelRule({ scope: 'channel', match: '  ', threshold: 5 }), /Name the channel/);
      const deadline = Date.now() + 15_000;
      while (!a.statusBar.alerting && Date.now() < deadline) {
        await publishMany(a, 'alert-test-1', 200);
        await sleep(100);
      }
      assert.ok(a.statusBar.alerting, 'the status bar shows the alert');
      assert.match(a.statusBar.text, /alert-test-1 .*\/s > 5\/s/);
      assert.ok(a.monitor.activeAlerts().some((x) => x.ruleId === rule.id && x.key === 'alert-test-1'));
      assert.ok(a.monitor.alertLog.all().some((x) => x.ruleId === rule.id && x.state === 'firing'));
    } finally {
      await a.monitor.removePanelRule(rule.id);
    }
    await eventually('the alert resolved', () => (!a.statusBar.alerting ? true : undefined), 5000);
    assert.ok(!a.monitor.activeAlerts().some((x) => x.ruleId === rule.id));
    assert.ok(a.monitor.alertLog.all().some((x) => x.ruleId === rule.id && x.state === 'resolved'));
  });

  it('fires lag alerts per consumer group once above the threshold and resolves them once back under', () => {
    const lag = new LagAlerts();
    lag.setRules([{ id: 'lag', scope: 'lag', match: 'workers-*', stream: 'event_store', threshold: 100, source: 'panel' }], 0);
    const sample = (lagA: number | null, lagB: number) => [{
      stream: 'event_store', exists: true, length: 1000, lastId: '1-0', newEntries: 0, entriesPerSecond: null, sampledAt: 0,
      groups: [{ name: 'workers-a', consumers: 1, pending: 0, lag: lagA }, { name: 'workers-b', consumers: 1, pending: 0, lag: lagB }, { name: 'other', consumers: 1, pending: 0, lag: 10_000 }],
    }];
    assert.deepStrictEqual(lag.evaluate(sample(50, 50), 1), []);
    const fired = lag.evaluate(sample(150, 50), 2);
    assert.deepStrictEqual(fired.map((a) => [a.key, a.state, a.value]), [['event_store › workers-a', 'firing', 150]]);
    assert.deepStrictEqual(lag.evaluate(sample(300, 50), 3), [], 'still firing: not reported again');
    assert.deepStrictEqual(lag.evaluate(sample(null, 50), 4).map((a) => a.state), ['resolved'], 'a group whose lag is unknown no longer fires');
    lag.evaluate(sample(150, 150), 5);
    assert.deepStrictEqual(lag.setRules([], 6).map((a) => [a.key, a.state]), [['event_store › workers-a', 'resolved'], ['event_store › workers-b', 'resolved']]);
  });

  it('takes alert rules from the setting ucore.monitor.alerts, skipping invalid entries', async () => {
    const a = await api();
    const config = vscode.workspace.getConfiguration();
    try {
      await config.update('ucore.monitor.alerts', [
        { scope: 'channel', match: 'orders:*', threshold: 100 },
        { scope: 'lag', match: 'fulfilment', threshold: 50, id: 'fulfilment behind' },
        { scope: 'channel', threshold: 1 },
        { scope: 'galaxy', match: 'x', threshold: 1 },
      ], vscode.ConfigurationTarget.Global);
      const rules = await eventually('the rules from settings', () => {
        const r = a.monitor.rules.filter((x) => x.source === 'settings');
        return r.length === 2 ? r : undefined;
      });
      assert.deepStrictEqual(rules.map((r) => r.id), ['channel orders:* > 100/s', 'fulfilment behind']);
      await assert.rejects(a.monitor.removePanelRule('fulfilment behind'), /setting ucore\.monitor\.alerts/);
    } finally {
      await config.update('ucore.monitor.alerts', undefined, vscode.ConfigurationTarget.Global);
    }
    await eventually('the rules gone', () => (a.monitor.rules.every((x) => x.source !== 'settings') ? true : undefined));
  });

  it('keeps its buffers bounded: 15 minutes of history, the payloads of 1000 listed events', () => {
    const history = new MonitorHistory();
    const snap = (at: number): MonitorSnapshot => ({
      at, running: true, connection: 'ready', gaps: 0, lastGapAt: null,
      total: { name: 'total', total: 1, rate1s: 1, rate10s: 1, rate60s: 1 },
      channels: Array.from({ length: 30 }, (_, i) => ({ name: `c${i}`, total: 1, rate1s: 1, rate10s: 1, rate60s: 1 })),
      types: [], trackedChannels: 30, trackedTypes: 0, streams: [], recent: [], activeAlerts: [], counters: null,
    });
    for (let s = 1; s <= 2000; s++) history.record(snap(s * 1000 + 5));
    assert.strictEqual(history.all().length, HISTORY_SECONDS);
    assert.ok(history.all().every((p) => p.channels.length <= 9), 'top 8 channels + (other) per point');
    assert.strictEqual(history.since(history.count - 3, 30).length, 3);
    assert.strictEqual(history.since(0, 30).length, 30, 'a delta never carries more than asked');

    const store = new InspectStore(1000, 100_000);
    for (let i = 1; i <= 5000; i++) store.add({ seq: i, channel: 'c', type: 't', receivedAt: 0, payload: 'x'.repeat(50), truncated: false });
    assert.strictEqual(store.size, 1000);
    assert.ok(store.get(5000) && !store.get(4000));
    for (let i = 5001; i <= 5010; i++) store.add({ seq: i, channel: 'c', type: 't', receivedAt: 0, payload: 'y'.repeat(40_000), truncated: false });
    assert.ok(store.size <= 3, `a character budget too: ${store.size} entries`);
  });
});

describe('monitor history per connection (host side)', function () {
  this.timeout(90_000);
  const names = ['mon-a', 'mon-b', 'mon-c', 'mon-d', 'mon-e'];

  before(async () => {
    const a = await api();
    for (const n of names) await a.services.connections.catalog.add({ name: n, url: `embedded://${n}` });
  });

  after(async () => {
    const a = await api();
    await a.demo.stop();
    await a.services.connections.setActive('Embedded');
    await a.monitor.settled();
    for (const n of names) await a.services.connections.catalog.remove(n).catch(() => undefined);
  });

  /** Makes `name` active and connected, and waits until the monitor follows it. */
  async function show(a: UCoreExtensionApi, name: string): Promise<void> {
    await a.services.connections.setActive(name);
    await a.monitor.settled();
    assert.strictEqual(a.monitor.connectionName, name);
  }

  it('keeps each connection\'s history apart, says when it switches, and shows a connection\'s history again when it comes back', async () => {
    const a = await api();
    const switches: Array<{ from: string; to: string; restored: boolean }> = [];
    const sub = a.monitor.onDidSwitch((e) => switches.push(e));
    try {
      await show(a, 'mon-a');
      await publishMany(a, 'only_on_a', 30);
      await eventually('30 events counted on mon-a', () => (a.monitor.eventsSeen >= 30 ? true : undefined));
      await eventually('a second of history on mon-a', () => (a.monitor.history.all().some((p) => p.channels.some(([c]) => c === 'only_on_a')) ? true : undefined), 5000);
      const aPoints = a.monitor.history.count;

      await show(a, 'mon-b');
      assert.deepStrictEqual(switches.at(-1), { from: 'mon-a', to: 'mon-b', restored: false });
      assert.strictEqual(a.monitor.shownConnection, 'mon-b');
      assert.strictEqual(a.monitor.eventsSeen, 0, 'mon-b starts from nothing');
      assert.ok(a.monitor.history.all().every((p) => p.channels.every(([c]) => c !== 'only_on_a')), 'no series of mon-a in mon-b\'s history');
      await publishMany(a, 'only_on_b', 7);
      await eventually('7 events counted on mon-b', () => (a.monitor.eventsSeen >= 7 ? true : undefined));
      assert.ok(a.monitor.channels().every((c) => c.channel !== 'only_on_a'));

      await show(a, 'mon-a');
      assert.deepStrictEqual(switches.at(-1), { from: 'mon-b', to: 'mon-a', restored: true });
      assert.ok(a.monitor.eventsSeen >= 30, `mon-a's counts are back: ${a.monitor.eventsSeen}`);
      assert.ok(a.monitor.history.count >= aPoints, 'mon-a\'s history is back');
      assert.ok(a.monitor.history.all().some((p) => p.channels.some(([c]) => c === 'only_on_a')));
      assert.ok(a.monitor.channels().some((c) => c.channel === 'only_on_a') && a.monitor.channels().every((c) => c.channel !== 'only_on_b'));

      // The panel starts over from the shown connection's history and says what happened.
      const builder = new UpdateBuilder({ monitor: a.monitor, demoRunning: () => false }, new InspectStore());
      const init = builder.init(false, null, 'note');
      assert.ok(init.type === 'init' && init.connection === 'mon-a' && init.notice === 'note');

      // Bounded: the last four connections are kept; the one shown least recently is dropped.
      for (const n of ['mon-c', 'mon-d', 'mon-e']) await show(a, n);
      assert.deepStrictEqual(a.monitor.keptConnections, ['mon-a', 'mon-c', 'mon-d', 'mon-e']);
      await show(a, 'mon-b');
      assert.deepStrictEqual(switches.at(-1), { from: 'mon-e', to: 'mon-b', restored: false }, 'mon-b was dropped: it starts anew');
      assert.ok(!a.monitor.keptConnections.includes('mon-a'), 'then mon-a, shown least recently, is dropped');
    } finally {
      sub.dispose();
    }
  });

  it('the demo keeps running on its own connection when another becomes active, and stops when that one goes away', async () => {
    const a = await api();
    await show(a, 'mon-c');
    await a.demo.start(await a.services.requireConnection());
    assert.strictEqual(a.demo.connectionName, 'mon-c');
    await show(a, 'mon-d');
    await sleep(300);
    assert.ok(a.demo.running, 'still running after another connection became active');
    assert.strictEqual(a.demo.connectionName, 'mon-c');
    const builder = new UpdateBuilder({ monitor: a.monitor, demoRunning: () => a.demo.running, demoConnection: () => a.demo.connectionName }, new InspectStore());
    const u = builder.update();
    assert.strictEqual(u.connection, 'mon-d');
    assert.strictEqual(u.demoConnection, 'mon-c', 'the panel is told where the demo runs');
    await a.services.connections.disconnect('mon-c');
    await eventually('the demo stopped with its connection', () => (a.demo.running ? undefined : true));
  });
});

/** Publishes ARGV[2] events on KEYS[1] from the format ARGV[1] (id, order id, price = i % 10): Redis does the work. */
const PUBLISH_BURST = "for i = 1, tonumber(ARGV[2]) do redis.call('PUBLISH', KEYS[1], string.format(ARGV[1], i, i, i % 10)) end return 1";

describe('live contract check (host side, Redis from UCORE_TEST_REDIS_URL)', function () {
  this.timeout(90_000);
  const url = process.env.UCORE_TEST_REDIS_URL;
  const channel = unique('live-orders');
  const stream = unique('live-store');
  const connection = unique('live-contracts');
  let file: vscode.Uri;
  let app: Redis | undefined;

  // In JSON this time (AsyncAPI allows both): one channel and one stream sharing a message.
  const orderCreated = {
    payload: {
      type: 'object', required: ['event_type', 'data'],
      properties: {
        event_type: { const: 'order_created' },
        data: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'integer' }, total_price: { type: 'number', exclusiveMinimum: 0 } } },
      },
    },
  };
  const ref = { $ref: '#/components/messages/OrderCreated' };
  const contract = JSON.stringify({
    asyncapi: '3.0.0', info: { title: 'Live check', version: '1' },
    channels: {
      orders: { address: channel, messages: { OrderCreated: ref } },
      store: { address: stream, 'x-ucore': { kind: 'stream' }, messages: { OrderCreated: ref } },
    },
    components: { messages: { OrderCreated: orderCreated } },
  }, null, 2);
  const RULE_LINE = contract.split('\n').findIndex((l) => l.includes('exclusiveMinimum')) + 1;
  const RULE_COL = contract.split('\n')[RULE_LINE - 1]!.indexOf('"exclusiveMinimum"') + 1;
  /** As another app writes it: JSON text, often only data.order_id. */
  const order = (id: string, data: Record<string, unknown>) => JSON.stringify({ event_type: 'order_created', event_id: id, data });

  before(async function () {
    if (!url) this.skip();
    const a = await api();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    file = vscode.Uri.joinPath(folder.uri, 'live', 'asyncapi.json');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(contract));
    await a.services.contracts.reload();
    assert.strictEqual(await vscode.commands.executeCommand('ucore.connection.add', { name: connection, url }), connection);
    await a.monitor.settled();
    await a.liveContracts.settled();
    app = new Redis(url);
  });

  after(async () => {
    if (!url) return;
    const a = await api();
    app?.disconnect();
    await a.services.connections.setActive('Embedded');
    await a.monitor.settled();
    await a.services.connections.catalog.remove(connection).catch(() => undefined);
    await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
    await a.services.contracts.reload();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  // Runs after the demo test of 'monitor history per connection' in the whole suite: the file watcher's late re-read
  // of the contract written in before() must not reset the live counts (it did, until LiveContracts compared what was
  // read rather than the set object).
  it('checks what another app PUBLISHes and XADDs: the violations list, the Problems panel, the tree badges, and a row opens the event and the rule', async () => {
    const a = await api();
    await eventually('the live check runs on the Redis connection', () => a.liveContracts.checker?.contracts.contracts.some((c) => c.channels.some((ch) => ch.address === channel)));
    await a.monitor.settled();
    assert.strictEqual(a.monitor.connectionName, connection);
    await app!.publish(channel, order('ok-1', { order_id: 1, total_price: 5 }));
    await app!.publish(channel, order('bad-1', { order_id: 2, total_price: 0 }));
    await app!.publish(channel, order('bad-2', { order_id: 'three' }));
    const entryId = await app!.xadd(stream, '*', 'event', order('bad-s', { order_id: 4, total_price: -1 }));
    const snap = await eventually('four checked, three violating', () => {
      const s = a.liveContracts.snapshot();
      return s && s.checked >= 4 && s.violating >= 3 ? s : undefined;
    }).catch((e: Error) => {
      const s = a.liveContracts.snapshot();
      throw new Error(`${e.message}; monitor on ${a.monitor.connectionName} (${a.monitor.eventsSeen} events seen), snapshot ${JSON.stringify(s && { checked: s.checked, violating: s.violating, sampledShare: s.sampledShare, covered: (s as { covered?: number }).covered })}`);
    });
    assert.strictEqual(snap.sampledShare, 1);

    // The panel's data: counts per channel and type, and the list rows with pointer, message and rule.
    const builder = new UpdateBuilder({ monitor: a.monitor, demoRunning: () => false, contracts: a.liveContracts }, new InspectStore());
    builder.init(false, null);
    const c = builder.update().contracts;
    assert.ok(c, 'the update has the contract section');
    assert.deepStrictEqual(c.rows.map((r) => `${r.kind} ${r.channel} ${r.type} ${r.checked}/${r.violating}`).sort(),
      [`channel ${channel} order_created 3/2`, `stream ${stream} order_created 1/1`]);
    const rows = c.violations.map((v) => `${v.channel} ${v.eventId} ${v.pointer} ${v.rule}`);
    assert.ok(rows.includes(`${channel} bad-1 /data/total_price live/asyncapi.json:${RULE_LINE}:${RULE_COL}`), rows.join('\n'));
    assert.ok(rows.some((r) => r.startsWith(`${channel} bad-2 /data/order_id live/asyncapi.json:`)), rows.join('\n'));
    assert.ok(rows.includes(`${stream} bad-s /data/total_price live/asyncapi.json:${RULE_LINE}:${RULE_COL}`), rows.join('\n'));
    assert.ok(hostMessageSchema.safeParse({ type: 'update', update: builder.update() }).success, 'the update passes the page\'s schema');

    // The Problems panel: one entry per rule on the contract file, with its count and the last example.
    a.liveContracts.refresh();
    const diag = await eventually('a live diagnostic on the rule', () => vscode.languages.getDiagnostics(file).find((d) => d.source === 'ucore-contracts (live)' && d.range.start.line === RULE_LINE - 1));
    assert.match(diag.message, /^2 live events broke this rule; last at .*: order_created bad-s on stream .*\/data\/total_price must be > 0/);
    assert.ok(vscode.languages.getDiagnostics(file).some((d) => d.source === 'ucore-contracts (live)' && /order_id must be integer/.test(d.message)));

    // The trees: the channel and the stream are marked, with the count.
    const node = await eventually('the channel marked in the Channels view', async () => {
      const nodes = await a.explorer.channels.getChildren();
      return nodes.find((n) => n.kind === 'channel' && n.channel === channel && n.violations?.violating === 2);
    });
    const item = a.explorer.channels.getTreeItem(node);
    assert.match(String(item.description), /^⚠ 2 violating/);
    assert.match(String(item.tooltip), /Contract: 2 events of 3 checked broke it/);
    const streams = await a.explorer.streams.getChildren();
    const streamNode = streams.find((n) => n.kind === 'stream' && n.key === stream);
    assert.ok(streamNode && streamNode.kind === 'stream');
    assert.match(String(a.explorer.streams.getTreeItem(streamNode).description), /^⚠ 1 violating/);

    // A row opens the event as it travelled and the contract at the rule.
    const row = snap.violations.find((v) => v.entryId === entryId)!;
    assert.ok(await a.liveContracts.open(row.seq));
    const editors = vscode.window.visibleTextEditors;
    const contractEditor = editors.find((e) => e.document.uri.toString() === file.toString());
    assert.ok(contractEditor, 'the contract is open');
    assert.strictEqual(contractEditor.selection.active.line, RULE_LINE - 1);
    const eventEditor = await eventually('the event document', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'ucore-event'));
    assert.strictEqual((JSON.parse(eventEditor.document.getText()) as { event_id: string }).event_id, 'bad-s');

    // Clear: counts, list, Problems entries and badges go; checking goes on.
    await vscode.commands.executeCommand('ucore.monitor.clearViolations');
    assert.deepStrictEqual(vscode.languages.getDiagnostics(file).filter((d) => d.source === 'ucore-contracts (live)'), []);
    assert.strictEqual(a.liveContracts.snapshot()?.violations.length, 0);
    assert.strictEqual(a.liveContracts.forTarget('channel', channel), undefined);
    await app!.publish(channel, order('bad-3', { order_id: 5, total_price: -3 }));
    await eventually('checked again after clearing', () => a.liveContracts.snapshot()?.violating === 1);
    a.liveContracts.refresh();
    await eventually('the rule back in the Problems panel', () => vscode.languages.getDiagnostics(file).some((d) => d.source === 'ucore-contracts (live)' && /^1 live event broke/.test(d.message)));

    // The monitor stops on this connection: the Problems entries go with it.
    await a.services.connections.setActive('Embedded');
    await a.monitor.settled();
    await a.liveContracts.settled();
    assert.deepStrictEqual(vscode.languages.getDiagnostics(file).filter((d) => d.source === 'ucore-contracts (live)'), []);
    await a.services.connections.setActive(connection);
    await a.monitor.settled();
    await eventually('checking again on the Redis connection', async () => { await a.liveContracts.settled(); return a.monitor.connectionName === connection && a.liveContracts.snapshot() !== undefined; });

    // The extension host's event loop while Redis publishes 20,000 contract events at once (a Lua script: the
    // publisher costs this process nothing), with the live check on and then off. Figures, not an assertion.
    const burst = async (label: string) => {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      const seen = a.monitor.eventsSeen;
      delay.enable();
      const started = Date.now();
      await app!.eval(PUBLISH_BURST, 1, channel, '{"event_type":"order_created","event_id":"load-%d","data":{"order_id":%d,"total_price":%d}}', 20_000);
      await eventually(`20,000 events counted (${label})`, () => a.monitor.eventsSeen - seen >= 20_000, 60_000);
      delay.disable();
      const s = a.liveContracts.snapshot();
      console.log(`      [live contracts ${label}] 20,000 events in ${Date.now() - started} ms: event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms${s ? `; ${(s.sampledShare * 100).toFixed(1)}% of ${s.covered} checked` : ''}`);
    };
    await burst('on');
    const config = vscode.workspace.getConfiguration('ucore');
    await config.update('contracts.live', false, vscode.ConfigurationTarget.Global);
    try {
      await eventually('the live check off', async () => { await a.liveContracts.settled(); return a.liveContracts.snapshot() === undefined; });
      await burst('off');
    } finally {
      await config.update('contracts.live', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});

// Record → fixture → scenario test inside a real extension host, against a redis-server this suite starts, where a
// small service written without UCore (test/support/order-responder.ts: raw JSON with ioredis; order_created on
// `orders` → order_paid on `payments` after a delay, negative totals ignored) runs and another app publishes orders:
// Record Traffic with the connection's masking rules writes a fixture; the fixture gets its CodeLens; Make Scenario
// Test writes a `.events` file; the test controller's run passes; the responder broken, it fails with a message at
// the expectation's line; a malformed scenario errors at its line; Compare and Replay to the embedded transport;
// Tail Channel masks too.
import * as assert from 'node:assert';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import type { FixtureComparison, FixtureReplayResult, RecordResult } from '../../src/core/index';
import type { ScenarioRunRecord } from '../../src/extension/scenarios/scenarioTests';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { startOrderResponder, type OrderResponder } from '../support/order-responder';
import { api, eventually, unique } from './helpers';

describe('record, fixtures and scenario tests', function () {
  this.timeout(120_000);
  let srv: RedisServerHandle;
  let responder: OrderResponder;
  let app: Redis;
  let name = '';
  let folder: vscode.Uri;

  before(async () => {
    srv = await startRedisServer();
    responder = await startOrderResponder(srv.url, { delayMs: 150 });
    app = new Redis(srv.url);
    const a = await api();
    name = unique('rec');
    await a.services.connections.catalog.add({ name, url: srv.url, mask: ['data.email', 'data.card=****'] });
    await a.services.connections.setActive(name);
    await a.services.requireConnection();
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'the runner opens a folder');
    folder = ws.uri;
  });

  after(async () => {
    const a = await api();
    await a.services.connections.setActive('Embedded');
    await a.services.connections.catalog.remove(name).catch(() => undefined);
    await responder?.stop();
    app?.disconnect();
    await srv?.stop();
  });

  const fixturesDir = () => join(folder.fsPath, 'fixtures');
  const order = (id: string, orderId: number, total: number) => JSON.stringify({
    event_id: `e-${orderId}`, event_type: 'order_created', timestamp: new Date().toISOString(),
    entity_id: `order:${id}`, data: { order_id: orderId, total_price: total, email: `buyer${orderId}@example.com`, card: '4111111111111111' },
  });

  it('records with masking, makes a scenario, passes, then fails at the expectation\'s line when the service breaks', async () => {
    const a = await api();
    const started = await vscode.commands.executeCommand<{ file: string }>('ucore.fixture.record', { channels: ['orders', 'payments'], count: 5, out: 'fixtures/orders.ndjson' });
    assert.ok(started?.file.endsWith(join('fixtures', 'orders.ndjson')));
    await app.publish('orders', order('0193a8c4-aaaa-7000-8000-000000000001', 1, 25.5));
    await app.publish('orders', order('0193a8c4-bbbb-7000-8000-000000000002', 2, -5));
    await app.publish('orders', order('0193a8c4-cccc-7000-8000-000000000003', 3, 7));
    await eventually('five recorded lines', () => {
      try {
        return readFileSync(started.file, 'utf8').trim().split('\n').length === 5;
      } catch {
        return false;
      }
    }, 20_000);
    const recorded = await vscode.commands.executeCommand<RecordResult>('ucore.fixture.stopRecording');
    assert.strictEqual(recorded?.events, 5);
    assert.strictEqual(recorded.stoppedBy, 'count');
    assert.strictEqual(recorded.masked, 6, 'an email and a card in each of the three orders');
    const text = readFileSync(started.file, 'utf8');
    assert.doesNotMatch(text, /example\.com|4111/);
    assert.match(text, /"email":"masked:[0-9a-f]{12}"/);
    assert.match(text, /"card":"\*\*\*\*"/);

    const fixture = vscode.Uri.file(started.file);
    const doc = await vscode.workspace.openTextDocument(fixture);
    await vscode.window.showTextDocument(doc);
    const lenses = await eventually('the fixture CodeLens', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', fixture);
      return l && l.length >= 3 ? l : undefined;
    });
    assert.deepStrictEqual(lenses.map((l) => l.command?.title).sort(), ['$(beaker) Make Scenario Test…', '$(diff) Compare with…', '$(play) Replay to…']);
    assert.deepStrictEqual(lenses.map((l) => l.range.start.line), [0, 0, 0]);

    const made = await vscode.commands.executeCommand<{ file: string; tests: number }>('ucore.fixture.makeScenario', fixture, { inputs: ['pubsub orders'], outputs: ['pubsub payments'] });
    assert.strictEqual(made?.tests, 3);
    assert.ok(made.file.endsWith(join('fixtures', 'orders.events')));
    const scenario = readFileSync(made.file, 'utf8');
    assert.doesNotMatch(scenario, /event_id|timestamp|0193a8c4/, 'ids and times left out, UUIDs as placeholders');
    assert.match(scenario, /"email":"masked:[0-9a-f]{12}"/, 'the masked values are what the test sends');
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, made.file, 'the scenario is opened');

    // In the Testing view: a file item with one child per test, at its `### test:` line.
    const controller = (await a.fixtures.scenarios()).controller;
    const item = await eventually('the scenario file in the Testing view', () => controller.items.get(vscode.Uri.file(made.file).toString()));
    const children: vscode.TestItem[] = [];
    item.children.forEach((c) => children.push(c));
    const testLines = scenario.split('\n').flatMap((l, i) => (l.startsWith('### test:') ? [i] : []));
    assert.deepStrictEqual(children.map((c) => c.range?.start.line).sort((x, y) => x! - y!), testLines);

    const passing = await vscode.commands.executeCommand<ScenarioRunRecord[]>('ucore.scenario.run', vscode.Uri.file(made.file));
    assert.deepStrictEqual(passing?.map((r) => [r.outcome, r.message]), [['passed', undefined], ['passed', undefined], ['passed', undefined]]);

    responder.broken = true;
    try {
      const failing = await vscode.commands.executeCommand<ScenarioRunRecord[]>('ucore.scenario.run', vscode.Uri.file(made.file), { verbose: true });
      const first = failing?.find((r) => r.line === testLines[0]);
      assert.strictEqual(first?.outcome, 'failed');
      const expectLine = scenario.split('\n').findIndex((l) => l.startsWith('### expect channel: payments'));
      assert.strictEqual(first.messageLine, expectLine, 'the message is at the expectation\'s line');
      assert.match(first.message ?? '', /none matched in \d+ ms/);
      assert.match(first.message ?? '', /data\.amount is 26\.5/, 'what arrived instead');
      assert.match(first.message ?? '', /Waited \d+ ms; 1 event arrived on channel payments/, 'the timing');
      assert.strictEqual(failing?.find((r) => r.line === testLines[1])?.outcome, 'passed', 'the negative total sends nothing to expect');
    } finally {
      responder.broken = false;
    }
  });

  it('errors a malformed scenario at its line without running it', async () => {
    mkdirSync(fixturesDir(), { recursive: true });
    const file = join(fixturesDir(), 'broken.events');
    writeFileSync(file, '### test: broken\n### channel: orders\n{ "event_type": "order_created" }\n\n### expect channel: payments within soon\n{ "event_type": "order_paid" }\n');
    const records = await vscode.commands.executeCommand<ScenarioRunRecord[]>('ucore.scenario.run', vscode.Uri.file(file));
    assert.strictEqual(records?.length, 1);
    assert.strictEqual(records[0].outcome, 'errored');
    assert.strictEqual(records[0].messageLine, 4);
    assert.match(records[0].message ?? '', /cannot run/);
  });

  it('compares two fixtures into a readable document and replays one to the embedded transport, renamed', async () => {
    const first = vscode.Uri.file(join(fixturesDir(), 'orders.ndjson'));
    const second = vscode.Uri.file(join(fixturesDir(), 'orders-changed.ndjson'));
    const lines = readFileSync(first.fsPath, 'utf8').trim().split('\n');
    // The second run: one payment gone, one amount changed.
    const changed = lines.filter((l) => !l.includes('"amount":7')).map((l) => l.replace('"amount":25.5', '"amount":30'));
    writeFileSync(second.fsPath, `${changed.join('\n')}\n`);
    const comparison = await vscode.commands.executeCommand<FixtureComparison>('ucore.fixture.compare', first, second);
    assert.strictEqual(comparison?.missing.length, 1);
    assert.deepStrictEqual(comparison.changed.map((c) => c.paths), [['data.amount']]);
    const shown = vscode.window.activeTextEditor?.document;
    assert.strictEqual(shown?.languageId, 'markdown');
    assert.match(shown.getText(), /1 missing, 1 changed/);
    assert.match(shown.getText(), /`data\.amount` differ/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    const a = await api();
    const embedded = await a.services.connections.connect('Embedded');
    const got: string[] = [];
    const sub = await embedded.adapter.subscribe('orders_replayed', (event: unknown) => { got.push(JSON.stringify(event)); });
    try {
      const result = await vscode.commands.executeCommand<FixtureReplayResult>('ucore.fixture.replay', first, { connection: 'Embedded', rename: { orders: 'orders_replayed' }, speed: 'max' });
      assert.strictEqual(result?.sent, 5);
      await eventually('three orders on the renamed channel', () => got.length === 3);
      assert.ok(got.every((t) => t.includes('"event_type":"order_created"') && t.includes('masked:')), 'sent as recorded');
    } finally {
      await sub.unsubscribe();
    }
  });

  it('tails a masked connection with its rules applied', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const channel = unique('tail-masked');
    const doc = await a.tail.start(conn, channel);
    try {
      assert.match(doc.lineAt(0).text, /masked: data\.email \(hashed\), data\.card → "\*\*\*\*"/);
      await eventually('a subscriber', async () => Number(((await app.call('PUBSUB', 'NUMSUB', channel)) as [string, number])[1]) > 0);
      await app.publish(channel, JSON.stringify({ event_type: 'user_registered', data: { email: 'ada@example.com', name: 'Ada' } }));
      const text = await eventually('the tailed event', () => (doc.getText().includes('user_registered') ? doc.getText() : undefined));
      assert.doesNotMatch(text, /ada@example\.com/);
      assert.match(text, /"email":"masked:[0-9a-f]{12}"/);
      assert.match(text, /"name":"Ada"/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });
});

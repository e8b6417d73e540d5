// Issue 17 in the editor: stream search, go to time, export / import and dead-letter redrive run as commands with
// their arguments (no prompts), on entries written the guide's way (a plain XADD of the event's JSON text).
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { UCoreExtensionApi } from '../../src/extension/extension';
import type { Transport } from '../../src/core/transport/types';
import { EntriesNode, type StreamsTreeNode } from '../../src/extension/explorer/streamsTree';
import { parseTimeInput } from '../../src/extension/search/goToTime';
import { api, unique } from './helpers';

/** 30 orders another app appended, 1 s apart from `base`, totals 0.0, 10.0, … written as Python writes them. */
async function guideOrders(t: Transport, stream: string, base: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const text = `{"event_id": "e${i}", "event_type": "${i % 3 ? 'order_paid' : 'order_created'}", "data": {"order_id": "o${i}", "total_price": ${i * 10}.0}}`;
    ids.push((await t.xadd(stream, { event: text }, { id: `${base + i * 1000}-0` }))!);
  }
  return ids;
}

async function eventuallyDiagnostic(doc: vscode.TextDocument, re: RegExp): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (vscode.languages.getDiagnostics(doc.uri).some((d) => re.test(d.message))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no diagnostic ${re} on ${doc.uri.toString()}: ${JSON.stringify(vscode.languages.getDiagnostics(doc.uri).map((d) => d.message))}`);
}

describe('volume: search, seek, export/import, dead letters', function () {
  this.timeout(60_000);
  let a: UCoreExtensionApi;
  let t: Transport;
  const stream = unique('orders-vol');
  const base = Date.UTC(2026, 11, 1, 10, 0, 0);
  let ids: string[];

  before(async () => {
    a = await api();
    await a.services.connections.setActive('Embedded');
    t = (await a.services.requireConnection()).transport;
    ids = await guideOrders(t, stream, base);
  });

  it('Search Stream lists the matches in the Search Results view, with scanned / total, and opens one', async () => {
    const r = await vscode.commands.executeCommand<{ matched: number; scanned: number; total: number; ended: string; ids: string[] }>(
      'ucore.stream.search', stream, { expression: 'event_type == "order_created" && data.total_price > 100' });
    assert.deepStrictEqual(r.ids, [ids[12], ids[15], ids[18], ids[21], ids[24], ids[27]]);
    assert.strictEqual(r.scanned, 30);
    assert.strictEqual(r.ended, 'end');
    const shown = a.searchResults.shown;
    assert.deepStrictEqual(shown.ids, r.ids);
    assert.match(String(shown.status), /6 matches · 30 of 30 scanned · searched to the end/);
    const rows = await a.searchResults.getChildren();
    assert.strictEqual(rows.length, 7, 'a status row and 6 matches');
    const item = a.searchResults.getTreeItem(rows[1]);
    assert.match(String(item.description), /order_created/);
    assert.strictEqual(item.command?.command, 'ucore.event.inspect');
    await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc && /"order_id": "o12"/.test(doc.getText()), 'the match opens in the event editor');
  });

  it('Search Stream stops at the scan budget and at the result limit, and refuses a bad expression', async () => {
    const budget = await vscode.commands.executeCommand<{ ended: string; scanned: number }>('ucore.stream.search', stream, { expression: 'data.total_price > 1000.0', maxScan: 10 });
    assert.strictEqual(budget.ended, 'budget');
    assert.strictEqual(budget.scanned, 10);
    assert.match(String(a.searchResults.shown.status), /scan budget/);
    const limit = await vscode.commands.executeCommand<{ ended: string; ids: string[] }>('ucore.stream.search', { stream }, { expression: 'true', limit: 4, reverse: true });
    assert.strictEqual(limit.ended, 'limit');
    assert.deepStrictEqual(limit.ids, ids.slice(26).reverse());
    // A bad expression is a clear error (the error wrapper shows it), never a crash; the view keeps the last search.
    const before = a.searchResults.shown.ids;
    const bad = await vscode.commands.executeCommand('ucore.stream.search', stream, { expression: 'data.total_price >' });
    assert.strictEqual(bad, undefined);
    assert.deepStrictEqual(a.searchResults.shown.ids, before);
  });

  it('Show Dead Letters groups by reason; a dead letter opens as JSON with diagnostics, edited and requeued; a group redrives once', async () => {
    const dl = unique('dead-vol');
    for (let i = 0; i < 3; i++) {
      await t.xadd(dl, { event: `{"event_type": "order_created", "data": {"order_id": "d${i}", "total_price": ${i * 10}.5}}`, error: `timeout after ${3000 + i} ms`, source: 'orders' });
    }
    await t.xadd(dl, { original_event: '{"event_type": "order_paid", "data": {}}', reason: "KeyError: 'amount'" });
    const shown = await vscode.commands.executeCommand<{ groups: Array<{ reason: string; count: number }> }>('ucore.deadLetter.show', dl);
    assert.deepStrictEqual(shown.groups.map((g) => [g.reason, g.count]), [['timeout after # ms', 3], ["KeyError: 'amount'", 1]]);
    const rows = await a.searchResults.getChildren();
    assert.match(String(a.searchResults.getTreeItem(rows[0]).label), /4 dead letters · 2 reasons/);
    const group = rows[1];
    assert.strictEqual(group.kind, 'deadLetterGroup');
    assert.match(String(a.searchResults.getTreeItem(group).description), /^3 · from orders/);
    const letters = await a.searchResults.getChildren(group);
    assert.strictEqual(letters.length, 3);
    const open = a.searchResults.getTreeItem(letters[0]).command!;
    assert.strictEqual(open.command, 'ucore.deadLetter.open');

    // Open it: pretty JSON in an editable editor; the envelope's missing fields are warnings.
    const doc = await vscode.commands.executeCommand<vscode.TextDocument>(open.command, ...(open.arguments ?? []));
    assert.match(doc.getText(), /"order_id": "d0"/);
    assert.ok(!doc.isUntitled || doc.uri.scheme === 'untitled');
    const warned = vscode.languages.getDiagnostics(doc.uri);
    assert.ok(warned.some((d) => /envelope: /.test(d.message)), JSON.stringify(warned.map((d) => d.message)));
    // Break it: a JSON error appears; fix it (a total) and requeue to a stream.
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), '{ "event_type": "order_created", '));
    await eventuallyDiagnostic(doc, /JSON|expected/i);
    await editor.edit((e) => e.replace(new vscode.Range(0, 0, doc.lineCount, 0), '{ "event_type": "order_created", "data": { "order_id": "d0", "total_price": 99.5 } }'));
    const retry = unique('retry-vol');
    const id = await vscode.commands.executeCommand<string>('ucore.deadLetter.requeueEdited', doc.uri, { kind: 'stream', name: retry });
    assert.ok(id);
    const [sent] = await t.xrange(retry, '-', '+');
    assert.strictEqual(JSON.parse(sent!.fields.event!).data.total_price, 99.5);
    assert.match((await t.hgetall(`${dl}:redriven`))[(letters[0] as { entry: { id: string } }).entry.id]!, /\(edited\)/);

    // Redrive the group: a dry run counts what is left (the edited one is marked), then it sends 2, then 0.
    const target = { kind: 'stream', name: retry };
    const dry = await vscode.commands.executeCommand<{ sent: number; alreadyRedriven: number }>('ucore.deadLetter.redrive', group, { target, dryRun: true });
    assert.deepStrictEqual([dry.sent, dry.alreadyRedriven], [2, 1]);
    const done = await vscode.commands.executeCommand<{ sent: number }>('ucore.deadLetter.redrive', group, { target, rate: 100 });
    assert.strictEqual(done.sent, 2);
    const again = await vscode.commands.executeCommand<{ sent: number; alreadyRedriven: number }>('ucore.deadLetter.redrive', { stream: dl, reason: 'timeout after # ms' }, { target });
    assert.deepStrictEqual([again.sent, again.alreadyRedriven], [0, 3]);
    assert.strictEqual(await t.xlen(retry), 3);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Go to Time opens the Entries folder at a date-time, oldest first, and pages older / newer / back to the newest', async () => {
    const r = await vscode.commands.executeCommand<{ folderId: string; ids: string[] }>('ucore.stream.goToTime', stream, '2026-12-01 10:00:25');
    assert.deepStrictEqual(r.ids, ids.slice(25));
    const rows = await a.explorer.streams.getChildren(a.explorer.streams.nodeById(r.folderId) ?? new EntriesNode(r.folderId, stream, 0));
    const labels = rows.map((n) => String(a.explorer.streams.getTreeItem(n).label));
    assert.deepStrictEqual([labels[0], labels[1]], ['Back to the newest entries', 'Older entries']);
    assert.ok(!labels.includes('Newer entries'), 'nothing newer than the last entry');
    const older = rows.find((n) => n.kind === 'seekPage' && String(a.explorer.streams.getTreeItem(n).label) === 'Older entries')!;
    const page = await vscode.commands.executeCommand<{ ids: string[] }>('ucore.stream.seekPage', older);
    // The page size (ucore.explorer.pageSize, 50) holds all 25 before it.
    assert.deepStrictEqual(page.ids, ids.slice(0, 25));
    // In a gap (between two entries) the page starts at the next entry; before the first, at the first.
    const gap = await vscode.commands.executeCommand<{ ids: string[] }>('ucore.stream.goToTime', stream, '2026-12-01T10:00:03.500Z');
    assert.strictEqual(gap.ids[0], ids[4]);
    const early = await vscode.commands.executeCommand<{ ids: string[] }>('ucore.stream.goToTime', stream, '2020-01-01');
    assert.strictEqual(early.ids[0], ids[0]);
    const late = await vscode.commands.executeCommand<{ ids: string[] }>('ucore.stream.goToTime', stream, '-1m');
    assert.deepStrictEqual(late.ids, [], 'nothing in the last minute: the stream was written in 2026-12-01');
    assert.strictEqual((parseTimeInput('-2h', 10_000_000) as Date).getTime(), 10_000_000 - 7_200_000);
    assert.match(String(parseTimeInput('yesterday')), /not a date-time/);
    const bad = await vscode.commands.executeCommand('ucore.stream.goToTime', stream, 'soon');
    assert.strictEqual(bad, undefined);
  });
});

describe('Streams view paging (Redis from UCORE_TEST_REDIS_URL)', function () {
  this.timeout(90_000);
  const url = process.env.UCORE_TEST_REDIS_URL;
  const connection = unique('streams-paging');
  const prefix = unique('paged');
  const PAGE = 10; // the top level shows 4 × explorer.pageSize streams a page: 40
  const STREAMS = 150;
  const config = () => vscode.workspace.getConfiguration('ucore');
  let a: UCoreExtensionApi;
  let t: Transport;

  before(async function () {
    if (!url) this.skip();
    a = await api();
    assert.strictEqual(await vscode.commands.executeCommand('ucore.connection.add', { name: connection, url }), connection);
    t = (await a.services.requireConnection()).transport;
    await config().update('explorer.pageSize', PAGE, vscode.ConfigurationTarget.Global);
    // 150 streams among 6,000 other keys, so a page's SCAN steps see few streams each.
    for (let i = 0; i < STREAMS * 40; i++) {
      if (i % 40 === 0) await t.xadd(`${prefix}:s:${i}`, { event: `{"event_type":"order_created","n":${i}}` });
      else await t.set(`${prefix}:k:${i}`, '1');
    }
    a.explorer.streams.reload();
  });

  after(async () => {
    if (!url) return;
    await config().update('explorer.pageSize', undefined, vscode.ConfigurationTarget.Global);
    await a.services.connections.setActive('Embedded');
    await a.services.connections.catalog.remove(connection).catch(() => undefined);
  });

  const mine = (rows: StreamsTreeNode[]) => rows.filter((n) => n.kind === 'stream' && n.key.startsWith(`${prefix}:`)).map((n) => (n.kind === 'stream' ? n.key : ''));

  it('Load more goes on from where the last page stopped until every stream is listed once; Refresh starts over', async () => {
    const tree = a.explorer.streams;
    let rows = await tree.getChildren();
    assert.strictEqual(rows.filter((n) => n.kind === 'stream').length, 4 * PAGE, 'a first page of 40');
    const presses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const more = rows.find((n) => n.kind === 'loadMore');
      if (!more) break;
      await vscode.commands.executeCommand('ucore.stream.loadMore', more);
      rows = await tree.getChildren();
      presses.push(rows.filter((n) => n.kind === 'stream').length);
    }
    assert.ok(!rows.some((n) => n.kind === 'loadMore'), 'the listing ends');
    const listed = mine(rows);
    assert.strictEqual(listed.length, STREAMS, `all ${STREAMS} streams: ${listed.length}`);
    assert.strictEqual(new Set(rows.map((n) => n.id)).size, rows.length, 'no row twice');
    const keys = rows.filter((n) => n.kind === 'stream').map((n) => (n.kind === 'stream' ? n.key : ''));
    assert.deepStrictEqual(keys, [...keys].sort(), 'sorted by key');
    assert.ok(presses.every((n, i) => i === 0 || n >= presses[i - 1]!), `each press adds: ${presses.join(', ')}`);

    // An automatic refresh keeps what was loaded (and shows a stream deleted since no more).
    await t.del([`${prefix}:s:0`]);
    tree.refresh();
    rows = await tree.getChildren();
    assert.strictEqual(mine(rows).length, STREAMS - 1);

    // Refresh starts the listing over: one page again.
    await vscode.commands.executeCommand('ucore.explorer.refresh');
    rows = await tree.getChildren();
    assert.strictEqual(rows.filter((n) => n.kind === 'stream').length, 4 * PAGE);
    assert.ok(rows.some((n) => n.kind === 'loadMore'));
  });
});

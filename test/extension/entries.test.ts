// "UCore: Open Stream Entries" in a real extension host against a real redis-server (UCORE_TEST_REDIS_URL): the panel
// opens on a stream another app wrote (`XADD key <id> event <json>`, and entries of plain fields), its page really
// runs in the webview and reports back what it drew from its DOM. Seeking into a gap, past the end (empty state),
// paging both ways, the ends, opening a row as JSON, a hostile payload shown as text, and the errors of a deleted
// stream and of a key that is no stream. The page is driven by clicks in test/e2e/hostile-payload.e2e.test.ts.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { Transport } from '../../src/core/transport/types';
import type { StreamEntriesPanel } from '../../src/extension/entries/entriesPanel';
import { entriesSchemas } from '../../src/shared/entriesProtocol';
import { api, eventually, unique } from './helpers';

const HOSTILE = '<img src=x onerror=alert(1)><script>window.__pwned=1</script>';
const PAGE = 10;

describe('stream entries panel (Redis from UCORE_TEST_REDIS_URL)', function () {
  this.timeout(90_000);
  const url = process.env.UCORE_TEST_REDIS_URL;
  const connection = unique('entries-redis');
  const stream = unique('orders-entries');
  const base = Date.UTC(2026, 11, 1, 10, 0, 0);
  const config = () => vscode.workspace.getConfiguration('ucore');
  let t: Transport;
  const ids: string[] = [];
  let panel: StreamEntriesPanel;

  before(async function () {
    if (!url) this.skip();
    const a = await api();
    assert.strictEqual(await vscode.commands.executeCommand('ucore.connection.add', { name: connection, url }), connection);
    t = (await a.services.requireConnection()).transport;
    assert.strictEqual(t.kind, 'redis');
    await config().update('explorer.pageSize', PAGE, vscode.ConfigurationTarget.Global);
    // 25 orders one second apart, an hour's gap, then 4 entries of plain fields and a hostile event.
    for (let i = 0; i < 25; i++) {
      const text = `{"event_id": "e${i}", "event_type": "order_created", "entity_id": "order:${i}", "data": {"order_id": ${i}, "total_price": ${i}.5}}`;
      ids.push((await t.xadd(stream, { event: text }, { id: `${base + i * 1000}-0` }))!);
    }
    for (let i = 0; i < 4; i++) ids.push((await t.xadd(stream, { order_id: String(100 + i), status: 'shipped' }, { id: `${base + 3_600_000 + i * 1000}-0` }))!);
    ids.push((await t.xadd(stream, { event: JSON.stringify({ event_type: HOSTILE, entity_id: HOSTILE, data: { html: HOSTILE } }) }, { id: `${base + 3_600_000 + 4000}-0` }))!);
  });

  after(async () => {
    if (!url) return;
    const a = await api();
    panel?.dispose();
    await config().update('explorer.pageSize', undefined, vscode.ConfigurationTarget.Global);
    await a.services.connections.setActive('Embedded');
    await a.services.connections.catalog.remove(connection).catch(() => undefined);
  });

  /** The page's own report of what it drew after the last page the host posted. */
  const drawn = async (what: string, check: (r: NonNullable<StreamEntriesPanel['rendered']>) => boolean) => {
    await panel.idle();
    return eventually(what, () => panel.rendered && check(panel.rendered) && panel.rendered, 30_000);
  };
  const shownIds = () => panel.shown!.rows.map((r) => r.id);

  it('opens on the newest page; the page draws the rows from its DOM', async () => {
    panel = await vscode.commands.executeCommand<StreamEntriesPanel>('ucore.stream.openEntries', { kind: 'stream', key: stream });
    assert.ok(panel && panel.stream === stream);
    await eventually('the entries page ready', () => panel.isReady, 60_000);
    assert.deepStrictEqual(shownIds(), ids.slice(-PAGE));
    assert.deepStrictEqual([panel.shown!.hasOlder, panel.shown!.hasNewer, panel.shown!.length], [true, false, 30]);
    const r = await drawn('the newest page drawn', (x) => x.rows === PAGE);
    assert.strictEqual(r.firstCells[0], ids[20]);
    assert.strictEqual(r.firstCells[1], '2026-12-01 10:00:20.000Z');
    assert.deepStrictEqual(r.firstCells.slice(2, 4), ['order_created', 'order:20']);
    assert.match(r.firstCells[4]!, /^\{"event_id": "e20", .*"total_price": 20\.5\}\}$/);
    // Opening it again shows the same panel.
    assert.strictEqual(await vscode.commands.executeCommand('ucore.stream.openEntries', stream), panel);
    assert.strictEqual(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((tab) => tab.label === `Entries: ${stream}`).length, 1);
  });

  it('shows a hostile payload and entries of plain fields as text', async () => {
    const r = await drawn('the newest page drawn', (x) => x.rows === PAGE);
    assert.strictEqual(r.elements, 0, 'no element made from a payload');
    const hostile = panel.shown!.rows.find((row) => row.id === ids[29])!;
    assert.strictEqual(hostile.eventType, HOSTILE);
    assert.strictEqual(hostile.entity, HOSTILE);
    assert.ok(hostile.preview.includes(HOSTILE), hostile.preview);
    const plain = panel.shown!.rows.find((row) => row.id === ids[25])!;
    assert.deepStrictEqual([plain.eventType, plain.entity, plain.preview], ['order_id, status', '', '{"order_id":"100","status":"shipped"}']);
    // Go to its time: the hostile entry is the first row the page draws, and its cells read back as the markup text.
    await panel.seek('2026-12-01T11:00:04Z');
    const h = await drawn('the hostile entry drawn first', (x) => x.firstCells[0] === ids[29]);
    assert.deepStrictEqual(h.firstCells.slice(2, 4), [HOSTILE, HOSTILE], 'the cells hold the markup as text');
    assert.strictEqual(h.elements, 0);
  });

  it('seeks to a time in a gap: the page starts at the next entry; pages older and newer from there', async () => {
    await panel.seek('2026-12-01 10:30');
    assert.strictEqual(shownIds()[0], ids[25], 'the first entry after the gap');
    assert.deepStrictEqual([panel.shown!.hasOlder, panel.shown!.hasNewer], [true, false]);
    assert.match(panel.shown!.where, /^from 2026-12-01T10:30:00\.000Z$/);
    panel.receive({ type: 'older' });
    await panel.idle();
    assert.deepStrictEqual(shownIds(), ids.slice(15, 25));
    panel.receive({ type: 'older' });
    await panel.idle();
    assert.deepStrictEqual(shownIds(), ids.slice(5, 15));
    panel.receive({ type: 'older' });
    await panel.idle();
    assert.deepStrictEqual(shownIds(), ids.slice(0, 5));
    assert.deepStrictEqual([panel.shown!.hasOlder, panel.shown!.hasNewer], [false, true]);
    panel.receive({ type: 'newer' });
    await panel.idle();
    assert.deepStrictEqual(shownIds(), ids.slice(5, 15));
    await drawn('the newer page drawn', (x) => x.firstCells[0] === ids[5] && x.rows === PAGE);
    panel.receive({ type: 'first' });
    await panel.idle();
    assert.deepStrictEqual(shownIds(), ids.slice(0, PAGE));
    panel.receive({ type: 'last' });
    await panel.idle();
    assert.deepStrictEqual(shownIds(), ids.slice(-PAGE));
  });

  it('seeks past the end: an empty state naming the time, and Older shows the last entries', async () => {
    panel.receive({ type: 'seek', at: '2026-12-02T00:00:00Z' });
    await panel.idle();
    assert.deepStrictEqual(shownIds(), []);
    assert.strictEqual(panel.shown!.empty, 'No entries at or after 2026-12-02T00:00:00.000Z.');
    const r = await drawn('the empty state drawn', (x) => x.rows === 0);
    assert.strictEqual(r.message, 'No entries at or after 2026-12-02T00:00:00.000Z.');
    panel.receive({ type: 'older' });
    await panel.idle();
    assert.deepStrictEqual(shownIds(), ids.slice(-PAGE));
    // A time the box does not take is an error on the page, and the page stays.
    await panel.seek('yesterday');
    assert.match(String(panel.lastError), /not a date-time: yesterday/);
    assert.deepStrictEqual(shownIds(), ids.slice(-PAGE));
  });

  it('opens a row as JSON beside the panel', async () => {
    panel.receive({ type: 'open', id: ids[25] });
    const doc = await eventually('the entry opened', () => {
      const d = vscode.window.visibleTextEditors.map((e) => e.document).find((x) => x.uri.scheme === 'ucore-event' && x.getText().includes('"status": "shipped"'));
      return d;
    });
    assert.deepStrictEqual(JSON.parse(doc.getText()), { order_id: '100', status: 'shipped' });
    // Only ids of the page shown open: anything else the page might send is ignored.
    panel.receive({ type: 'open', id: '1-1' });
    panel.receive({ type: 'open', id: ids[0] });
  });

  it('says clearly when the stream was deleted or the key is not a stream; accepts only well-formed messages', async () => {
    const gone = unique('entries-gone');
    await t.xadd(gone, { event: '{"event_type": "x"}' });
    const p = await vscode.commands.executeCommand<StreamEntriesPanel>('ucore.stream.openEntries', gone);
    assert.strictEqual(p.shown?.rows.length, 1);
    await t.del([gone]);
    p.receive({ type: 'reload' });
    await p.idle();
    assert.match(String(p.lastError), /stream .* does not exist \(deleted, or it expired\)/);
    const text = unique('entries-string');
    await t.set(text, 'hello');
    const q = await vscode.commands.executeCommand<StreamEntriesPanel>('ucore.stream.openEntries', text);
    assert.match(String(q.lastError), /is a string, not a stream/);
    p.dispose();
    q.dispose();
    const schema = entriesSchemas().entriesWebviewMessageSchema;
    for (const ok of [{ type: 'ready' }, { type: 'seek', at: '-1h' }, { type: 'open', id: '1-1' }, { type: 'older' }]) assert.ok(schema.safeParse(ok).success, JSON.stringify(ok));
    for (const junk of [null, 'older', { type: 'seek' }, { type: 'seek', at: 'x'.repeat(5000) }, { type: 'open', id: 'x'.repeat(100) }, { type: 'eval', code: '1' }]) {
      assert.ok(!schema.safeParse(junk).success, JSON.stringify(junk)?.slice(0, 60));
    }
  });
});

// `.events` files inside a real extension host: diagnostics, CodeLens, completion and the publish commands on the
// embedded connection. Runs through test/extension/index.ts (code-server here, @vscode/test-electron elsewhere).
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { BlockSendResult, PublishAllSummary } from '../../src/extension/eventsFile/commands';
import { api, eventually, unique } from './helpers';

const LANGUAGE = 'ucore-events';

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'ucore-events');
}

describe('.events files', function () {
  this.timeout(60_000);
  let channel: string;
  let doc: vscode.TextDocument;

  before(async () => {
    const a = await api();
    await a.services.connections.setActive('Embedded');
    channel = unique('events-file');
    // Two blocks: the first valid (with placeholders), the second with a missing comma on line 7 (index 6).
    const content = [
      `### channel: ${channel}`,
      '{ "event_type": "order_created", "entity_id": "{{uuid}}", "data": { "order_id": {{randomInt:1:999}}, "items": [{ "product_id": 1, "quantity": 2 }], "total_price": {{randomFloat:1:500}} } }',
      '',
      `### channel: ${channel}`,
      '{',
      '  "event_type": "order_paid",',
      '  "data": { "order_id": 1 }',
      '  "oops": true',
      '}',
      '',
    ].join('\n');
    doc = await vscode.workspace.openTextDocument({ language: LANGUAGE, content });
    await vscode.window.showTextDocument(doc);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('opens as the ucore-events language', () => {
    assert.strictEqual(doc.languageId, LANGUAGE);
  });

  it('reports the invalid JSON block at the right line, and only that', async () => {
    const diags = await eventually('diagnostics', () => {
      const d = ours(doc.uri);
      return d.length ? d : undefined;
    });
    const errors = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.strictEqual(errors.length, 1, JSON.stringify(diags.map((d) => [d.range.start.line, d.message])));
    assert.strictEqual(errors[0].range.start.line, 6, errors[0].message);
    assert.match(errors[0].message, /missing ','/);
    assert.strictEqual(errors[0].code, 'json');
  });

  it('shows Publish All at the top and two lenses per event', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const titles = lenses.map((l) => l.command?.title);
    assert.strictEqual(lenses.length, 5, JSON.stringify(titles));
    assert.deepStrictEqual(titles, [
      'Publish All (2)',
      `▶ Publish to ${channel}`, 'Append to Stream…',
      `▶ Publish to ${channel}`, 'Append to Stream…',
    ]);
    assert.strictEqual(lenses[0].range.start.line, 0);
    assert.strictEqual(lenses[3].range.start.line, 3);
    assert.deepStrictEqual(lenses[1].command?.arguments?.[1], 0);
    assert.strictEqual(lenses[1].command?.command, 'ucore.eventsFile.publishBlock');
  });

  it('publishes a block on the embedded connection with its placeholders expanded', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    assert.strictEqual(conn.transport.kind, 'embedded');
    const received: Array<Record<string, unknown>> = [];
    const sub = await conn.adapter.subscribe(channel, (e) => void received.push(e as Record<string, unknown>));
    try {
      const sent = await vscode.commands.executeCommand<BlockSendResult | undefined>('ucore.eventsFile.publishBlock', doc.uri, 0);
      assert.ok(sent, 'the command returned what it sent');
      assert.deepStrictEqual(sent.result.target, { kind: 'channel', name: channel });
      assert.ok((sent.result.receivers ?? 0) >= 1, 'our subscription received it');
      const event = await eventually('the event on the channel', () => received[0]);
      assert.strictEqual(event.event_type, 'order_created');
      assert.match(String(event.entity_id), /^[0-9a-f]{8}-[0-9a-f]{4}-7/, '{{uuid}} became a UUIDv7');
      const data = event.data as { order_id: unknown; total_price: unknown };
      assert.ok(typeof data.order_id === 'number' && data.order_id >= 1 && data.order_id <= 999);
      assert.ok(typeof data.total_price === 'number');
      assert.ok(typeof event.event_id === 'string' && event.event_id.length > 0, 'event_id filled in');
      assert.ok(!Number.isNaN(Date.parse(String(event.timestamp))), 'timestamp filled in');
      assert.strictEqual(event.event_id, sent.event.event_id);
      assert.match(doc.getText(), /\{\{uuid\}\}/, 'the document keeps its placeholders');
    } finally {
      await sub.unsubscribe();
    }
  });

  it('refuses to send the invalid block (nothing arrives)', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const received: unknown[] = [];
    const sub = await conn.adapter.subscribe(channel, (e) => void received.push(e));
    try {
      const sent = await vscode.commands.executeCommand('ucore.eventsFile.publishBlock', doc.uri, 1);
      assert.strictEqual(sent, undefined);
      await new Promise((r) => setTimeout(r, 200));
      assert.strictEqual(received.length, 0);
    } finally {
      await sub.unsubscribe();
    }
  });

  it('updates the diagnostics after an edit fixes the block', async () => {
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(6, doc.lineAt(6).text.length), ',');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await eventually('no errors', () => (ours(doc.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error) ? undefined : true));
  });

  it('completes event types, placeholders and header keywords', async () => {
    const typeDoc = await vscode.workspace.openTextDocument({ language: LANGUAGE, content: '### \n{ "event_type": "", "id": {{ }\n' });
    const types = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', typeDoc.uri, new vscode.Position(1, 17));
    const typeLabels = types.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(typeLabels.includes('order_created'), typeLabels.join(', '));
    const holders = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', typeDoc.uri, new vscode.Position(1, 29));
    const holderLabels = holders.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(holderLabels.includes('{{uuid}}'), holderLabels.join(', '));
    const header = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', typeDoc.uri, new vscode.Position(0, 4));
    const headerLabels = header.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(headerLabels.includes('channel: ') && headerLabels.includes('shard: ') && headerLabels.includes('stream: '), headerLabels.join(', '));
  });

  it('a ### shard: block\'s CodeLens publishes with SPUBLISH (a sharded message, nothing on the ordinary channel)', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    assert.strictEqual(conn.transport.kind, 'embedded');
    // Braces are a cluster hash tag and the rest is not ASCII: the name must go out exactly as written.
    const shard = `${unique('events-shard')}:{eu}-订单🚀`;
    const shardDoc = await vscode.workspace.openTextDocument({
      language: LANGUAGE,
      content: [`### shard: ${shard}`, '{"event_type": "inventory_restocked", "data": {"sku": "sku-{{randomInt:1:9}}", "quantity": 5}}', ''].join('\n'),
    });
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', shardDoc.uri);
    assert.deepStrictEqual(lenses.map((l) => l.command?.title), ['Publish All (1)', `▶ Publish to shard ${shard}`, 'Append to Stream…']);
    const lens = lenses[1].command!;
    assert.strictEqual(lens.tooltip, `SPUBLISH this event on shard channel ${shard}`);
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', shardDoc.uri);
    assert.strictEqual(symbols[0]?.detail, `shard channel ${shard}`);

    const sharded: Array<{ channel: string; payload: string; sharded?: boolean }> = [];
    const ordinary: unknown[] = [];
    const listener = conn.transport.onMessage((m) => {
      // Pattern deliveries (the live monitor's psubscribe) are not ours to count.
      if (m.channel === shard && m.pattern === undefined) (m.sharded ? sharded : ordinary).push(m);
    });
    await conn.transport.ssubscribe([shard]);
    const sub = await conn.adapter.subscribe(shard, (e) => void ordinary.push(e));
    try {
      const sent = await vscode.commands.executeCommand<BlockSendResult | undefined>(lens.command, ...(lens.arguments ?? []));
      assert.ok(sent, 'the lens command returned what it sent');
      assert.deepStrictEqual(sent.result.target, { kind: 'shard', name: shard });
      assert.ok((sent.result.receivers ?? 0) >= 1, `SPUBLISH counted our shard subscription (${sent.result.receivers})`);
      const got = await eventually('the event on the shard channel', () => sharded[0]);
      assert.strictEqual(got.sharded, true);
      const event = JSON.parse(got.payload) as { event_type: string; event_id: string; data: { sku: string } };
      assert.strictEqual(event.event_type, 'inventory_restocked');
      assert.strictEqual(event.event_id, sent.event.event_id);
      assert.match(event.data.sku, /^sku-[1-9]$/, 'placeholders expanded');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepStrictEqual(ordinary, [], 'a shard channel is not the ordinary channel of the same name');
      assert.strictEqual(sharded.length, 1);
    } finally {
      listener.dispose();
      await sub.unsubscribe();
      await conn.transport.sunsubscribe([shard]);
    }
  });

  it('Publish All sends shard blocks with SPUBLISH and channel blocks with PUBLISH, in order', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const ch = unique('events-all-ch');
    const shard = `${unique('events-all-shard')}{x}`;
    const mixed = await vscode.workspace.openTextDocument({
      language: LANGUAGE,
      content: [
        `### shard: ${shard}`, '{"event_type": "user_login", "data": {"n": {{seq}}}}',
        `### channel: ${ch}`, '{"event_type": "user_login", "data": {"n": {{seq}}}}',
        `### shard: ${shard}`, '{"event_type": "user_login", "data": {"n": {{seq}}}}',
      ].join('\n'),
    });
    const got: Array<{ channel: string; sharded: boolean; n: number }> = [];
    const listener = conn.transport.onMessage((m) => {
      if ((m.channel === ch || m.channel === shard) && m.pattern === undefined) got.push({ channel: m.channel, sharded: m.sharded === true, n: (JSON.parse(m.payload) as { data: { n: number } }).data.n });
    });
    await conn.transport.ssubscribe([shard]);
    await conn.transport.subscribe([ch]);
    try {
      const summary = await vscode.commands.executeCommand<PublishAllSummary | undefined>('ucore.eventsFile.publishAll', mixed.uri);
      assert.ok(summary);
      assert.deepStrictEqual([summary.total, summary.sent, summary.failed], [3, 3, 0]);
      await eventually('three messages', () => (got.length >= 3 ? true : undefined));
      assert.deepStrictEqual(got, [
        { channel: shard, sharded: true, n: 1 },
        { channel: ch, sharded: false, n: 2 },
        { channel: shard, sharded: true, n: 3 },
      ]);
    } finally {
      listener.dispose();
      await conn.transport.unsubscribe([ch]);
      await conn.transport.sunsubscribe([shard]);
    }
  });

  it('Publish All sends every event in order, to a channel and to a stream', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const ch = unique('events-all');
    const stream = unique('events-stream');
    const all = await vscode.workspace.openTextDocument({
      language: LANGUAGE,
      content: [
        `### channel: ${ch}`, '',
        '### first', '{"event_type": "user_login", "data": {"n": {{seq}}, "id": "{{uuid:run}}"}}',
        '###', '{"event_type": "user_login", "data": {"n": {{seq}}, "id": "{{uuid:run}}"}}',
        `### stream: ${stream}`, '{"event_type": "user_login", "data": {"n": {{seq}}, "id": "{{uuid:run}}"}}',
      ].join('\n'),
    });
    const received: Array<{ data: { n: number; id: string } }> = [];
    const sub = await conn.adapter.subscribe(ch, (e) => void received.push(e as { data: { n: number; id: string } }));
    try {
      const summary = await vscode.commands.executeCommand<PublishAllSummary | undefined>('ucore.eventsFile.publishAll', all.uri);
      assert.ok(summary);
      assert.deepStrictEqual([summary.total, summary.sent, summary.failed, summary.skipped, summary.cancelled], [3, 3, 0, 0, false]);
      await eventually('two events on the channel', () => (received.length >= 2 ? true : undefined));
      assert.deepStrictEqual(received.map((e) => e.data.n), [1, 2], '{{seq}} counts within one Publish All');
      const entries = await conn.transport.xrange(stream, '-', '+');
      assert.strictEqual(entries.length, 1);
      const appended = JSON.parse(entries[0].fields.event) as { data: { n: number; id: string } };
      assert.strictEqual(appended.data.n, 3);
      assert.strictEqual(appended.data.id, received[0].data.id, '{{uuid:run}} is the same id in every event of one run');
      assert.strictEqual(received[1].data.id, received[0].data.id);
    } finally {
      await sub.unsubscribe();
    }
  });
});

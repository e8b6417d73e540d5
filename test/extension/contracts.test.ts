// Contracts inside a real extension host: an AsyncAPI file in the workspace is found and watched, its own problems
// land in the Problems panel, a violating publish is stopped until "Send Anyway", and `.events` files get the
// contract's problems on the offending property.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { api, eventually, unique } from './helpers';
import type { ContractCheck } from '../../src/core/index';
import type { OutgoingEvent } from '../../src/extension/publishing/publisher';
import { askAboutViolation } from '../../src/extension/contracts/publishCheck';

const contractText = (channel: string, minimum: number) => [
  'asyncapi: 3.0.0',
  'info: {title: In-host contract, version: "1"}',
  'channels:',
  '  orders:',
  `    address: ${channel}`,
  '    messages:',
  '      OrderCreated:',
  '        payload:',
  '          type: object',
  '          required: [event_type, data]',
  '          properties:',
  '            event_type: {const: order_created}',
  '            data:',
  '              type: object',
  '              required: [total_price]',
  '              properties:',
  `                total_price: {type: number, minimum: ${minimum}}`,
  '        examples:',
  '          - name: small order',
  '            payload: {event_type: order_created, data: {total_price: 3}}',
  '',
].join('\n');

describe('contracts', function () {
  this.timeout(60_000);
  let channel: string;
  let file: vscode.Uri;

  before(async () => {
    const a = await api();
    await a.services.connections.setActive('Embedded');
    channel = unique('contract-orders');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test host opens a folder');
    file = vscode.Uri.joinPath(folder.uri, 'contracts', 'asyncapi.yaml');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(contractText(channel, 1)));
    await a.services.contracts.reload();
  });

  after(async () => {
    const a = await api();
    a.services.contracts.publishCheck.prompt = askAboutViolation;
    await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('finds the workspace contract and stops a violating publish until "Send Anyway"', async () => {
    const a = await api();
    const set = await eventually('the contract is read', async () => {
      const s = await a.services.contracts.current();
      return s?.contracts.some((c) => c.channels.some((ch) => ch.address === channel)) ? s : undefined;
    });
    assert.ok(set);
    const connection = await a.services.requireConnection();
    const received: string[] = [];
    await connection.transport.subscribe([channel]);
    // The live monitor's PSUBSCRIBE * delivers each message a second time, with its pattern.
    const sub = connection.transport.onMessage((m) => { if (m.channel === channel && m.pattern === undefined) received.push(m.payload); });
    try {
      const asked: Array<{ outgoing: OutgoingEvent; result: ContractCheck }> = [];
      let answer: 'send' | 'cancel' = 'cancel';
      a.services.contracts.publishCheck.prompt = async (outgoing, result) => { asked.push({ outgoing, result }); return answer; };
      const bad = { event_type: 'order_created', data: { total_price: 0 } };
      await assert.rejects(a.publisher.send(connection, { kind: 'channel', name: channel }, bad), (e: Error & { code?: string }) => e.code === 'ABORTED' && /breaks the contract/.test(e.message));
      assert.strictEqual(asked.length, 1);
      const issue = asked[0]!.result.issues[0]!;
      assert.deepStrictEqual([issue.path, issue.code, issue.schema?.file, issue.schema?.line], [['data', 'total_price'], 'too_small', 'contracts/asyncapi.yaml', 17]);
      answer = 'send';
      await a.publisher.send(connection, { kind: 'channel', name: channel }, bad);
      await a.publisher.send(connection, { kind: 'channel', name: channel }, { event_type: 'order_created', data: { total_price: 5 } });
      assert.strictEqual(asked.length, 2, 'a conforming event is sent without a question');
      await eventually('both sent events arrive', () => received.length >= 2);
      assert.deepStrictEqual(received.map((t) => (JSON.parse(t) as { data: { total_price: number } }).data.total_price), [0, 5]);
      await a.publisher.send(connection, { kind: 'channel', name: unique('uncovered') }, { event_type: 'x' });
      assert.strictEqual(asked.length, 2, 'channels no contract names are not checked');
    } finally {
      sub.dispose();
      await connection.transport.unsubscribe([channel]);
    }
  });

  it('puts contract problems of a .events file on the offending property, with the rule as related information', async () => {
    const content = [`### channel: ${channel}`, '{', '  "event_type": "order_created",', '  "data": { "total_price": -3 }', '}', ''].join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'ucore-events', content });
    await vscode.window.showTextDocument(doc);
    const d = await eventually('a contract diagnostic', () => vscode.languages.getDiagnostics(doc.uri).find((x) => x.code === 'contract'));
    assert.strictEqual(d.range.start.line, 3);
    assert.strictEqual(doc.getText(d.range), '"total_price"');
    assert.match(d.message, /contract: data\.total_price: must be >= 1 \(contracts\/asyncapi\.yaml:17\)/);
    assert.strictEqual(d.relatedInformation?.[0]?.location.uri.toString(), file.toString());
    assert.strictEqual(d.relatedInformation?.[0]?.location.range.start.line, 16);
  });

  it('inserts an example event from the contract into a .events file, which then has no contract problem', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'ucore-events', content: '' });
    await vscode.window.showTextDocument(doc);
    const text = await vscode.commands.executeCommand<string | undefined>('ucore.eventsFile.insertExample', { eventType: 'order_created', address: channel });
    assert.ok(text);
    assert.strictEqual(doc.getText(), `### channel: ${channel}\n{\n  "event_type": "order_created",\n  "data": {\n    "total_price": 3\n  }\n}\n`);
    await new Promise((r) => setTimeout(r, 800)); // past the diagnostics' debounce
    assert.deepStrictEqual(vscode.languages.getDiagnostics(doc.uri).filter((d) => d.code === 'contract'), []);
  });

  it('reads the contract again when it changes on disk, and shows its own problems in the Problems panel', async () => {
    const a = await api();
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(contractText(channel, -10).replace('    address:', '    x-ucore: {kind: queue}\n    address:')));
    const problem = await eventually('the contract file has a problem', () => vscode.languages.getDiagnostics(file).find((x) => x.source === 'ucore-contracts'), 20_000);
    assert.strictEqual(problem.range.start.line, 4);
    assert.match(problem.message, /x-ucore: kind/);
    const set = a.services.contracts.peek()!;
    assert.deepStrictEqual(set.check({ kind: 'channel', name: channel }, { event_type: 'order_created', data: { total_price: -3 } }).issues, [], 'the new minimum is in force');
  });
});

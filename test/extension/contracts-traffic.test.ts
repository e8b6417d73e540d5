// Contracts from live traffic inside a real extension host, against a real redis-server: "Generate Contract from
// Traffic" samples a stream (its entries + live) and a channel written by another app the guide's way (plain XADD
// `event <json>`, plain PUBLISH) and opens a document that accepts that traffic; saved in the workspace it becomes a
// contract, and "Show Contract Drift" then lists what the traffic does that it does not say.
import * as assert from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import { createContractSet, loadContract, type DriftReport } from '../../src/core/index';
import type { GeneratedContract } from '../../src/extension/contracts/generateContract';
import { askAboutBatch } from '../../src/extension/contracts/publishCheck';
import { api, eventually, freePort, unique } from './helpers';

async function subscribers(redis: Redis, channel: string): Promise<number> {
  const reply = (await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return Number(reply[1]);
}

describe('contracts from traffic', function () {
  this.timeout(90_000);
  let server: ChildProcess | undefined;
  let dir = '';
  let app: Redis;
  let name = '';
  const stream = unique('gen-orders');
  const channel = unique('gen-users');
  const saved = `contracts-gen/${unique('gen')}/asyncapi.yaml`;
  const texts: Array<{ kind: 'stream' | 'channel'; name: string; text: string }> = [];
  const order = (i: number) => ({ event_id: `order_${i}`, event_type: 'order_created', timestamp: '2026-12-01T10:00:00Z', data: { order_id: `${i}`, status: i % 2 ? 'paid' : 'pending' } });

  before(async function () {
    if (spawnSync('redis-server', ['--version']).status !== 0) this.skip();
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'ucore-ext-gen-'));
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    app = new Redis(port, '127.0.0.1', { retryStrategy: (n) => (n > 50 ? null : 50) });
    await eventually('redis-server answers', () => app.ping().then(() => true, () => false));
    name = unique('gen-conn');
    const a = await api();
    await vscode.commands.executeCommand('ucore.connection.add', { name, url: `redis://127.0.0.1:${port}` });
    await a.services.connections.setActive(name, { connect: true });
  });

  after(async () => {
    app?.disconnect();
    const a = await api();
    await a.services.connections.setActive('Embedded');
    await a.services.connections.disconnect(name).catch(() => undefined);
    server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder) await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder.uri, 'contracts-gen'), { recursive: true }).then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Generate Contract from Traffic: stream entries + live messages → an opened contract that accepts them', async () => {
    for (let i = 0; i < 4; i++) {
      const text = JSON.stringify(order(i));
      await app.xadd(stream, '*', 'event', text);
      texts.push({ kind: 'stream', name: stream, text });
    }
    await app.xgroup('CREATE', stream, 'billing', '0');
    await app.xgroup('CREATE', stream, 'shipping', '0');
    const running = vscode.commands.executeCommand<GeneratedContract | undefined>('ucore.contracts.generate', {
      sources: [{ kind: 'stream', address: stream }, { kind: 'pubsub', address: channel }], count: 6, seconds: 40, save: saved,
    });
    await eventually('the sampler subscribed', async () => (await subscribers(app, channel)) > 0, 20_000);
    for (const ev of [{ event_type: 'user_registered', user_id: 'u1', email: 'a@b.example' }, { event_type: 'user_registered', user_id: 'u2', email: 'c@d.example' }]) {
      const text = JSON.stringify(ev);
      await app.publish(channel, text);
      texts.push({ kind: 'channel', name: channel, text });
    }
    const generated = await running;
    assert.ok(generated, 'the command returns what it generated');
    assert.strictEqual(generated.sampled, 6);
    assert.match(generated.text, /^asyncapi: 3\.0\.0\n/);
    assert.match(generated.text, /groups:\n\s+- billing\n\s+- shipping/);
    assert.match(generated.text, /const: user_registered/);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), generated.uri.toString(), 'the contract is opened');
    assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), generated.text);
    const contract = await loadContract(saved, generated.text);
    assert.deepStrictEqual(contract.problems, []);
    const set = await createContractSet([contract]);
    for (const t of texts) assert.deepStrictEqual(set.checkText({ kind: t.kind, name: t.name }, t.text).issues, [], t.text);
    assert.strictEqual(set.check({ kind: 'stream', name: stream }, { ...order(9), data: { order_id: '9', status: 'lost' } }).issues[0]?.code, 'invalid_value');
  });

  it('Show Contract Drift: the saved contract against new traffic, unknown properties and types, a dropped group', async () => {
    const a = await api();
    await eventually('the saved contract is read', async () => (await a.services.contracts.current())?.contracts.some((c) => c.file === saved), 20_000);
    await app.xgroup('DESTROY', stream, 'shipping');
    const running = vscode.commands.executeCommand<{ report: DriftReport; text: string } | undefined>('ucore.contracts.drift', { file: saved, seconds: 4, history: false });
    await eventually('the drift watcher subscribed', async () => (await subscribers(app, channel)) > 0, 20_000);
    await app.publish(channel, JSON.stringify({ event_type: 'user_registered', user_id: 'u3', email: 'e@f.example', referrer: 'ad' }));
    await app.publish(channel, JSON.stringify({ event_type: 'user_deleted', user_id: 'u1' }));
    const out = await running;
    assert.ok(out);
    const got = out.report.findings.map((f) => [f.kind, f.channel, f.property ?? f.eventType ?? ''].join(' ')).sort();
    assert.deepStrictEqual(got, [
      `missing_group ${stream} `,
      `no_subscribers ${channel} `,
      `no_traffic ${stream} `,
      `unknown_event_type ${channel} user_deleted`,
      `unknown_property ${channel} /referrer`,
    ]);
    assert.match(out.text, /## Consumer groups the contract expects but the stream lacks \(1\)\n\n- `[^`]+`: stream \S+ has no consumer group "shipping"/);
    assert.strictEqual(vscode.window.activeTextEditor?.document.getText(), out.text, 'the drift document is opened');
  });
  it('Replay to a contract channel: the batch is checked first and sent only after one "Send Anyway"', async () => {
    const a = await api();
    const source = unique('replay-src');
    const events = [
      { event_type: 'user_registered', user_id: 'r1', email: 'r1@b.example' },
      { event_type: 'user_registered', user_id: 'r2' },
      { event_type: 'user_registered', user_id: 'r3', email: 'r3@b.example' },
    ];
    for (const e of events) await app.xadd(source, '*', 'event', JSON.stringify(e));
    const listener = app.duplicate();
    const received: string[] = [];
    listener.on('message', (_c: string, m: string) => received.push(m));
    await listener.subscribe(channel);
    const asked: Array<{ total: number; violating: number; firstId: string; path: string }> = [];
    let answer: 'send' | 'cancel' = 'cancel';
    a.services.contracts.publishCheck.batchPrompt = async (b) => {
      asked.push({ total: b.total, violating: b.violating, firstId: b.firstId, path: b.first.issues[0]!.path.join('.') });
      return answer;
    };
    try {
      const args = { selection: { stream: source, indexed: false }, target: { kind: 'channel', name: channel } };
      assert.strictEqual(await vscode.commands.executeCommand('ucore.event.replay', args), undefined, 'cancelled: nothing sent');
      assert.strictEqual(asked.length, 1);
      assert.deepStrictEqual({ ...asked[0], firstId: undefined }, { total: 3, violating: 1, firstId: undefined, path: 'email' });
      answer = 'send';
      const sent = await vscode.commands.executeCommand<{ sent: number }>('ucore.event.replay', args);
      assert.strictEqual(sent?.sent, 3);
      assert.strictEqual(asked.length, 2, 'asked once for the batch, not once per event');
      await eventually('the replayed events arrive', () => received.length >= 3);
      assert.deepStrictEqual(received.map((m) => (JSON.parse(m) as { user_id: string }).user_id), ['r1', 'r2', 'r3']);
      await app.xdel(source, ...(await app.xrange(source, '-', '+')).filter(([, f]) => !f[1]!.includes('email')).map(([id]) => id));
      await vscode.commands.executeCommand('ucore.event.replay', args);
      assert.strictEqual(asked.length, 2, 'a batch that conforms is sent without a question');
    } finally {
      a.services.contracts.publishCheck.batchPrompt = askAboutBatch;
      listener.disconnect();
    }
  });
});

describe('contracts: .events completion', function () {
  this.timeout(60_000);
  const channel = unique('complete-orders');
  const dirName = `contracts-complete-${unique('c')}`;
  let folder: vscode.Uri;

  before(async () => {
    const a = await api();
    folder = vscode.workspace.workspaceFolders![0]!.uri;
    const contract = [
      'asyncapi: 3.0.0', 'info: {title: Completion, version: "1"}', 'channels:', '  orders:', `    address: ${channel}`, '    messages:',
      '      created:', '        payload:', '          type: object', '          required: [event_type, data]', '          properties:',
      '            event_type: {const: order_created}', '            data:', '              type: object', '              required: [status]',
      '              properties:', '                status: {type: string, enum: [pending, paid, "say \\"hi\\""], description: Where the order is}',
      '                total_price: {type: number}', '      cancelled:', '        payload:', '          type: object',
      '          properties:', '            event_type: {const: order_cancelled}', '            reason: {type: string}', '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, dirName, 'asyncapi.yaml'), new TextEncoder().encode(contract));
    await eventually('the contract is read', async () => (await a.services.contracts.current())?.contracts.some((c) => c.channels.some((ch) => ch.address === channel)), 20_000);
  });

  after(async () => {
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, dirName), { recursive: true }).then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function complete(doc: vscode.TextDocument, line: number, character: number): Promise<vscode.CompletionItem[]> {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, character));
    return list.items;
  }
  const labels = (items: vscode.CompletionItem[]) => items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));

  it('offers the schema\'s property names (required first, present ones left out) and enum values for the block\'s type', async () => {
    const text = [`### channel: ${channel}`, '{', '  "event_type": "order_created",', '  "data": {', '    ', '    "status": "p', '  }', '}', ''].join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'ucore-events', content: text });
    await vscode.window.showTextDocument(doc);
    const names = await complete(doc, 4, 4);
    assert.ok(labels(names).includes('total_price'), labels(names).join(','));
    const price = names.find((i) => i.label === 'total_price')!;
    assert.match(String(price.detail), /optional · number — contract order_created/);
    const statusItem = names.find((i) => i.label === 'status');
    assert.ok(statusItem, 'status is offered while the block does not parse');
    assert.match(String(statusItem.detail), /^required · string/);
    const values = await complete(doc, 5, 16);
    const statuses = values.filter((i) => String(i.detail).startsWith('allowed by the contract'));
    assert.deepStrictEqual(labels(statuses), ['pending', 'paid', 'say "hi"']);
    assert.strictEqual(statuses[2]!.insertText, 'say \\"hi\\"', 'inside a string the value is JSON-escaped');
    const types = await complete(doc, 2, 17);
    assert.ok(labels(types).includes('order_cancelled'), labels(types).join(','));
    const top = [`### channel: ${channel}`, '{ "event_type": "order_cancelled", ', ''].join('\n');
    const doc2 = await vscode.workspace.openTextDocument({ language: 'ucore-events', content: top });
    const cancelled = await complete(doc2, 1, 35);
    assert.deepStrictEqual(labels(cancelled.filter((i) => String(i.detail).includes('contract order_cancelled'))), ['reason']);
    const other = await vscode.workspace.openTextDocument({ language: 'ucore-events', content: '### channel: not-in-contract\n{\n  \n}\n' });
    assert.deepStrictEqual((await complete(other, 2, 2)).filter((i) => String(i.detail).includes('contract')), []);
  });
});

// The explorer against the embedded connection (and a real Redis when the runner passes UCORE_TEST_REDIS_URL):
// what a user sees in the Connections, Channels and Streams views after events arrive, and the tree actions.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { UCoreExtensionApi } from '../../src/extension/extension';
import type { StreamsTreeNode } from '../../src/extension/explorer/streamsTree';
import { createEvent } from '../../src/core/envelope/envelope';
import { api, eventually, unique } from './helpers';

async function child(api: UCoreExtensionApi, parent: StreamsTreeNode | undefined, match: (n: StreamsTreeNode) => boolean): Promise<StreamsTreeNode | undefined> {
  return (await api.explorer.streams.getChildren(parent)).find(match);
}

describe('explorer (embedded connection)', function () {
  this.timeout(60_000);

  before(async () => {
    const a = await api();
    // Earlier suites may have switched; every test here starts on Embedded.
    await a.services.connections.setActive('Embedded');
    await a.monitor.settled();
  });

  it('starts with the Embedded connection active and connected', async () => {
    const a = await api();
    assert.strictEqual(a.services.connections.activeConnectionName, 'Embedded');
    const conn = a.services.activeConnection();
    assert.ok(conn, 'the active connection is connected');
    assert.strictEqual(conn.transport.kind, 'embedded');
    const nodes = a.explorer.connections.getChildren();
    const embedded = nodes.find((n) => n.name === 'Embedded');
    assert.ok(embedded, 'Connections view lists Embedded');
    const item = a.explorer.connections.getTreeItem(embedded);
    assert.match(String(item.description), /active/);
    assert.match(String(item.description), /connected/);
    assert.match(a.statusBar.text, /Embedded/);
  });

  it('shows a channel in the Channels view after an event is published to it', async () => {
    const a = await api();
    const channel = unique('orders-test');
    const conn = await a.services.requireConnection();
    await a.publisher.send(conn, { kind: 'channel', name: channel }, createEvent({ event_type: 'order_created', data: { order_id: 1, items: [], total_price: 1 } }));
    const node = await eventually(`${channel} in the Channels view`, async () => {
      const nodes = await a.explorer.channels.getChildren();
      return nodes.find((n) => n.kind === 'channel' && n.channel === channel);
    });
    const item = a.explorer.channels.getTreeItem(node);
    assert.strictEqual(item.label, channel);
    assert.match(String(item.description), /\/s/);
  });

  it('filters channels by a glob pattern', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const keep = unique('keep');
    const drop = unique('drop');
    await a.publisher.send(conn, { kind: 'channel', name: keep }, createEvent({ event_type: 'x' }));
    await a.publisher.send(conn, { kind: 'channel', name: drop }, createEvent({ event_type: 'x' }));
    await eventually('both channels', async () => {
      const names = (await a.explorer.channels.getChildren()).map((n) => (n.kind === 'channel' ? n.channel : ''));
      return names.includes(keep) && names.includes(drop) ? true : undefined;
    });
    try {
      await vscode.commands.executeCommand('ucore.channel.setFilter', 'keep-*');
      const names = (await a.explorer.channels.getChildren()).map((n) => (n.kind === 'channel' ? n.channel : ''));
      assert.ok(names.includes(keep));
      assert.ok(!names.includes(drop));
    } finally {
      await vscode.commands.executeCommand('ucore.channel.clearFilter');
    }
  });

  it('lists a stream with its group, consumer and pending entries; Acknowledge removes one', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const t = conn.transport;
    const stream = unique('stream-test');
    const group = 'fulfilment';
    await t.xgroupCreate(stream, group, '$', { mkStream: true });
    const e1 = await t.xadd(stream, { event: JSON.stringify(createEvent({ event_type: 'order_paid', data: { order_id: 7 } })) });
    const e2 = await t.xadd(stream, { event: JSON.stringify(createEvent({ event_type: 'order_paid', data: { order_id: 8 } })) });
    const read = await t.xreadgroup({ group, consumer: 'worker-1', streams: [{ key: stream, id: '>' }], count: 10 });
    assert.strictEqual(read?.[0]?.entries.length, 2);

    a.explorer.streams.refresh();
    const streamNode = await eventually('the stream', () => child(a, undefined, (n) => n.kind === 'stream' && n.key === stream));
    assert.match(String(a.explorer.streams.getTreeItem(streamNode).description), /2 entries/);
    const groupNode = await child(a, streamNode, (n) => n.kind === 'group' && n.group.name === group);
    assert.ok(groupNode, 'group beneath the stream');
    assert.match(String(a.explorer.streams.getTreeItem(groupNode).description), /2 pending/);
    const consumerNode = await child(a, groupNode, (n) => n.kind === 'consumer' && n.consumer.name === 'worker-1');
    assert.ok(consumerNode, 'consumer beneath the group');
    const pending = (await a.explorer.streams.getChildren(consumerNode)).filter((n) => n.kind === 'pending');
    assert.deepStrictEqual(pending.map((p) => (p.kind === 'pending' ? p.pending.id : '')), [e1, e2]);
    const p1 = pending[0];
    assert.match(String(a.explorer.streams.getTreeItem(p1).description), /1 delivery/);

    const acked = await vscode.commands.executeCommand<number>('ucore.pending.ack', p1);
    assert.strictEqual(acked, 1);
    const summary = await t.xpendingSummary(stream, group);
    assert.strictEqual(summary.count, 1);
    const consumerAgain = await child(a, await child(a, await child(a, undefined, (n) => n.kind === 'stream' && n.key === stream), (n) => n.kind === 'group'), (n) => n.kind === 'consumer');
    const left = (await a.explorer.streams.getChildren(consumerAgain)).filter((n) => n.kind === 'pending').map((n) => (n.kind === 'pending' ? n.pending.id : ''));
    assert.deepStrictEqual(left, [e2]);
  });

  it('claims a pending entry for another consumer and moves one to the dead-letter stream', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const t = conn.transport;
    const stream = unique('claim-test');
    await t.xgroupCreate(stream, 'g', '$', { mkStream: true });
    const id1 = await t.xadd(stream, { event: JSON.stringify(createEvent({ event_type: 'a' })) });
    const id2 = await t.xadd(stream, { event: JSON.stringify(createEvent({ event_type: 'b' })) });
    await t.xreadgroup({ group: 'g', consumer: 'c1', streams: [{ key: stream, id: '>' }], count: 10 });
    const streamNode = await eventually('stream', () => child(a, undefined, (n) => n.kind === 'stream' && n.key === stream));
    const groupNode = await child(a, streamNode, (n) => n.kind === 'group');
    const consumerNode = await child(a, groupNode, (n) => n.kind === 'consumer');
    const [p1, p2] = await a.explorer.streams.getChildren(consumerNode);
    assert.strictEqual(await vscode.commands.executeCommand('ucore.pending.claim', p1, 'c2'), 1);
    const owners = await t.xpendingRange(stream, 'g', { count: 10 });
    assert.deepStrictEqual(owners.map((o) => [o.id, o.consumer]), [[id1, 'c2'], [id2, 'c1']]);

    const dlqId = await vscode.commands.executeCommand<string>('ucore.pending.moveToDeadLetter', p2);
    assert.ok(dlqId, 'moved');
    const [letter] = await t.xrange('dead_letter', dlqId, dlqId, 1);
    assert.strictEqual(letter.fields.error, 'moved by user');
    assert.strictEqual(JSON.parse(letter.fields.event).event_type, 'b');
    assert.strictEqual((await t.xpendingSummary(stream, 'g')).count, 1, 'the moved entry was acknowledged');
  });

  it('publishes from the command (scripted form) and rejects an invalid event', async () => {
    const a = await api();
    const channel = unique('publish-test');
    const conn = await a.services.requireConnection();
    const got: unknown[] = [];
    const sub = await conn.adapter.subscribe(channel, (e) => { got.push(e); });
    try {
      const event = createEvent({ event_type: 'user_registered', data: { email: 'a@example.com' } });
      const r = await vscode.commands.executeCommand<{ receivers: number }>('ucore.event.publish', { channel, event });
      assert.strictEqual(r?.receivers, 1);
      await eventually('the event', async () => (got.length ? true : undefined));
      assert.strictEqual((got[0] as { event_id: string }).event_id, event.event_id);
      // Schema error (email), so nothing is sent and the command resolves without a result.
      const bad = await vscode.commands.executeCommand('ucore.event.publish', { channel, event: { ...event, data: { email: 'nope' } } });
      assert.strictEqual(bad, undefined);
      await new Promise((r2) => setTimeout(r2, 200));
      assert.strictEqual(got.length, 1);
    } finally {
      await sub.unsubscribe();
    }
  });

  it('appends to the event store through the store and inspects the entry as a read-only JSON document', async () => {
    const event = createEvent({ event_type: 'order_shipped', entity_id: unique('order'), data: { order_id: 5 } });
    const r = await vscode.commands.executeCommand<{ id: string }>('ucore.event.publish', { stream: 'event_store', event });
    assert.ok(r?.id);
    const text = await vscode.commands.executeCommand<string>('ucore.event.inspect', { stream: 'event_store', id: r.id });
    assert.strictEqual(JSON.parse(text ?? '').event_id, event.event_id);
    const doc = vscode.window.activeTextEditor?.document;
    assert.strictEqual(doc?.uri.scheme, 'ucore-event');
    assert.strictEqual(doc.languageId, 'json');
    assert.match(doc.getText(), /"order_shipped"/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('tails a channel into a live read-only document', async () => {
    const a = await api();
    const channel = unique('tail-test');
    const uri = await vscode.commands.executeCommand<string>('ucore.channel.tail', channel);
    assert.ok(uri);
    const conn = await a.services.requireConnection();
    const event = createEvent({ event_type: 'user_login', data: { n: 1 } });
    await a.publisher.send(conn, { kind: 'channel', name: channel }, event);
    await conn.transport.publish(channel, 'not json <script>');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    assert.ok(doc);
    await eventually('the tailed lines', async () => (doc.getText().includes(event.event_id) && doc.getText().includes('not JSON') ? true : undefined));
    assert.strictEqual(a.tail.activeCount >= 1, true);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await eventually('the tail to stop', async () => (a.tail.activeCount === 0 ? true : undefined));
  });

  it('replays store events to a channel (scripted form) and reports the count', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const entity = unique('order');
    for (let i = 0; i < 3; i++) {
      await a.publisher.send(conn, { kind: 'stream', name: 'event_store' }, createEvent({ event_type: 'order_paid', entity_id: entity, data: { order_id: i } }));
    }
    const channel = unique('replay-test');
    const got: unknown[] = [];
    const sub = await conn.adapter.subscribe(channel, (e) => { got.push(e); });
    try {
      const result = await vscode.commands.executeCommand<{ sent: number; aborted: boolean }>('ucore.event.replay', {
        selection: { stream: 'event_store', entity }, target: { kind: 'channel', channel },
      });
      assert.strictEqual(result?.sent, 3);
      assert.strictEqual(result.aborted, false);
      await eventually('3 replayed events', async () => (got.length === 3 ? true : undefined));
    } finally {
      await sub.unsubscribe();
    }
  });

  it('finds events another app appended the guide\'s way (no index): kept indexed in the background, replayed by entity', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const entity = unique('guide-order');
    // What a Python service from the guide does: XADD event_store * event <json.dumps text>, nothing else.
    for (let i = 0; i < 4; i++) {
      await conn.transport.xadd('event_store', {
        event: `{"event_id": "py-${entity}-${i}", "event_type": "order_created", "timestamp": "2026-01-01T00:00:0${i}", "version": "1.0", "entity_id": "${entity}", "user_id": 5, "data": {"total": 12.0, "n": ${i}}}`,
      });
    }
    // The connection's index keeper catches up within a few seconds, without any query asking.
    await eventually('the background index', async () => ((await conn.transport.xlen(`event_store:idx:entity:${entity}`)) === 4 ? true : undefined), 15_000);
    const channel = unique('replay-guide');
    const got: string[] = [];
    const sub = await conn.adapter.subscribe(channel, (_e, m) => { got.push(m.raw); });
    try {
      const result = await vscode.commands.executeCommand<{ sent: number }>('ucore.event.replay', {
        selection: { stream: 'event_store', entity }, target: { kind: 'channel', channel },
      });
      assert.strictEqual(result?.sent, 4);
      await eventually('4 replayed events', async () => (got.length === 4 ? true : undefined));
      assert.ok(got.every((raw) => raw.includes('"total": 12.0')), 'replayed as the other app wrote them');
    } finally {
      await sub.unsubscribe();
    }
  });

  it('replays to a shard channel with SPUBLISH, a time range on the event clock by default (scripted form)', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const entity = unique('order');
    const dayAgo = Date.now() - 86_400_000;
    // Appended now, happened a day ago (a backfill): found by the event's timestamp, not by the append time.
    for (let i = 0; i < 3; i++) {
      await a.publisher.send(conn, { kind: 'stream', name: 'event_store' }, createEvent({ event_type: 'order_paid', entity_id: entity, timestamp: new Date(dayAgo + i).toISOString(), data: { order_id: i } }));
    }
    const shard = `${unique('replay-shard')}{x}`;
    const got: Array<{ sharded: boolean; payload: string }> = [];
    const listener = conn.transport.onMessage((m) => {
      if (m.channel === shard && m.pattern === undefined) got.push({ sharded: m.sharded === true, payload: m.payload });
    });
    await conn.transport.ssubscribe([shard]);
    await conn.transport.subscribe([shard]);
    try {
      const selection = { stream: 'event_store', entity, since: new Date(dayAgo - 60_000).toISOString(), until: new Date(dayAgo + 60_000).toISOString() };
      const result = await vscode.commands.executeCommand<{ sent: number; clock: string | null }>('ucore.event.replay', { selection, target: { kind: 'shard', channel: shard } });
      assert.deepStrictEqual([result?.sent, result?.clock], [3, 'event']);
      await eventually('3 replayed events', async () => (got.length >= 3 ? true : undefined));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepStrictEqual(got.map((m) => [m.sharded, (JSON.parse(m.payload) as { data: { order_id: number } }).data.order_id]), [[true, 0], [true, 1], [true, 2]],
        'only the shard subscription got them, in order');
      const byAppend = await vscode.commands.executeCommand<{ sent: number; clock: string | null }>('ucore.event.replay', { selection: { ...selection, clock: 'append' }, target: { kind: 'shard', channel: shard } });
      assert.deepStrictEqual([byAppend?.sent, byAppend?.clock], [0, 'append']);
    } finally {
      listener.dispose();
      await conn.transport.unsubscribe([shard]);
      await conn.transport.sunsubscribe([shard]);
    }
  });

  it('requeues a dead letter to a shard channel with SPUBLISH', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const text = JSON.stringify({ event_type: 'order_created', data: { n: unique('n') } });
    const id = await conn.transport.xadd('dead_letter', { event: text, error: 'x', attempts: '1', source: '', failed_at: new Date().toISOString() });
    const shard = `${unique('requeue-shard')}{x}`;
    const got: Array<{ sharded: boolean; payload: string }> = [];
    const listener = conn.transport.onMessage((m) => {
      if (m.channel === shard && m.pattern === undefined) got.push({ sharded: m.sharded === true, payload: m.payload });
    });
    await conn.transport.ssubscribe([shard]);
    await conn.transport.subscribe([shard]);
    try {
      const ok = await vscode.commands.executeCommand<boolean>('ucore.deadLetter.requeue', { kind: 'entry', key: 'dead_letter', entry: { id, fields: {} } }, { shardChannel: shard });
      assert.strictEqual(ok, true);
      await eventually('the requeued event', async () => (got.length >= 1 ? true : undefined));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepStrictEqual(got, [{ sharded: true, payload: text }]);
    } finally {
      listener.dispose();
      await conn.transport.unsubscribe([shard]);
      await conn.transport.sunsubscribe([shard]);
    }
  });

  it('checks duplicates with the guide\'s fingerprint (the first check marks the event as seen)', async () => {
    const event = createEvent({ event_type: 'order_created', entity_id: unique('e'), data: { order_id: 1 } });
    const first = await vscode.commands.executeCommand<{ duplicate: boolean; fingerprint: string }>('ucore.event.checkDuplicate', event);
    const second = await vscode.commands.executeCommand<{ duplicate: boolean; fingerprint: string }>('ucore.event.checkDuplicate', { ...event, event_id: 'other-id' });
    assert.strictEqual(first?.duplicate, false);
    assert.strictEqual(second?.duplicate, true, 'same type, entity, user and data: a duplicate even with another event_id');
    assert.match(first.fingerprint, /^[0-9a-f]{32}$/);
  });

  it('runs demo traffic until stopped and the trees fill', async function () {
    this.timeout(60_000);
    const a = await api();
    assert.strictEqual(await vscode.commands.executeCommand('ucore.demo.start'), true);
    try {
      assert.strictEqual(a.demo.running, true);
      await eventually('demo channels', async () => {
        const names = (await a.explorer.channels.getChildren()).map((n) => (n.kind === 'channel' ? n.channel : ''));
        return names.includes('ecommerce_events') && names.includes('user_events') ? true : undefined;
      }, 20_000);
      await eventually('the demo group with pending entries', async () => {
        const store = await child(a, undefined, (n) => n.kind === 'stream' && n.key === 'event_store');
        if (!store) return undefined;
        const group = await child(a, store, (n) => n.kind === 'group' && n.group.name === 'demo-fulfilment');
        return group && group.kind === 'group' && group.group.pending > 0 ? true : undefined;
      }, 30_000);
      assert.match(a.statusBar.text, /\/s/);
    } finally {
      await vscode.commands.executeCommand('ucore.demo.stop');
    }
    assert.strictEqual(a.demo.running, false);
  });

  it('opens the live monitor panel, which asks for data and receives it', async () => {
    const a = await api();
    await vscode.commands.executeCommand('ucore.monitor.open');
    const panel = a.monitorPanel.current;
    assert.ok(panel, 'a panel is open');
    await eventually('an update posted after the page said ready', async () => (panel.posted > 0 ? true : undefined), 20_000);
    panel.dispose();
    assert.strictEqual(a.monitorPanel.current, undefined);
  });
});

describe('explorer (Redis from UCORE_TEST_REDIS_URL)', function () {
  this.timeout(60_000);
  const url = process.env.UCORE_TEST_REDIS_URL;

  it('adds a Redis connection, makes it active and sees a channel published to it', async function () {
    if (!url) this.skip();
    const a = await api();
    const name = unique('test-redis');
    try {
      assert.strictEqual(await vscode.commands.executeCommand('ucore.connection.add', { name, url }), name);
      assert.strictEqual(a.services.connections.activeConnectionName, name);
      const conn = a.services.activeConnection();
      assert.ok(conn);
      assert.strictEqual(conn.transport.kind, 'redis');
      await a.monitor.settled();
      const channel = unique('redis-channel');
      await a.publisher.send(conn, { kind: 'channel', name: channel }, createEvent({ event_type: 'x' }));
      await eventually(`${channel} in the Channels view`, async () => {
        const nodes = await a.explorer.channels.getChildren();
        return nodes.find((n) => n.kind === 'channel' && n.channel === channel);
      });
    } finally {
      await a.services.connections.setActive('Embedded');
      await a.services.connections.catalog.remove(name).catch(() => undefined);
    }
  });
});

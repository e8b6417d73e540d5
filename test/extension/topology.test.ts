// The Connections view's "Topology" branch rendered from given Topology values (a cluster, a Sentinel setup, and
// what a hostile or confused server might send), and shard channels (Redis 7 sharded pub/sub) in the Channels view,
// tailed and published to, on the Embedded connection. A real cluster is driven through the UI in
// test/e2e/cluster.e2e.test.ts.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { UCoreExtensionApi } from '../../src/extension/extension';
import type { ChannelNode } from '../../src/extension/explorer/channelsTree';
import { TopologyRootNode, type TopologyTreeNode } from '../../src/extension/explorer/topology/index';
import { formatSlotRanges } from '../../src/extension/explorer/topologyItems';
import { createEvent } from '../../src/core/envelope/envelope';
import type { PubSubMessage, Topology, TopologyNode } from '../../src/core/transport/types';
import { api, eventually, unique } from './helpers';

const node = (n: Partial<TopologyNode> & Pick<TopologyNode, 'id' | 'role'>): TopologyNode =>
  ({ address: n.id, slots: [], state: 'ok', ...n });

/** label, description and tooltip of a row, as a user reads them. */
function row(n: TopologyTreeNode): { label: string; description: string; tooltip: string; collapsible: vscode.TreeItemCollapsibleState | undefined; id: string | undefined } {
  const item = n.getTreeItem();
  assert.ok(item.tooltip === undefined || typeof item.tooltip === 'string', 'tooltips are plain text, never markdown');
  return { label: String(item.label), description: String(item.description ?? ''), tooltip: String(item.tooltip ?? ''), collapsible: item.collapsibleState, id: item.id };
}

const CLUSTER: Topology = {
  mode: 'cluster',
  clusterState: 'ok',
  nodes: [
    // Out of slot order on purpose: the view sorts masters by their first slot.
    node({ id: 'c3', address: '127.0.0.1:7003', role: 'master', slots: [[10923, 16383]] }),
    node({ id: 'c1', address: '127.0.0.1:7001', role: 'master', slots: [[0, 5460]], current: true }),
    node({ id: 'c2', address: '127.0.0.1:7002', role: 'master', slots: [[5461, 10922]] }),
    node({ id: 'r1', address: '127.0.0.1:7004', role: 'replica', masterId: 'c1' }),
    node({ id: 'r9', address: '127.0.0.1:7009', role: 'replica', masterId: 'gone', state: 'fail' }),
  ],
};

describe('topology rows (from a given Topology)', () => {
  it('lists a cluster\'s masters in slot order with compact ranges, replicas beneath their master', () => {
    const root = new TopologyRootNode('prod', CLUSTER);
    const r = row(root);
    assert.strictEqual(r.label, 'Topology');
    assert.strictEqual(r.description, 'cluster · ok · 3 masters · 2 replicas');
    assert.strictEqual(r.collapsible, vscode.TreeItemCollapsibleState.Collapsed);

    const children = root.getChildren();
    const rows = children.map(row);
    assert.deepStrictEqual(rows.map((x) => [x.label, x.description]), [
      ['127.0.0.1:7001', '0-5460 · current · ok · 1 replica'],
      ['127.0.0.1:7002', '5461-10922 · ok'],
      ['127.0.0.1:7003', '10923-16383 · ok'],
      // Its master is not in the list (a failover in progress): still shown, at the top level.
      ['127.0.0.1:7009', 'replica · fail'],
    ]);
    assert.strictEqual(rows[0].collapsible, vscode.TreeItemCollapsibleState.Collapsed);
    assert.strictEqual(rows[1].collapsible, vscode.TreeItemCollapsibleState.None);
    assert.match(rows[0].tooltip, /Slots: 0-5460 \(5461 of 16384\)/);
    const replicas = children[0]!.getChildren().map(row);
    assert.deepStrictEqual(replicas.map((x) => [x.label, x.description]), [['127.0.0.1:7004', 'replica · ok']]);
    assert.match(replicas[0].tooltip, /Replica of: c1/);
    const icon = children[3]!.getTreeItem().iconPath as vscode.ThemeIcon;
    assert.strictEqual(icon.id, 'error', 'a failed node is marked');
  });

  it('says when a cluster is failing or slots are unassigned', () => {
    const broken: Topology = { ...CLUSTER, clusterState: 'fail', nodes: CLUSTER.nodes.filter((n) => n.id !== 'c3') };
    const root = new TopologyRootNode('prod', broken);
    assert.strictEqual(row(root).description, 'cluster · fail · 2 masters · 2 replicas · 5461 slots unassigned');
    assert.strictEqual((root.getTreeItem().iconPath as vscode.ThemeIcon).id, 'warning');
  });

  it('shows a Sentinel setup: master name, current master with its replica, the sentinels', () => {
    const topology: Topology = {
      mode: 'sentinel',
      masterName: 'ucore-master',
      nodes: [
        node({ id: '127.0.0.1:6390', role: 'master', current: true }),
        node({ id: '127.0.0.1:6391', role: 'replica', masterId: '127.0.0.1:6390' }),
        node({ id: '127.0.0.1:26379', role: 'sentinel' }),
        node({ id: '127.0.0.1:26380', role: 'sentinel' }),
        node({ id: '127.0.0.1:26381', role: 'sentinel', state: 'disconnected' }),
      ],
    };
    const root = new TopologyRootNode('ha', topology);
    assert.strictEqual(row(root).description, 'sentinel · ucore-master · master 127.0.0.1:6390 · 1 replica · 3 sentinels');
    assert.match(row(root).tooltip, /Sentinel master name: ucore-master/);
    const children = root.getChildren();
    assert.deepStrictEqual(children.map(row).map((x) => [x.label, x.description]), [
      ['127.0.0.1:6390', 'master · current · ok · 1 replica'],
      ['Sentinels', '3'],
    ]);
    assert.deepStrictEqual(children[0]!.getChildren().map(row).map((x) => x.label), ['127.0.0.1:6391']);
    assert.deepStrictEqual(children[1]!.getChildren().map(row).map((x) => `${x.label} ${x.description}`),
      ['127.0.0.1:26379 sentinel · ok', '127.0.0.1:26380 sentinel · ok', '127.0.0.1:26381 sentinel · disconnected']);
  });

  it('formats slot ranges compactly, whatever the server sends', () => {
    assert.strictEqual(formatSlotRanges([[0, 5460]]), '0-5460');
    assert.strictEqual(formatSlotRanges([[7, 7], [0, 3]]), '0-3, 7');
    assert.strictEqual(formatSlotRanges([[0, 1], [3, 4], [6, 7], [9, 10], [12, 13]]), '0-1, 3-4, 6-7 +2 more');
    assert.strictEqual(formatSlotRanges([]), 'no slots');
    assert.strictEqual(formatSlotRanges([[5, 2], [-1, 3], [0, 99999], ['a', 'b'], null, [1.5, 2]] as unknown), 'no slots');
    assert.strictEqual(formatSlotRanges('nonsense' as unknown), 'no slots');
  });

  it('keeps hostile node text on one short plain-text line, with unique row ids', () => {
    const evil = '[click](command:workbench.action.quit)\n<img src=x onerror=alert(1)>\u0000';
    const long = `10.0.0.1:${'9'.repeat(10_000)}`;
    const topology: Topology = {
      mode: 'cluster',
      clusterState: `ok\nfake line ${'x'.repeat(500)}`,
      nodes: [
        node({ id: 'same', address: evil, role: 'master', slots: [[0, 100]], state: `${evil}` }),
        node({ id: 'same', address: long, role: 'master', slots: [[101, 16383]] }),
        node({ id: 'same', address: 'r', role: 'replica', masterId: 'same' }),
        { id: 'odd', address: 'odd', role: 'arbiter', slots: 'nope', state: 'ok' } as unknown as TopologyNode,
      ],
    };
    const root = new TopologyRootNode('h', topology);
    const all: TopologyTreeNode[] = [root];
    for (let i = 0; i < all.length; i++) all.push(...all[i]!.getChildren());
    const rows = all.map(row);
    const ids = rows.map((r) => r.id);
    assert.strictEqual(new Set(ids).size, ids.length, `ids are unique: ${ids.join(' | ')}`);
    for (const r of rows) {
      for (const text of [r.label, r.description]) {
        assert.ok(!/[\u0000-\u001f]/.test(text), `one line: ${JSON.stringify(text.slice(0, 80))}`);
        assert.ok(text.length <= 400, `short: ${text.length}`);
      }
      assert.ok(r.tooltip.length <= 2000, `tooltip bounded: ${r.tooltip.length}`);
    }
    assert.ok(rows.some((r) => r.label.startsWith('[click](command:')), 'the address is shown as the text it is');
  });
});

describe('Connections view on Embedded', () => {
  it('has no topology branch (a single in-process server)', async () => {
    const a = await api();
    await a.services.connections.setActive('Embedded');
    const embedded = a.explorer.connections.getChildren().find((n) => n.name === 'Embedded');
    assert.ok(embedded);
    assert.strictEqual(a.explorer.connections.getTreeItem(embedded).collapsibleState, vscode.TreeItemCollapsibleState.None);
    assert.deepStrictEqual(await a.explorer.connections.getChildren(embedded), []);
  });
});

describe('shard channels (Embedded connection)', function () {
  this.timeout(60_000);

  before(async () => {
    const a = await api();
    await a.services.connections.setActive('Embedded');
    await a.monitor.settled();
  });

  const shardNode = async (a: UCoreExtensionApi, channel: string): Promise<ChannelNode | undefined> => {
    a.explorer.channels.refresh();
    const nodes = await a.explorer.channels.getChildren();
    return nodes.find((n): n is ChannelNode => n.kind === 'channel' && n.channel === channel && n.sharded === true);
  };

  it('lists a shard channel with its subscribers, apart from an ordinary channel of the same name', async () => {
    const a = await api();
    const t = (await a.services.requireConnection()).transport;
    const channel = unique('shard-list');
    await t.ssubscribe([channel]);
    try {
      const n = await eventually('the shard channel', () => shardNode(a, channel));
      const item = a.explorer.channels.getTreeItem(n);
      assert.strictEqual(item.label, channel);
      assert.strictEqual(item.description, 'shard · 1 subscriber');
      assert.strictEqual(item.contextValue, 'channel.shard');
      assert.match(String(item.tooltip), /Shard channel/);
      const plain = (await a.explorer.channels.getChildren()).filter((x) => x.kind === 'channel' && x.channel === channel && !x.sharded);
      assert.deepStrictEqual(plain, [], 'no ordinary channel of that name is active');
    } finally {
      await t.sunsubscribe([channel]);
    }
    a.explorer.channels.refresh();
    assert.strictEqual(await shardNode(a, channel), undefined, 'gone once nobody subscribes');
  });

  it('Publish Event to a shard channel uses SPUBLISH (nothing arrives as an ordinary message)', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const channel = unique('shard-pub');
    const got: PubSubMessage[] = [];
    const listener = conn.transport.onMessage((m) => { if (m.channel === channel) got.push(m); });
    // Subscribed both ways: a PUBLISH would arrive as an ordinary message, an SPUBLISH only as a shard one.
    await conn.transport.subscribe([channel]);
    await conn.transport.ssubscribe([channel]);
    try {
      const event = createEvent({ event_type: 'order_paid', data: { order_id: 3 } });
      const r = await vscode.commands.executeCommand<{ receivers: number }>('ucore.event.publish', { shardChannel: channel, event });
      assert.strictEqual(r?.receivers, 1);
      await eventually('the shard message', async () => (got.some((m) => m.sharded) ? true : undefined));
      const m = got.find((x) => x.sharded);
      assert.strictEqual(JSON.parse(m!.payload).event_id, event.event_id);
      await new Promise((res) => setTimeout(res, 200));
      assert.ok(got.every((x) => x.sharded), `only shard messages arrived: ${JSON.stringify(got)}`);
    } finally {
      listener.dispose();
      await conn.transport.unsubscribe([channel]);
      await conn.transport.sunsubscribe([channel]);
    }
  });

  it('tails a shard channel: shard messages show, ordinary ones of the same name do not', async () => {
    const a = await api();
    const conn = await a.services.requireConnection();
    const channel = unique('shard-tail');
    const uri = await vscode.commands.executeCommand<string>('ucore.channel.tail', { kind: 'channel', id: 'x', channel, ratePerSecond: 0, total: 0, subscribers: null, sharded: true });
    assert.ok(uri);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    assert.ok(doc);
    assert.match(doc.getText(), /tail of shard channel/);
    assert.deepStrictEqual((await conn.transport.pubsubShardNumsub([channel])).map((c) => c.subscribers), [1], 'the tail SSUBSCRIBEd');
    const event = createEvent({ event_type: 'shard_event', data: { n: 1 } });
    const ordinary = createEvent({ event_type: 'ordinary_event', data: { n: 2 } });
    await conn.transport.publish(channel, JSON.stringify(ordinary));
    assert.strictEqual(await conn.transport.spublish(channel, JSON.stringify(event)), 1);
    await conn.transport.spublish(channel, 'not json <script>');
    await eventually('the tailed lines', async () => (doc.getText().includes(event.event_id) && doc.getText().includes('not JSON') ? true : undefined));
    assert.ok(!doc.getText().includes(ordinary.event_id), 'an ordinary PUBLISH on the same name is not a shard message');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await eventually('the tail to stop', async () => (a.tail.activeCount === 0 ? true : undefined));
    await eventually('SUNSUBSCRIBE', async () => ((await conn.transport.pubsubShardNumsub([channel]))[0]?.subscribers === 0 ? true : undefined));
  });
});

// The extension on a Redis Cluster, in a real VS Code (code-server) driven by headless Chromium: a private 3-master
// cluster on loopback ports, added through "UCore: Add Connection" with its seed URL; the Connections view shows its
// topology (three masters with their slot ranges), the Channels view a shard channel someone SSUBSCRIBEd, which the
// user tails (SSUBSCRIBE) and publishes to (SPUBLISH); the Streams view finds streams on different masters.
// Outside observers talk to the owning master directly (plain ioredis), so they do not depend on the code under test.
// Screenshots: .test-artifacts/screenshots/cluster-*.png (FAILED-*.png when a step fails).
import * as assert from 'node:assert';
import { describe, it } from 'node:test';
import Redis from 'ioredis';
import { ask, keySlot, startRedisCluster } from '../support/redis-cluster';
import { useWorkbench } from './lib/fixture';
import { addConnectionInUi, answerPrompts, eventually, step, treeContextAction, waitForEditorText } from './lib/ui';
import type { Workbench } from './lib/workbench';

const CONN = 'e2e-cluster';

function event(type: string, data: Record<string, unknown>) {
  return { event_id: `e2e-${type}-${Math.random().toString(16).slice(2)}`, event_type: type, timestamp: new Date().toISOString(), version: '1.0', data, metadata: {} };
}

const rowsText = async (wb: Workbench, view: string) => (await wb.treeRows(view)).map((r) => `${r.label} [${r.description}]`).join(' | ');

/** `CLUSTER SLOTS` of any node: master port → its ranges as the view should print them ("0-5460"). */
async function slotRangesByMaster(port: number): Promise<Map<number, string>> {
  const reply = (await ask(port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]]]>;
  const byPort = new Map<number, Array<[number, number]>>();
  for (const [a, b, master] of reply) {
    const list = byPort.get(Number(master[1])) ?? [];
    list.push([a, b]);
    byPort.set(Number(master[1]), list);
  }
  return new Map([...byPort].map(([p, ranges]) => [p, ranges.sort((x, y) => x[0] - y[0]).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ')]));
}

describe('UCore Events on a Redis Cluster (code-server UI)', { timeout: 300_000 }, () => {
  const clients: Redis[] = [];
  const e2e = useWorkbench({
    name: 'cluster',
    servers: { cluster: () => startRedisCluster({ masters: 3 }) },
    settings: { 'ucore.commandTimeoutMs': 4000 },
    cleanup: () => Promise.allSettled(clients.map((c) => c.quit().catch(() => c.disconnect()))),
  });
  const { lap } = e2e;
  // A shard channel whose slot is not on the first master: the view must ask every master, not just the seed.
  let shardChannel = '';
  let shardOwner = 0;
  let shardSubscriber: Redis | undefined;
  const shardReceived: string[] = [];

  /** A plain client on one node (not a cluster client): an observer that does not share the code under test. */
  const client = (port: number) => {
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
    c.on('error', () => { /* reported by the failing command */ });
    clients.push(c);
    return c;
  };

  it('adds a connection with the cluster\'s seed URL and connects to it', async () => {
    const w = e2e.wb;
    await step(w, 'cluster-add-connection', async () => {
      await addConnectionInUi(w, { url: e2e.servers.cluster.seedUrl, name: CONN });
      await w.waitForNotification(new RegExp(`Connected to ${CONN}`));
      await w.openActivity('UCore Events');
      const row = await eventually(async () => (await w.treeRows('Connections')).find((r) => r.label === CONN && /active/.test(r.description) && /\bconnected\b/.test(r.description)),
        `"${CONN}" shown as active and connected`);
      assert.match(row.description, /\bcluster\b/, `the row says it is a cluster: ${row.description}`);
      assert.strictEqual(row.expanded, false, 'a cluster connection can be expanded');
    });
    lap('connection added');
  });

  it('shows the topology: cluster state and three masters with their slot ranges', async () => {
    const w = e2e.wb;
    await step(w, 'cluster-topology', async () => {
      const masters = await e2e.servers.cluster.masterPorts();
      assert.strictEqual(masters.length, 3);
      const ranges = await slotRangesByMaster(masters[0]);
      await w.expandTreeRow(CONN, 'Connections');
      const topo = await eventually(async () => (await w.treeRows('Connections')).find((r) => r.label === 'Topology'), 'the Topology row')
        .catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Connections')}`); });
      assert.match(topo.description, /^cluster · ok · 3 masters · 0 replicas$/);
      await w.expandTreeRow('Topology', 'Connections');
      const rows = await eventually(async () => {
        const all = await w.treeRows('Connections');
        const found = masters.map((p) => all.find((r) => r.label === `127.0.0.1:${p}`));
        return found.every(Boolean) ? found.map((r) => r!) : undefined;
      }, 'three master rows').catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Connections')}`); });
      for (const [i, r] of rows.entries()) {
        const expected = ranges.get(masters[i]);
        assert.ok(expected, `CLUSTER SLOTS names master ${masters[i]}`);
        assert.ok(r.description.startsWith(`${expected} · `), `master ${masters[i]} shows its slots ${expected}: "${r.description}"`);
        assert.match(r.description, /\bok\b/);
        assert.match(r.ariaLabel, new RegExp(`Slots: ${expected.replace(/[-]/g, '\\-')}`), `its tooltip lists the slots: ${r.ariaLabel}`);
      }
      // In slot order, as the view sorts them, the first covering slot 0.
      assert.match(rows[0].description, /^0-/);
      await w.screenshot('cluster-1-topology');
    });
    lap('topology');
  });

  it('shows a shard channel someone SSUBSCRIBEd, marked "shard" with its subscriber count', async () => {
    const w = e2e.wb;
    await step(w, 'cluster-shard-channel', async () => {
      const masters = await e2e.servers.cluster.masterPorts();
      // Pick a name whose slot is served by the last master (not the first seed).
      for (let i = 0; !shardChannel; i++) {
        const name = `e2e_shard_${i}`;
        if ((await e2e.servers.cluster.masterForSlot(keySlot(name))) === masters[2]) shardChannel = name;
      }
      shardOwner = masters[2];
      shardSubscriber = client(shardOwner);
      shardSubscriber.on('smessage', (_channel: string, message: string) => shardReceived.push(message));
      await shardSubscriber.ssubscribe(shardChannel);
      await w.runCommand('UCore: Refresh');
      const observer = client(shardOwner);
      // The count is Redis's: the monitor, which follows shard channels on a cluster, may add UCore's own connection
      // a few seconds in. So the row must agree with SHARDNUMSUB asked at the same time.
      await eventually(async () => {
        const row = (await w.treeRows('Channels')).find((r) => r.label === shardChannel);
        const [, n] = (await observer.call('PUBSUB', 'SHARDNUMSUB', shardChannel)) as [string, number];
        const m = row && /^shard(?: · [\d.]+k?\/s)? · (\d+) subscribers?$/.exec(row.description);
        return m && Number(m[1]) === Number(n) && Number(n) >= 1;
      }, `${shardChannel} in the Channels view, marked shard, with the subscriber count Redis reports`, 15_000)
        .catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Channels')}`); });
      await w.screenshot('cluster-2-shard-channel');
    });
    lap('shard channel listed');
  });

  it('tails the shard channel (SSUBSCRIBE) and shows what is SPUBLISHed to it', async () => {
    assert.ok(shardChannel);
    const w = e2e.wb;
    await step(w, 'cluster-shard-tail', async () => {
      const row = await w.waitForTreeRow(shardChannel, 'Channels');
      await treeContextAction(w, row, /^Tail Channel/);
      await waitForEditorText(w.page, /tail of shard channel/);
      const publisher = client(shardOwner);
      // The tail's SSUBSCRIBE reached the owning master: two subscribers now.
      await eventually(async () => {
        const [, n] = (await publisher.call('PUBSUB', 'SHARDNUMSUB', shardChannel)) as [string, number];
        return Number(n) === 2;
      }, 'the tail subscribed on the owning master');
      const e = event('order_shipped', { order_id: 77, note: 'spublished-from-outside' });
      assert.strictEqual(await publisher.call('SPUBLISH', shardChannel, JSON.stringify(e)), 2);
      await waitForEditorText(w.page, (t) => t.includes(e.event_id), 15_000);
      await w.screenshot('cluster-3-shard-tail');
    });
    lap('shard tail');
  });

  it('publishes to the shard channel from its context menu (SPUBLISH reaches the shard subscriber)', async () => {
    assert.ok(shardChannel && shardSubscriber);
    const w = e2e.wb;
    await step(w, 'cluster-shard-publish', async () => {
      const marker = `ui-${Date.now()}`;
      const row = await w.waitForTreeRow(shardChannel, 'Channels');
      await treeContextAction(w, row, /^Publish to Channel/);
      await answerPrompts(w, [
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
      const msg = await w.waitForNotification(new RegExp(`Published order_created to shard channel ${shardChannel}`));
      // The outside subscriber and the tail opened in the previous step.
      assert.match(msg, /\(2 receivers\)/, msg);
      const got = await eventually(async () => shardReceived.find((m) => m.includes(marker)), 'the shard subscriber receiving the event');
      assert.strictEqual((JSON.parse(got) as { event_type: string }).event_type, 'order_created');
      // The monitor counts this traffic too (it follows shard channels on a cluster): on the shard row, not on an
      // ordinary row of the same name.
      await w.runCommand('UCore: Refresh');
      await eventually(async () => {
        const rows = (await w.treeRows('Channels')).filter((r) => r.label === shardChannel);
        return rows.length === 1 && /^shard · /.test(rows[0].description);
      }, `one row for ${shardChannel}, the shard one`, 10_000).catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Channels')}`); });
      await w.screenshot('cluster-4-shard-published');
    });
    lap('shard publish');
  });

  it('lists streams that live on different masters', async () => {
    const w = e2e.wb;
    await step(w, 'cluster-streams', async () => {
      const masters = await e2e.servers.cluster.masterPorts();
      const streams: string[] = [];
      for (const owner of [masters[0], masters[1], masters[2]]) {
        for (let i = 0; ; i++) {
          const key = `e2e_stream_${i}`;
          if (streams.includes(key)) continue;
          if ((await e2e.servers.cluster.masterForSlot(keySlot(key))) !== owner) continue;
          await client(owner).xadd(key, '*', 'event', JSON.stringify(event('order_paid', { order_id: i })));
          streams.push(key);
          break;
        }
      }
      await w.runCommand('UCore: Refresh');
      await eventually(async () => {
        const labels = (await w.treeRows('Streams')).map((r) => r.label);
        return streams.every((s) => labels.includes(s));
      }, `streams ${streams.join(', ')} (one per master) in the Streams view`, 15_000)
        .catch(async (e) => { throw new Error(`${(e as Error).message}; rows: ${await rowsText(w, 'Streams')}`); });
      await w.screenshot('cluster-5-streams');
    });
    lap('streams');
  });
});

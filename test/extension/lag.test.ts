// Lag over time and a stuck consumer inside a real extension host, against a redis-server this suite starts, on a
// group another app made the guide's way (ioredis XGROUP CREATE … MKSTREAM, XREADGROUP, XACK): worker-1 reads five
// entries and stops, worker-2 keeps reading and acknowledging. The Streams view shows the group's trend and marks
// worker-1, the monitor alerts once for the episode and charts the oldest pending age, and "Claim Pending for…"
// hands worker-1's entries to worker-2 (a second run claims nothing).
import * as assert from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import type { StuckChange } from '../../src/extension/lag/lagWatch';
import type { ClaimPendingResult } from '../../src/extension/lag/claimPending';
import type { ConsumerNode, GroupNode, StreamNode, StreamsTreeNode } from '../../src/extension/explorer/streamsTree';
import { api, eventually, freePort, unique } from './helpers';

describe('lag over time and stuck consumers', function () {
  this.timeout(90_000);
  let server: ChildProcess | undefined;
  let dir = '';
  let app: Redis;
  let name = '';
  let worker2: ReturnType<typeof setInterval> | undefined;
  const stream = unique('lag-orders');
  const group = 'fulfilment';
  const config = () => vscode.workspace.getConfiguration('ucore');

  before(async function () {
    if (spawnSync('redis-server', ['--version']).status !== 0) this.skip();
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'ucore-ext-lag-'));
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    app = new Redis(port, '127.0.0.1', { retryStrategy: (n) => (n > 50 ? null : 50) });
    await eventually('redis-server answers', () => app.ping().then(() => true, () => false));
    await config().update('lag.stuckAfterSeconds', 1, vscode.ConfigurationTarget.Global);
    await config().update('lag.sampleSeconds', 1, vscode.ConfigurationTarget.Global);
    await config().update('monitor.streams', [stream], vscode.ConfigurationTarget.Global);
    name = unique('lag-conn');
    const a = await api();
    await vscode.commands.executeCommand('ucore.connection.add', { name, url: `redis://127.0.0.1:${port}` });
    await a.services.connections.setActive(name, { connect: true });
    await a.monitor.settled();
  });

  after(async () => {
    if (worker2) clearInterval(worker2);
    app?.disconnect();
    const a = await api();
    await a.services.connections.setActive('Embedded');
    await a.services.connections.disconnect(name).catch(() => undefined);
    for (const key of ['lag.stuckAfterSeconds', 'lag.sampleSeconds', 'monitor.streams']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function rows(): Promise<{ group: GroupNode; consumers: ConsumerNode[] }> {
    const a = await api();
    const top = (await a.explorer.streams.getChildren()) as StreamsTreeNode[];
    const s = top.find((n): n is StreamNode => n.kind === 'stream' && n.key === stream);
    assert.ok(s, `${stream} is listed`);
    const g = (await a.explorer.streams.getChildren(s)).find((n): n is GroupNode => n.kind === 'group');
    assert.ok(g, 'its group is listed');
    const consumers = (await a.explorer.streams.getChildren(g)).filter((n): n is ConsumerNode => n.kind === 'consumer');
    return { group: g, consumers };
  }

  it('marks the consumer that stopped in the tree, alerts once per episode, charts the age; Claim Pending for Consumer hands its entries over, twice safely', async () => {
    const a = await api();
    const changes: StuckChange[] = [];
    const sub = a.lag.onDidChangeStuck((c) => changes.push(c));
    try {
      await app.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
      for (let i = 0; i < 20; i++) await app.xadd(stream, '*', 'event', JSON.stringify({ event_type: 'order_created', data: { order_id: `${i}` } }));
      await app.xreadgroup('GROUP', group, 'worker-1', 'COUNT', 5, 'STREAMS', stream, '>');
      // worker-2 keeps the group moving: new orders arrive, it reads and acknowledges them.
      worker2 = setInterval(() => void (async () => {
        await app.xadd(stream, '*', 'event', '{"event_type": "order_created"}');
        const read = (await app.xreadgroup('GROUP', group, 'worker-2', 'COUNT', 3, 'STREAMS', stream, '>')) as Array<[string, Array<[string, string[]]>]> | null;
        const ids = read?.[0]?.[1].map(([id]) => id) ?? [];
        if (ids.length) await app.xack(stream, group, ...ids);
      })().catch(() => undefined), 200);

      // The tree: the group row shows the trend, worker-1 is marked stuck and offers the claim.
      const marked = await eventually('worker-1 marked stuck in the Streams view', async () => {
        const r = await rows();
        const w1 = r.consumers.find((c) => c.consumer.name === 'worker-1');
        return w1 && w1.contextValue === 'consumer.stuck' ? { ...r, w1 } : undefined;
      }, 30_000);
      const w1Item = a.explorer.streams.getTreeItem(marked.w1);
      assert.match(String(w1Item.description), /^stuck \d+(\.\d)? s · 5 pending · idle /);
      assert.match(String(w1Item.tooltip), /Stuck: its oldest pending entry has been idle .* while worker-2 of the same group reads/);
      assert.strictEqual((w1Item.iconPath as vscode.ThemeIcon).id, 'warning');
      const w2 = marked.consumers.find((c) => c.consumer.name === 'worker-2');
      assert.strictEqual(w2?.contextValue, 'consumer', 'the healthy one is not marked');
      const groupItem = await eventually('a trend on the group row', async () => {
        const item = a.explorer.streams.getTreeItem((await rows()).group);
        return /^⚠ 1 stuck · lag \d+ (?:[▁▂▃▄▅▆▇█]+ )?[↑↓→]/.test(String(item.description)) ? item : undefined;
      });
      assert.match(String(groupItem.description), / · \d+ pending$/);
      assert.match(String(groupItem.tooltip), /Lag over the last .* samples\): now \d+, min \d+, max \d+/);
      assert.match(String(groupItem.tooltip), /Oldest pending entry idle .* now, at most .* in that time/);
      assert.match(String(groupItem.tooltip), /Stuck: worker-1 \(5 pending, oldest idle .*\) while worker-2 reads/);

      // The monitor: one firing alert for the episode, the age charted per group.
      const key = `${stream} › ${group} › worker-1`;
      const alert = await eventually('the stuck alert in the monitor', () => a.monitor.activeAlerts().find((x) => x.scope === 'stuck' && x.key === key));
      assert.strictEqual(alert.ruleId, 'stuck consumer');
      assert.strictEqual(alert.threshold, 1);
      assert.ok(alert.value >= 1);
      await eventually('the oldest pending age in the monitor history', () =>
        a.monitor.history.all().some((p) => p.ages?.some(([k, s]) => k === `${stream} › ${group}` && s >= 1)));
      const samplesBefore = a.lag.trend(stream, group)!.samples;
      await eventually('three more samples', () => a.lag.trend(stream, group)!.samples >= samplesBefore + 3);
      const started = changes.flatMap((c) => c.started).filter((s) => s.consumer === 'worker-1');
      assert.strictEqual(started.length, 1, 'one episode, heard once (the notification and the alert come from it)');
      assert.strictEqual(a.monitor.alertLog.all().filter((x) => x.key === key && x.state === 'firing').length, 1);

      // Claim Pending for Consumer from the stuck row, for worker-2.
      const claimed = await vscode.commands.executeCommand<ClaimPendingResult>('ucore.consumer.claimPending', marked.w1, { to: 'worker-2' });
      assert.deepStrictEqual({ ...claimed }, { stream, group, consumer: 'worker-1', from: 'worker-1', to: 'worker-2', claimed: 5, skipped: 0, more: false });
      const byConsumer = (await app.xpending(stream, group)) as [number, string, string, Array<[string, string]> | null];
      assert.ok(!(byConsumer[3] ?? []).some(([c]) => c === 'worker-1'), 'worker-1 has nothing pending');
      assert.strictEqual(a.lag.stuck(stream, group, 'worker-1'), undefined, 'the episode ended');
      assert.ok(changes.some((c) => c.ended.some((s) => s.consumer === 'worker-1')));
      assert.ok(!a.monitor.activeAlerts().some((x) => x.key === key), 'the alert resolved');
      assert.ok(a.monitor.alertLog.all().some((x) => x.key === key && x.state === 'resolved'));
      const again = await vscode.commands.executeCommand<ClaimPendingResult>('ucore.consumer.claimPending', { stream, group, consumer: 'worker-1' }, { to: 'worker-2' });
      assert.strictEqual(again.claimed, 0, 'safe to repeat: nothing left to claim');
      // A target that is not another consumer of the group is refused (the error wrapper shows it; nothing moves).
      assert.strictEqual(await vscode.commands.executeCommand('ucore.consumer.claimPending', { stream, group, consumer: 'worker-1' }, { to: 'nobody' }), undefined);
      assert.strictEqual(await vscode.commands.executeCommand('ucore.consumer.claimPending', { stream, group, consumer: 'worker-1' }, { to: 'worker-1' }), undefined);
      const w1After = (await rows()).consumers.find((c) => c.consumer.name === 'worker-1')!;
      assert.strictEqual(w1After.contextValue, 'consumer');
      assert.match(String(a.explorer.streams.getTreeItem(w1After).description), /^0 pending/);
    } finally {
      sub.dispose();
      if (worker2) clearInterval(worker2);
      worker2 = undefined;
    }
  });
});

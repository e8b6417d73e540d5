// Consumer killed mid-batch: a GroupConsumer in a child process (test/support/consumer-child.ts) reads a batch of 50,
// handles 10, hangs in the 11th and is SIGKILLed with the whole batch unacknowledged. A surviving GroupConsumer in
// this process claims the dead consumer's pending entries once they have been idle for claimIdleMs (not before),
// processes them and everything else: 0 lost, nothing left pending.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { GroupConsumer } from '../../src/core/store/group-consumer';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const CHILD = resolve(__dirname, '..', 'support', 'consumer-child.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults: consumer killed mid-batch', () => {
  let srv: RedisServerHandle;
  let t: RedisTransport;
  before(async () => {
    srv = await startRedisServer();
    t = new RedisTransport({ url: srv.url });
    await t.connect();
  });
  after(async () => { await t.close(); await srv.stop(); });

  it('another consumer claims its pending entries after the idle time; 0 lost', { timeout: 30_000 }, async () => {
    const stream = 'jobs';
    const group = 'workers';
    const total = 200;
    const claimIdleMs = 1000;
    await t.xgroupCreate(stream, group, '0', { mkStream: true });
    const ids = await t.xaddBatch(Array.from({ length: total }, (_, i) => ({ key: stream, fields: { seq: String(i) } })));

    const child = spawn(process.execPath, [CHILD, srv.url, stream, group, 'doomed', '50', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, sig) => r(sig)));
    for (let i = 0; i < 1000 && !/STUCK /.test(out); i++) await sleep(10);
    assert.match(out, /STUCK /, `child output: ${out} ${err}`);
    const stuckAt = Date.now();
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const childDone = [...out.matchAll(/^DONE (\S+)$/gm)].map((m) => m[1]);
    assert.equal(childDone.length, 10, 'the child handled 10 entries before hanging');

    const orphaned = await t.xpendingRange(stream, group, { count: 1000, consumer: 'doomed' });
    assert.equal(orphaned.length, 50, 'the whole batch is pending on the dead consumer');
    const orphanIds = new Set(orphaned.map((p) => p.id));

    const handledAt = new Map<string, number>();
    const survivorT = new RedisTransport({ url: srv.url });
    await survivorT.connect();
    const survivor = new GroupConsumer(survivorT, {
      stream, group, consumer: 'survivor', count: 25, blockMs: 200, claimIdleMs,
      handler: async (entry) => { if (!handledAt.has(entry.id)) handledAt.set(entry.id, Date.now()); },
    });
    const running = survivor.start();
    for (let i = 0; i < 1000 && handledAt.size < total; i++) await sleep(10);
    await survivor.stop();
    await running;
    await survivorT.close();

    const lost = ids.filter((id) => !handledAt.has(String(id)));
    const firstOrphanHandled = Math.min(...[...orphanIds].map((id) => handledAt.get(id) ?? Infinity));
    const lastOrphanHandled = Math.max(...[...orphanIds].map((id) => handledAt.get(id) ?? Infinity));
    const pending = await t.xpendingSummary(stream, group);
    console.log(`FIGURE: consumer killed mid-batch: ${total} entries, ${orphanIds.size} orphaned, lost=${lost.length}, claimed=${survivor.stats.claimed}, ` +
      `re-handled after the crash=${childDone.length} (handled by the dead child, never acked), orphans handled ${firstOrphanHandled - stuckAt}–${lastOrphanHandled - stuckAt} ms after the kill (claimIdleMs ${claimIdleMs}), pending at end=${pending.count}`);
    assert.equal(lost.length, 0, 'every entry was processed');
    assert.equal(survivor.stats.claimed, 50, 'exactly the dead consumer\'s entries were claimed');
    assert.equal(pending.count, 0);
    assert.ok(childDone.every((id) => handledAt.has(id)), 'what the child handled without acking was handled again (at least once)');
    // Claimed only once idle: the child read the batch before stuckAt, so they were idle claimIdleMs at stuckAt + claimIdleMs at the latest.
    assert.ok(firstOrphanHandled - stuckAt >= claimIdleMs - 200, `claimed ${firstOrphanHandled - stuckAt} ms after the kill, before the idle time`);
    assert.ok(lastOrphanHandled - stuckAt < claimIdleMs + 3000, 'claimed soon after the idle time');
  });
});

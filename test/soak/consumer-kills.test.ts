// Consumers killed again and again: 20,000 entries, worked by child-process GroupConsumers (test/support/
// consumer-child.ts) that are SIGKILLed at random moments (one every ~300 ms, a fresh one started in its place),
// plus one GroupConsumer in this process that claims what the dead leave pending after claimIdleMs. Every entry is
// handled at least once (0 lost), nothing stays pending; prints kills, claims and repeats.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { GroupConsumer } from '../../src/core/store/group-consumer';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer } from '../support/redis-server';

const CHILD = resolve(__dirname, '..', 'support', 'consumer-child.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('soak: consumers killed at random', () => {
  it('20,000 entries, a worker SIGKILLed every ~300 ms: 0 lost', { timeout: 10 * 60_000 }, async () => {
    const srv = await startRedisServer();
    const t = new RedisTransport({ url: srv.url });
    await t.connect();
    const stream = 'soak_jobs';
    const group = 'workers';
    const total = 20_000;
    await t.xgroupCreate(stream, group, '0', { mkStream: true });
    const handled = new Map<string, number>();
    const note = (id: string) => handled.set(id, (handled.get(id) ?? 0) + 1);

    const children = new Set<ChildProcess>();
    let spawned = 0;
    const startChild = () => {
      const c = spawn(process.execPath, [CHILD, srv.url, stream, group, `child-${spawned++}`, '20', '1000000000', '1'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let buf = '';
      c.stdout!.on('data', (d) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('DONE ')) note(line.slice(5));
        }
      });
      c.once('exit', () => children.delete(c));
      children.add(c);
    };
    for (let i = 0; i < 3; i++) startChild();

    const survivorT = new RedisTransport({ url: srv.url });
    await survivorT.connect();
    const survivor = new GroupConsumer(survivorT, { stream, group, consumer: 'survivor', count: 50, blockMs: 200, claimIdleMs: 1500, handler: async (e) => { note(e.id); } });
    const running = survivor.start();

    const ids: string[] = [];
    const producing = (async () => {
      for (let i = 0; i < total; i += 200) {
        const batch = await t.xaddBatch(Array.from({ length: Math.min(200, total - i) }, (_, j) => ({ key: stream, fields: { seq: String(i + j) } })));
        ids.push(...batch.map(String));
        await sleep(100); // ~2,000 entries/s: the workers keep up, and always hold a batch when one is killed
      }
    })();

    let kills = 0;
    const started = Date.now();
    while ((ids.length < total || [...ids].some((id) => !handled.has(id))) && Date.now() - started < 8 * 60_000) {
      await sleep(150 + Math.random() * 300);
      if (ids.length < total || Math.random() < 0.3) {
        const victim = [...children][Math.floor(Math.random() * children.size)];
        if (victim) { victim.kill('SIGKILL'); kills++; startChild(); }
      }
    }
    await producing;
    for (const c of children) c.kill('SIGKILL');
    await sleep(2000); // let the survivor claim what the last kills left
    const deadline = Date.now() + 30_000;
    while (ids.some((id) => !handled.has(id)) && Date.now() < deadline) await sleep(100);
    await survivor.stop();
    await running;
    const lost = ids.filter((id) => !handled.has(id)).length;
    const repeats = [...handled.values()].reduce((a, n) => a + (n - 1), 0);
    // Entries the last children held when killed stay pending until claimed; the survivor has claimed them by now.
    const pending = (await t.xpendingSummary(stream, group)).count;
    console.log(`FIGURE: consumer-kill soak: ${total} entries, ${kills} workers SIGKILLed, ${spawned} started, lost=${lost}, handled again after a kill=${repeats}, claimed by the survivor=${survivor.stats.claimed}, pending at end=${pending}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await survivorT.close();
    await t.close();
    await srv.stop();
    assert.equal(ids.length, total);
    assert.equal(lost, 0);
    assert.equal(pending, 0);
    assert.ok(kills >= 10, `only ${kills} kills`);
  });
});

// `ucore flows`, `ucore trace` and `ucore sagas` (issue 15) as a user runs them, on a private redis-server where
// the events were written the normal way: by another app, the guide's Python EventStore.save_event on redis-py
// (XADD event_store * event <json> + PUBLISH events; the order only in data.order_id), its Saga (a checkpoint
// string, saga events nobody keeps), next to our core's saga, a consumer group that left one entry unacked, and
// hostile entries (cut JSON, binary, a 2 MB event, terminal escapes in type names) that must not crash or hang.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { RedisTransport, Saga } from '../../src/core/index';
import { REPO_ROOT } from '../e2e/lib/paths';
import { runCli } from '../support/cli-process';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const PYTHON = '/usr/bin/python3'; // Debian's, with python3-redis
const GUIDE_APPS = join(REPO_ROOT, 'test', 'support', 'guide_apps.py');

function guide(action: string, args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [GUIDE_APPS, action, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`guide_apps.py ${action} exited ${code}: ${err.trim()}`));
    });
  });
}

/** The guide's OrderService event (event_id order_{id}, no entity_id, data.order_id), at a fixed time. */
function orderEvent(type: string, orderId: number, second: number): string {
  const ts = `2025-09-12T10:${String(Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000000`;
  return JSON.stringify({ event_id: `${type}_${orderId}`, event_type: type, timestamp: ts, user_id: 12345, data: { order_id: orderId, total_price: 99.99 } });
}

const FLOW = ['order_created', 'payment_processed', 'order_paid', 'order_shipped'];

describe('ucore flows / trace / sagas on events another app wrote', () => {
  let srv: RedisServerHandle;
  let t: RedisTransport;
  const u = (...args: string[]) => [...args, '--url', srv.url];
  const json = async (args: string[]) => {
    const r = await runCli(u(...args, '--json'), { timeoutMs: 30_000 });
    assert.equal(r.code, 0, `ucore ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  };

  before(async () => {
    const probe = spawnSync(PYTHON, ['-c', 'import redis'], { encoding: 'utf8' });
    assert.equal(probe.status, 0, `redis-py for ${PYTHON} is missing: ${probe.stderr}`);
    srv = await startRedisServer();
    t = new RedisTransport({ url: srv.url });
    await t.connect();
    // Orders 101..104 go the whole way (a step every 2 s); 105 stops at order_paid.
    const texts: string[] = [];
    for (let o = 101; o <= 105; o++) {
      const steps = o === 105 ? FLOW.slice(0, 3) : FLOW;
      steps.forEach((type, i) => texts.push(orderEvent(type, o, (o - 100) * 10 + i * 2)));
    }
    const args = ['--url', srv.url];
    for (const text of texts) args.push('--event', text);
    await guide('save', args);
    // Hostile entries among theirs.
    await t.xadd('event_store', { event: '{"event_type": "order_created", "data": {"order_id": 7' });
    await t.xadd('event_store', { event: '\u0000\u00ff binary \ud800' });
    await t.xadd('event_store', { nothing: 'here' });
    await t.xadd('event_store', { event: JSON.stringify({ event_type: 'big', data: { order_id: 900, blob: 'x'.repeat(2_000_000) } }) });
    await t.xadd('event_store', { event: JSON.stringify({ event_type: '\u001b[2J\u001b]0;pwned\u0007order_created', data: { order_id: 901 } }) });
    // A fulfilment group that read everything and acked all but 105's order_paid.
    await t.xgroupCreate('event_store', 'fulfilment', '0');
    const read = (await t.xreadgroup({ group: 'fulfilment', consumer: 'worker-1', streams: [{ key: 'event_store', id: '>' }], count: 1000 }))![0].entries;
    const unacked = read.find((e) => e.fields.event?.includes('"order_paid_105"'))!;
    assert.ok(unacked);
    await t.xack('event_store', 'fulfilment', read.filter((e) => e.id !== unacked.id).map((e) => e.id));
    // Sagas: the guide's (fails at ship: it publishes step events, keeps a checkpoint string, never says it ended)
    // and ours, compensated.
    await guide('saga', ['--url', srv.url, '--saga-id', 'guide-saga', '--steps', 'reserve,charge,ship', '--fail-at', 'ship']);
    const ours = new Saga(t, 'our-saga');
    ours.addStep('reserve', async () => {}, async () => {}).addStep('ship', async () => { throw new Error('no carrier'); }, async () => {});
    await ours.execute();
  });
  after(async () => {
    await t?.close();
    await srv?.stop();
  });

  it('flows: the order graph with counts and times, the stuck order, the group and its pending entry', async () => {
    const records = await json(['flows', '--key', 'data.order_id']);
    const summary = records.find((r) => r.record === 'summary');
    assert.equal(summary.malformed, 3);
    const order = records.find((r) => r.record === 'flow' && r.kind === 'order');
    const edge = (a: string, b: string) => order.edges.find((e: any) => e.from === a && e.to === b);
    assert.equal(edge('order_created', 'payment_processed').count, 5);
    assert.equal(edge('order_paid', 'order_shipped').count, 4);
    assert.equal(edge('order_paid', 'order_shipped').p50Ms, 2000);
    assert.deepEqual(order.startTypes.includes('order_created'), true);
    assert.ok(order.endTypes.includes('order_shipped'));
    const stuck = records.filter((r) => r.record === 'stuck');
    assert.deepEqual(stuck.map((s) => [s.entity, s.lastType]), [['105', 'order_paid']]);
    const services = records.find((r) => r.record === 'services');
    const g = services.groups.find((x: any) => x.group === 'fulfilment');
    assert.equal(g.pending, 1);
    assert.deepEqual(g.consumers.map((c: any) => [c.name, c.pending]), [['worker-1', 1]]);
  });

  it('flows, as text: readable, and a type name cannot drive the terminal', async () => {
    const r = await runCli(u('flows', '--key', 'data.order_id'), { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /order_paid → order_shipped\s+4\s+2\.0 s\s+2\.0 s/);
    assert.match(r.stdout, /Stuck \(1\)\n.*\n\s+105\s+order_paid/);
    assert.match(r.stdout, /group fulfilment: pending 1/);
    assert.ok(!r.stdout.includes('\u001b'), 'no raw ESC reaches the terminal');
    assert.match(r.stdout, /\\u001b\[2J/);
  });

  it('trace: the stuck order step by step, its unacked entry pending in fulfilment', async () => {
    const records = await json(['trace', '--entity', '105', '--key', 'data.order_id']);
    const steps = records.filter((r) => r.record === 'step');
    assert.deepEqual(steps.map((s) => s.eventType), ['order_created', 'payment_processed', 'order_paid']);
    assert.deepEqual(steps.map((s) => s.sincePreviousMs), [null, 2000, 2000]);
    assert.deepEqual(steps[2].deliveries.map((d: any) => [d.group, d.state, d.consumer, d.deliveries]), [['fulfilment', 'pending', 'worker-1', 1]]);
    assert.equal(steps[0].deliveries[0].state, 'acked');
    assert.equal(steps[0].event.data.order_id, 105, 'the event as the other app stored it');
    const text = await runCli(u('trace', '--entity', '105', '--key', 'data.order_id'));
    assert.match(text.stdout, /order_paid .*\n\s+pending in group fulfilment with worker-1, 1 delivery, idle/);
    const none = await runCli(u('trace', '--entity', 'order:nobody'));
    assert.equal(none.code, 1);
    assert.match(none.stdout, /No events of order:nobody .*--key/);
    const big = await json(['trace', '--entity', '900', '--key', 'data.order_id']);
    assert.equal(big.find((r) => r.record === 'step').rawCut, true);
  });

  it('sagas: ours compensated, the guide\'s still running after its failed step', async () => {
    const runs = await json(['sagas']);
    const ours = runs.find((r) => r.sagaId === 'our-saga');
    assert.equal(ours.status, 'compensated');
    assert.equal(ours.failedStep, 'ship');
    assert.deepEqual(ours.compensations, ['reserve']);
    const theirs = runs.find((r) => r.sagaId === 'guide-saga');
    assert.equal(theirs.status, 'running');
    assert.deepEqual(theirs.seenIn, ['guide-checkpoint']);
    const compensated = await json(['sagas', '--status', 'compensated']);
    assert.deepEqual(compensated.map((r) => r.sagaId), ['our-saga']);
    const text = await runCli(u('sagas'));
    assert.match(text.stdout, /our-saga\s+compensated at ship/);
    const bad = await runCli(u('sagas', '--status', 'nope'));
    assert.equal(bad.code, 2);
  });
});

// `ucore contract lint` and `ucore contract check` as CI runs them: the built CLI in a child process, against a real
// redis-server, on events written the guide's way by another app (the guide's Python patterns on redis-py).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { lines, runCli as run, ucore } from '../support/cli-process';
import { untilSubscribed } from '../support/subscribed';

const REPO = join(__dirname, '..', '..', '..');
const CONTRACT = join(REPO, 'test', 'fixtures', 'contracts', 'asyncapi.yaml');
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-redis
const GUIDE_APPS = join(REPO, 'test', 'support', 'guide_apps.py');

/** One guide action (save: XADD event_store + PUBLISH events; publish: publish_json) run to its end. */
function guide(action: 'save' | 'publish', url: string, events: object[], channel?: string): Promise<void> {
  const args = [GUIDE_APPS, action, '--url', url, ...(channel ? ['--channel', channel] : []), ...events.flatMap((e) => ['--event', JSON.stringify(e)])];
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`guide_apps.py ${action}: ${err}`)))));
}

const order = (id: string, data: object, over: object = {}) => ({
  event_id: id, event_type: 'order_created', timestamp: '2026-12-01T10:00:00Z', version: '1.0', entity_id: 'order:1',
  data: { total_price: 10, status: 'pending', ...data }, ...over,
});

describe('ucore contract', () => {
  let srv: RedisServerHandle;
  let url: string;
  before(async () => { srv = await startRedisServer(); url = srv.url; });
  after(async () => { await srv?.stop(); });

  it('lint: a good contract exits 0; a broken one lists each error with line and column and exits 1', async () => {
    const good = await run(['contract', 'lint', CONTRACT]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stderr, /0 errors, 0 warnings/);
    const dir = mkdtempSync(join(tmpdir(), 'ucore-contract-'));
    const bad = join(dir, 'asyncapi.yaml');
    writeFileSync(bad, "asyncapi: 3.0.0\nchannels:\n  s:\n    address: s\n    x-ucore: {kind: queue}\n  t:\n    address: t\n    messages:\n      m:\n        payload: {type: object, properties: {a: {$ref: 'https://example.invalid/a.json'}}}\n");
    const r = await run(['contract', 'lint', bad, '--json']);
    assert.equal(r.code, 1);
    const got = lines(r.stdout).map((l) => JSON.parse(l));
    assert.deepEqual(got.map((p) => [p.line, p.severity]), [[5, 'error'], [10, 'warning']]);
    const human = await run(['contract', 'lint', bad]);
    assert.match(human.stdout, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:5:\\d+: error: x-ucore: kind`));
    assert.equal((await run(['contract', 'lint', join(dir, 'missing.yaml')])).code, 2);
  });

  it('check --history: the stream entries another app wrote, one line per violation, exit 1', async () => {
    await guide('save', url, [order('good-1', {}), order('bad-1', { total_price: -3, status: 'lost' }), order('good-2', { total_cents: 5 }, { version: '2.0' })]);
    const r = await run(['contract', 'check', CONTRACT, '--history', '--json', '--url', url]);
    assert.equal(r.code, 1, r.stderr);
    const recs = lines(r.stdout).map((l) => JSON.parse(l));
    const summary = recs.pop();
    assert.deepEqual(summary, { summary: { checked: 3, violating: 1, channels: 1 } });
    assert.deepEqual(recs.map((v) => [v.channel, v.event_type, v.event_id, v.path, v.code]).sort(), [
      ['event_store', 'order_created', 'bad-1', '/data/status', 'invalid_value'],
      ['event_store', 'order_created', 'bad-1', '/data/total_price', 'too_small'],
    ]);
    assert.equal(recs[0].schema.file, CONTRACT);
    assert.ok(recs[0].schema.line > 1);
    const human = await run(['contract', 'check', CONTRACT, '--history', '--url', url]);
    assert.match(human.stdout, /event_store {2}order_created {2}bad-1 {2}data\.total_price: must be > 0 {2}\(.*asyncapi\.yaml:\d+:\d+\)/);
    assert.match(human.stdout, /checked 3 events on 1 channel\/stream: 1 violating\n$/);
  });

  it('check --for: live pub/sub traffic, literal and glob channels; exit 0 when all conform', async () => {
    const checker = ucore(['contract', 'check', CONTRACT, '--for', '6', '--json', '--url', url], { timeoutMs: 30_000 });
    await untilSubscribed(url, { channel: 'ecommerce_events' });
    await untilSubscribed(url, { patternClients: 1 });
    await guide('publish', url, [order('p-1', {}), { event_type: 'order_paid', timestamp: 'yesterday', event_id: 'p-2' }, { event_type: 'order_lost', event_id: 'p-3' }], 'ecommerce_events');
    await guide('publish', url, [{ event_type: 'user_registered', user_id: 'not-a-uuid', event_id: 'u-1' }], 'user.42');
    await guide('publish', url, [{ event_type: 'anything' }], 'unrelated');
    const r = await checker.done;
    assert.equal(r.code, 1, r.stderr);
    const recs = lines(r.stdout).map((l) => JSON.parse(l));
    const summary = recs.pop();
    assert.deepEqual(summary.summary, { checked: 4, violating: 3, channels: 2 });
    assert.deepEqual(recs.map((v) => [v.channel, v.event_id, v.path, v.code]).sort(), [
      ['ecommerce_events', 'p-2', '/timestamp', 'invalid_format'],
      ['ecommerce_events', 'p-3', '/event_type', 'unknown_event_type'],
      ['user.42', 'u-1', '/user_id', 'invalid_format'],
    ]);

    const clean = ucore(['contract', 'check', CONTRACT, '--count', '1', '--url', url], { timeoutMs: 30_000 });
    await untilSubscribed(url, { channel: 'ecommerce_events' });
    await untilSubscribed(url, { patternClients: 1 });
    await guide('publish', url, [order('p-9', {})], 'ecommerce_events');
    const c = await clean.done;
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /^checked 1 event on 1 channel\/stream: 0 violating\n$/);
  });

  it('check: live stream entries; wrong usage exits 2', async () => {
    const checker = ucore(['contract', 'check', CONTRACT, '--count', '1', '--json', '--url', url], { timeoutMs: 30_000 });
    await untilSubscribed(url, { channel: 'ecommerce_events' });
    await untilSubscribed(url, { patternClients: 1 });
    await guide('save', url, [order('s-1', { items: [{ sku: 'x', quantity: 1 }] })]);
    const r = await checker.done;
    assert.equal(r.code, 1, r.stderr);
    const recs = lines(r.stdout).map((l) => JSON.parse(l));
    assert.deepEqual(recs[0].path, '/data/items/0/sku');
    assert.equal(recs[0].channel, 'event_store');
    assert.equal((await run(['contract', 'check', CONTRACT, '--url', url])).code, 2);
    assert.equal((await run(['contract', 'check', '--for', '1', '--url', url])).code, 2);
  });
});

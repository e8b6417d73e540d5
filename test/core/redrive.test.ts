// Issue 17: dead-letter redrive on a private redis-server, dead letters written by another app (redis-py) in our
// format and in a looser one (original_event / reason): grouped by reason, redriven once, a dry run sends nothing.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventFilter } from '../../src/core/search/index';
import { groupDeadLetters, redriveDeadLetters, reasonKey, redrivenKey } from '../../src/core/retry/redrive';
import type { RedisTransport } from '../../src/core/transport/redis';
import { privateRedis } from '../support/private-redis';

const PYTHON = '/usr/bin/python3';

function pythonWrites(url: string): void {
  const script = `
import json, sys, redis
r = redis.Redis.from_url(sys.argv[1])
for i in range(12):
    ev = {"event_id": "e%d" % i, "event_type": "order_created", "entity_id": "o%d" % i, "data": {"total_price": i * 20.0}}
    r.xadd("dead_letter", {"event": json.dumps(ev), "error": "timeout after %d ms calling payments" % (3000 + i), "error_name": "TimeoutError", "attempts": "3", "source": "orders", "failed_at": "2026-12-01T10:00:00Z"})
for i in range(5):
    ev = {"event_id": "f%d" % i, "event_type": "order_paid", "entity_id": "p%d" % i, "data": {}}
    r.xadd("dead_letter", {"original_event": json.dumps(ev), "reason": "KeyError: 'amount' in order %d" % i})
r.xadd("dead_letter", {"reason": "no event at all"})
`;
  const py = spawnSync(PYTHON, ['-c', script, url], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(py.status, 0, py.stderr);
}

describe('dead-letter redrive', () => {
  const redis = privateRedis();
  let t: RedisTransport;
  before(() => { t = redis.t; });
  before(() => {
    pythonWrites(redis.url);
  });

  it('groups dead letters by reason with numbers blanked, largest first', async () => {
    const { groups, scanned, total } = await groupDeadLetters(t);
    assert.equal(scanned, 18);
    assert.equal(total, 18);
    assert.deepEqual(groups.map((g) => [g.reason, g.count]), [
      ['TimeoutError: timeout after # ms calling payments', 12],
      ["KeyError: 'amount' in order #", 5],
      ['no event at all', 1],
    ]);
    assert.deepEqual(groups[0].sources, ['orders']);
    assert.equal(reasonKey('x 2026-12-01T10:00:00.123Z id 0193f1c2-aaaa-bbbb-cccc-0123456789ab'), 'x <time> id <id>');
  });

  it('redrives a group once: dry run, rate, filter; a second redrive sends nothing again', async () => {
    const reason = 'TimeoutError: timeout after # ms calling payments';
    const dry = await redriveDeadLetters(t, { reason, target: { kind: 'stream', name: 'orders_retry' }, dryRun: true });
    assert.equal(dry.sent, 12);
    assert.equal(await t.xlen('orders_retry'), 0);
    const some = await redriveDeadLetters(t, { reason, filter: EventFilter.compile('data.total_price > 100'), target: { kind: 'stream', name: 'orders_retry' }, rate: 50 });
    assert.equal(some.sent, 6);
    const rest = await redriveDeadLetters(t, { reason, target: { kind: 'stream', name: 'orders_retry' } });
    assert.equal(rest.sent, 6);
    assert.equal(rest.alreadyRedriven, 6);
    const again = await redriveDeadLetters(t, { reason, target: { kind: 'stream', name: 'orders_retry' } });
    assert.equal(again.sent, 0);
    assert.equal(again.alreadyRedriven, 12);
    const sent = (await t.xrange('orders_retry', '-', '+')).map((e) => JSON.parse(e.fields.event!).event_id);
    assert.equal(new Set(sent).size, 12);
    assert.equal(Object.keys(await t.hgetall(redrivenKey('dead_letter'))).length, 12);
    const { groups } = await groupDeadLetters(t);
    assert.equal(groups[0].redriven, 12);
  });

  it('sends a looser format\'s original_event, counts entries with no event, refuses a loop, and stops when cancelled', async () => {
    const r = await redriveDeadLetters(t, { reason: "KeyError: 'amount' in order #", target: { kind: 'channel', name: 'payments' } });
    assert.equal(r.sent, 5);
    const none = await redriveDeadLetters(t, { reason: 'no event at all', target: { kind: 'channel', name: 'x' } });
    assert.equal(none.noEvent, 1);
    await assert.rejects(redriveDeadLetters(t, { target: { kind: 'stream', name: 'dead_letter' } }), /loop/);
    await t.del([redrivenKey('dead_letter')]);
    const ac = new AbortController();
    const cut = await redriveDeadLetters(t, { target: { kind: 'stream', name: 'cut' }, rate: 10, signal: ac.signal, onProgress: (p) => { if (p.sent >= 2) ac.abort(); } });
    assert.equal(cut.aborted, true);
    assert.ok(cut.sent >= 2 && cut.sent < 17, `sent ${cut.sent}`);
    assert.equal(await t.xlen('cut'), cut.sent);
  });

  it('two redrives at the same moment send each dead letter once (each entry is claimed with HSETNX first)', async () => {
    await t.del([redrivenKey('dead_letter'), 'both']);
    const reason = 'TimeoutError: timeout after # ms calling payments';
    const [x, y] = await Promise.all([
      redriveDeadLetters(t, { reason, target: { kind: 'stream', name: 'both' } }),
      redriveDeadLetters(t, { reason, target: { kind: 'stream', name: 'both' } }),
    ]);
    assert.equal(x.sent + y.sent, 12, `sent ${x.sent} + ${y.sent}`);
    assert.equal(x.alreadyRedriven + y.alreadyRedriven, 12);
    const sent = (await t.xrange('both', '-', '+')).map((e) => JSON.parse(e.fields.event!).event_id);
    assert.equal(sent.length, 12);
    assert.equal(new Set(sent).size, 12);
    assert.ok(Object.values(await t.hgetall(redrivenKey('dead_letter'))).every((v) => !v.startsWith('sending ')), 'every mark completed');
  });
});

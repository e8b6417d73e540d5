// The CLI as a careful neighbour on a real redis-server that other apps share: replay to shard channels, group reads
// that leave no extra work pending, a closed stdout, and time ranges on the event's own clock or the append clock.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { lines, runCli as run, ucoreThroughHead } from '../support/cli-process';
import { MessageRecorder } from '../support/message-recorder';
import { RedisTransport } from '../../src/core/transport/redis';

describe('ucore CLI as a careful neighbour', () => {
  let srv: RedisServerHandle;
  let url: string;
  let t: RedisTransport;
  before(async () => {
    srv = await startRedisServer();
    url = srv.url;
    t = new RedisTransport({ url });
    await t.connect();
  });
  after(async () => { await t?.close(); await srv?.stop(); });

  /** Appends the guide's way: `XADD <stream> * event <json>`, no index. */
  async function guideAppend(stream: string, events: object[]): Promise<string[]> {
    const ids: string[] = [];
    for (const e of events) ids.push((await t.xadd(stream, { event: JSON.stringify(e) }))!);
    return ids;
  }

  it('replay --to-shard sends with SPUBLISH: a shard subscriber gets the events, a plain subscriber of that name none', async () => {
    await guideAppend('shard_src', [1, 2, 3].map((n) => ({ event_type: 'order_created', entity_id: `order:${n}`, data: { n } })));
    const rec = await MessageRecorder.start(t, ['replayed_shard'], { shard: true });
    try {
      const r = await run(['replay', '--stream', 'shard_src', '--to-shard', 'replayed_shard', '--url', url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /replayed 3 of 3 events to shard channel replayed_shard/);
      await rec.waitFor(3, 'replayed_shard');
      await rec.settle(100);
      assert.deepEqual(rec.payloads('replayed_shard', true).map((p) => JSON.parse(p).data.n), [1, 2, 3]);
      assert.deepEqual(rec.payloads('replayed_shard', false), []);
    } finally {
      await rec.stop();
    }
    const both = await run(['replay', '--stream', 'shard_src', '--to-shard', 'a', '--to-channel', 'b', '--url', url]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give one of --to-channel, --to-shard and --to-stream/);
  });

  it('tail of a group with --count N reads only N: exactly N pending on that consumer, said on stderr; --ack leaves none', async () => {
    await guideAppend('grp_store', Array.from({ length: 7 }, (_, i) => ({ event_type: 'order_created', entity_id: `order:${i}`, data: { i } })));
    await t.xgroupCreate('grp_store', 'billing', '0');
    const r = await run(['tail', '--stream', 'grp_store', '--group', 'billing', '--consumer', 'worker-2', '--count', '3', '--json', '--url', url]);
    assert.equal(r.code, 0, r.stderr);
    const got = lines(r.stdout).map((l) => JSON.parse(l));
    assert.deepEqual(got.map((g) => g.event.data.i), [0, 1, 2], 'stdout is the 3 events only, as JSON');
    const pending = await t.xpendingSummary('grp_store', 'billing');
    assert.equal(pending.count, 3, 'the group lent out no more than was printed');
    assert.deepEqual(pending.consumers, [{ name: 'worker-2', count: 3 }]);
    assert.match(r.stderr, /3 entries printed are now pending on billing\/worker-2 .*XACK grp_store billing \d+-\d+ \d+-\d+ \d+-\d+, or read with --ack/);
    assert.ok(r.stderr.includes(got[0].id));

    const acked = await run(['tail', '--stream', 'grp_store', '--group', 'billing', '--consumer', 'worker-3', '--count', '3', '--ack', '--url', url]);
    assert.equal(acked.code, 0, acked.stderr);
    assert.equal(lines(acked.stdout).length, 3);
    assert.doesNotMatch(acked.stderr, /pending/);
    assert.equal((await t.xpendingRange('grp_store', 'billing', { count: 10, consumer: 'worker-3' })).length, 0);
    assert.equal((await t.xpendingSummary('grp_store', 'billing')).count, 3, 'worker-2\'s are still its own');
    const left = await t.xreadgroup({ group: 'billing', consumer: 'worker-1', streams: [{ key: 'grp_store', id: '>' }], count: 10 });
    assert.deepEqual(left?.[0].entries.map((e) => JSON.parse(e.fields.event).data.i), [6], 'the rest is still there for the workers');

    const bad = await run(['tail', '--stream', 'grp_store', '--ack', '--url', url]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--ack acknowledges what a group read printed/);
  });

  it('a closed stdout ends store get, tail and --help quietly with exit 0', async () => {
    const pad = 'x'.repeat(500);
    await guideAppend('pipe_store', Array.from({ length: 600 }, (_, i) => ({ event_type: 'order_created', entity_id: `order:${i}`, timestamp: new Date().toISOString(), data: { i, pad } })));
    for (const args of [
      ['store', 'get', '--store-key', 'pipe_store', '--limit', '600', '--url', url],
      ['store', 'get', '--store-key', 'pipe_store', '--limit', '600', '--json', '--url', url],
      ['tail', '--stream', 'pipe_store', '--from-start', '--url', url],
      ['tail', '--stream', 'pipe_store', '--from-start', '--json', '--url', url],
      ['--help'],
    ]) {
      const r = await ucoreThroughHead(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(lines(r.stdout).length, 1);
      assert.ok(!/EPIPE|\n\s+at |Error/.test(r.stderr), `no error, no stack trace for ${args.join(' ')}: ${r.stderr}`);
    }
  });

  it('--since/--until compare the event\'s timestamp by default (events appended a day after they happened are found), the append clock with --clock append', async () => {
    const dayAgo = Date.now() - 86_400_000;
    // The guide's save_event: `XADD event_store * event <json>` with datetime.utcnow().isoformat() (UTC, no offset).
    const python = (ms: number) => new Date(ms).toISOString().replace('Z', '000');
    await guideAppend('clock_store', [0, 1, 2].map((i) => ({ event_id: `c${i}`, event_type: 'order_created', entity_id: `order:${i}`, timestamp: python(dayAgo + i * 60_000), data: { i } })));
    await guideAppend('clock_store', [{ event_type: 'order_created', entity_id: 'order:9', data: { i: 'no timestamp' } }]);

    const all = await run(['store', 'get', '--store-key', 'clock_store', '--url', url]);
    assert.equal(all.code, 0, all.stderr);
    const printed = lines(all.stdout).map((l) => l.split(/\s+/)[1]).filter((ts) => /^\d{4}-/.test(ts));
    assert.equal(printed.length, 3);
    assert.equal(printed[1], python(dayAgo + 60_000), 'the output shows the event\'s timestamp');

    // A range around the printed times.
    const range = ['--since', printed[1], '--until', printed[2]];
    const byEvent = await run(['store', 'get', '--store-key', 'clock_store', ...range, '--json', '--url', url]);
    assert.equal(byEvent.code, 0, byEvent.stderr);
    assert.deepEqual(lines(byEvent.stdout).map((l) => JSON.parse(l).event.data.i), [1, 2]);
    assert.match(byEvent.stderr, /time range on the event's timestamp \(the default\); --clock append compares the append time/);
    assert.match(byEvent.stderr, /1 event without a readable timestamp left out of the time range; --clock append includes them/);
    const byAppend = await run(['store', 'get', '--store-key', 'clock_store', ...range, '--clock', 'append', '--json', '--url', url]);
    assert.equal(byAppend.code, 0, byAppend.stderr);
    assert.deepEqual(lines(byAppend.stdout), [], 'appended now, not a day ago');
    assert.match(byAppend.stderr, /time range on the append time \(stream id\); --clock event compares the event's timestamp/);

    const day = ['--since', printed[0], '--until', printed[2]];
    const replayed = await run(['replay', '--stream', 'clock_store', ...day, '--to-stream', 'clock_dst', '--json', '--url', url]);
    assert.equal(replayed.code, 0, replayed.stderr);
    const summary = JSON.parse(replayed.stdout);
    assert.deepEqual([summary.sent, summary.clock, summary.skippedUntimed], [3, 'event', 1]);
    assert.match(replayed.stderr, /time range on the event's timestamp \(the default\).*; 1 event without a readable timestamp left out/);
    const none = await run(['replay', '--stream', 'clock_store', ...day, '--clock', 'append', '--to-stream', 'clock_dst', '--url', url]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /replayed 0 of 0 events/);
    assert.equal(await t.xlen('clock_dst'), 3);

    const bad = await run(['store', 'get', '--since', printed[0], '--clock', 'wall', '--url', url]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--clock must be "event" .* or "append"/);
  });
});

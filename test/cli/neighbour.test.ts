// The CLI as a careful neighbour on a real redis-server that other apps share: replay to shard channels, group reads
// that leave no extra work pending, a closed stdout, and time ranges on the event's own clock or the append clock.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { lines, runCli as run } from '../support/cli-process';
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
});

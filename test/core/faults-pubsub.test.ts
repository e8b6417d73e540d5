// Pub/sub across a server crash: a subscriber (channel + pattern handlers on one EventAdapter) keeps its handlers
// through redis-server being SIGKILLed and restarted on the same port; its subscriptions are back within 2 s of the
// restart, with nothing done by the caller, after a short and after a long outage (the reconnect backoff is capped,
// so a long outage must not push the first attempt after the restart beyond the 2 s). Status goes
// ready → reconnecting → ready. (adapter.test.ts checks delivery after a restart; this one times it.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventAdapter } from '../../src/core/adapter';
import { RedisTransport } from '../../src/core/transport/redis';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults: pub/sub resubscribes within 2 s of a restart', () => {
  let srv: RedisServerHandle;
  before(async () => { srv = await startRedisServer(); });
  after(async () => { await srv.stop(); });

  for (const downMs of [300, 4000]) {
    it(`after ${downMs} ms down: channel and pattern handlers get messages again < 2000 ms after the restart`, { timeout: 30_000 }, async () => {
      const sub = await EventAdapter.connect(srv.url);
      const statuses: string[] = [];
      sub.onStatus((s) => statuses.push(s));
      let channelAt = 0;
      let patternAt = 0;
      let phase = 'before';
      const got: string[] = [];
      await sub.subscribe('orders', (e) => { got.push(`c:${(e as { phase: string }).phase}`); if (phase === 'after' && !channelAt) channelAt = Date.now(); });
      await sub.psubscribe('ord*', (e) => { got.push(`p:${(e as { phase: string }).phase}`); if (phase === 'after' && !patternAt) patternAt = Date.now(); });
      const pub0 = await EventAdapter.connect(srv.url);
      await pub0.publishJson('orders', { phase });
      for (let i = 0; i < 100 && got.length < 2; i++) await sleep(10);
      assert.deepEqual(got.sort(), ['c:before', 'p:before']);
      await pub0.close();

      await srv.kill();
      await sleep(downMs);
      assert.equal(sub.status, 'reconnecting', statuses.join(','));
      const restartBegun = Date.now();
      srv = await srv.restart();
      const restarted = Date.now();
      phase = 'after';
      // A fresh publisher, so only the subscriber's recovery is timed.
      const pub = new RedisTransport({ url: srv.url });
      await pub.connect();
      const payload = JSON.stringify({ phase });
      while ((!channelAt || !patternAt) && Date.now() - restarted < 10_000) {
        await pub.publish('orders', payload);
        await sleep(5);
      }
      await pub.close();
      const channelMs = channelAt - restarted;
      const patternMs = patternAt - restarted;
      console.log(`FIGURE: pubsub resubscribe after ${downMs} ms down: channel ${channelMs} ms, pattern ${patternMs} ms after the restart (server start took ${restarted - restartBegun} ms)`);
      assert.ok(channelAt && patternAt, 'messages arrive again');
      assert.ok(channelMs < 2000, `channel handler back ${channelMs} ms after the restart`);
      assert.ok(patternMs < 2000, `pattern handler back ${patternMs} ms after the restart`);
      const status = (): string => sub.status; // read again: it changes under us
      for (let i = 0; i < 100 && status() !== 'ready'; i++) await sleep(10);
      assert.equal(status(), 'ready');
      assert.ok(statuses.includes('reconnecting'), statuses.join(','));
      await sub.close();
    });
  }
});

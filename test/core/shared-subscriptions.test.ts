// Features of the extension share one transport: the live monitor, the flow map, a tail, Generate Contract and the
// scenario runner can hold the same channel or pattern at once. One of them letting go must not end what the others
// receive (a tap that unsubscribed `orders` used to silence a tail of `orders`).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TrafficTap, type TappedMessage } from '../../src/core/fixtures/traffic-tap';
import { FlowMiner } from '../../src/core/flows/flow-miner';
import { watchFlows } from '../../src/core/flows/live-flows';
import { SubscriptionCounts } from '../../src/core/transport/subscription-counts';
import type { PubSubMessage, Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';

/** Polls `ok` until it holds, failing with `what` after 5 s. */
async function eventually(ok: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not within 5 s: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const target of transportTargets('shared-subs')) {
  describe(`shared subscriptions [${target.name}]`, () => {
    let t: Transport;
    let done: () => Promise<void>;
    before(async () => { ({ transport: t, done } = await target.make()); });
    after(async () => { await done(); });

    /** Messages the transport delivers on `name` (a channel, or the pattern that matched) from now on. */
    function received(name: string): { count: () => number; stop: () => void } {
      let n = 0;
      const sub = t.onMessage((m: PubSubMessage) => { if ((m.pattern ?? m.channel) === name) n++; });
      return { count: () => n, stop: () => sub.dispose() };
    }

    it('a channel, a pattern and a shard channel held twice stay subscribed until both holders let go', async () => {
      for (const [kind, name, send] of [
        ['channel', 'orders', (n: number) => t.publish('orders', `{"n":${n}}`)],
        ['pattern', 'ord*', (n: number) => t.publish('orders', `{"n":${n}}`)],
        ['shard', 'payments', (n: number) => t.spublish('payments', `{"n":${n}}`)],
      ] as const) {
        const hold = kind === 'channel' ? (x: string[]) => t.subscribe(x) : kind === 'pattern' ? (x: string[]) => t.psubscribe(x) : (x: string[]) => t.ssubscribe(x);
        const release = kind === 'channel' ? (x: string[]) => t.unsubscribe(x) : kind === 'pattern' ? (x: string[]) => t.punsubscribe(x) : (x: string[]) => t.sunsubscribe(x);
        const got = received(name);
        await hold([name]);
        await hold([name]);
        await release([name]);
        await send(1);
        await eventually(() => got.count() === 1, `${kind} ${name}: still received after one of two holders let go`);
        await release([name]);
        await send(2);
        // A message that is still delivered arrives within a round trip; give it a few.
        await new Promise((r) => setTimeout(r, 150));
        assert.equal(got.count(), 1, `${kind} ${name}: nothing after the last holder let go`);
        got.stop();
      }
    });

    it('a traffic tap and the live flow map stopping leave a tail of the same channel and the monitor\'s pattern alone', async () => {
      const tail = received('orders');
      const monitor = received('*');
      await t.subscribe(['orders']);
      await t.psubscribe(['*']);
      const tapped: TappedMessage[] = [];
      const tap = new TrafficTap(t, { channels: ['orders'] }, (m) => tapped.push(m));
      await tap.start();
      const flows = await watchFlows(t, new FlowMiner({}));
      await t.publish('orders', '{"event_type":"a","n":1}');
      await eventually(() => tapped.length === 1 && tail.count() === 1 && monitor.count() === 1, 'the tap, the tail and the monitor got the first');
      await tap.stop();
      flows.dispose();
      await t.publish('orders', '{"event_type":"a","n":2}');
      await eventually(() => tail.count() === 2 && monitor.count() === 2, 'the tail and the monitor still get events after the tap and the flow map stopped');
      assert.equal(tapped.length, 1);
      await t.unsubscribe(['orders']);
      await t.punsubscribe(['*']);
      tail.stop();
      monitor.stop();
    });
  });
}

describe('SubscriptionCounts', () => {
  it('subscribes a name on its first holder, again after a failed attempt, and lets a second holder wait for the first', async () => {
    const counts = new SubscriptionCounts();
    const sent: string[][] = [];
    await assert.rejects(counts.holdAndRun(['a'], async () => { throw new Error('refused'); }), /refused/);
    let finish!: () => void;
    const first = counts.holdAndRun(['a', 'b'], (fresh) => { sent.push(fresh); return new Promise<void>((r) => { finish = r; }); });
    let secondDone = false;
    const second = counts.holdAndRun(['a'], async (fresh) => { sent.push(fresh); }).then(() => { secondDone = true; });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(secondDone, false, 'the second holder waits until the subscription is in place');
    finish();
    await Promise.all([first, second]);
    assert.deepEqual(sent, [['a', 'b']], 'one subscribe, after the failed one was taken back');
    assert.deepEqual(counts.release(['a']), [], 'a still has a holder');
    assert.deepEqual(counts.release(['a', 'b']), ['a', 'b']);
    assert.deepEqual(counts.release(['never']), ['never'], 'a name nobody held is let go as asked');
  });
});

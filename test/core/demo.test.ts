import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BadInputError } from '../../src/core/errors';
import { DEMO_CONSUMER, DEMO_GROUP, runDemo, type DemoOptions } from '../../src/core/domain/demo';
import type { EventEnvelope } from '../../src/core/envelope/envelope';
import { parseEvent } from '../../src/core/envelope/envelope';
import { ecommerceDashboard } from '../../src/core/projection/ecommerce-dashboard';
import { rebuildFromStore } from '../../src/core/projection/rebuild';
import { DeadLetterQueue } from '../../src/core/retry/dead-letter';
import { EventStore } from '../../src/core/store/event-store';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';
import { MessageRecorder } from '../support/message-recorder';
import { seededRandom as seeded } from '../support/seeded-random';

const CHANNELS = ['user_events', 'ecommerce_events', 'saga_events', 'events'];

for (const target of transportTargets('demo')) {
  describe(`demo flow on the ${target.name} transport`, () => {
    let transport: Transport;
    let done: () => Promise<void>;
    let run = 0;
    before(async () => ({ transport, done } = await target.make()));
    after(async () => done?.());

    /** Runs the demo fast, recording what arrives on every channel it uses. */
    async function demo(options: DemoOptions) {
      const storeKey = `demo_store_${++run}`;
      const recorder = await MessageRecorder.start(transport, CHANNELS);
      const seen: Array<{ channel: string; event: EventEnvelope }> = [];
      const dlqBefore = await new DeadLetterQueue(transport).length();
      try {
        const summary = await runDemo(transport, { ratePerSecond: 100_000, storeKey, onEvent: (channel, event) => seen.push({ channel, event }), ...options });
        await recorder.waitUntil(() => recorder.on('user_events').length + recorder.on('ecommerce_events').length >= summary.events);
        await recorder.waitUntil(() => recorder.on('events').length >= summary.events);
        return { summary, seen, recorder, storeKey, dlqAdded: (await new DeadLetterQueue(transport).length()) - dlqBefore };
      } finally {
        await recorder.stop();
      }
    }

    it('sends the guide\'s e-commerce events on their channels, stores them, and leaves the group with pending entries', async () => {
      const { summary, seen, recorder, storeKey } = await demo({ orders: 10, failureRate: 0, shipFailureRate: 0, random: seeded(1) });
      assert.equal(summary.orders, 10);
      assert.equal(summary.paid, 10);
      assert.equal(summary.shipped, 10);
      assert.equal(summary.sagas, 2, 'orders 5 and 10 run as sagas');
      assert.equal(summary.sagasCompensated, 0);
      assert.equal(summary.paymentFailures, 0);
      assert.ok(summary.users >= 1);
      assert.equal(summary.events, seen.length);

      const typesOn = (channel: string) => new Set(recorder.json(channel).map((e) => e.event_type));
      assert.deepEqual([...typesOn('ecommerce_events')].sort(), ['order_created', 'order_paid', 'order_shipped', 'payment_processed']);
      assert.ok(typesOn('user_events').has('user_registered'));
      for (const t of typesOn('user_events')) assert.ok(t === 'user_registered' || t === 'user_login', t);
      assert.equal(recorder.json('ecommerce_events').filter((e) => e.event_type === 'order_created').length, 10);

      // Every event is a complete envelope; order events carry the order entity and its saga id as correlation id.
      for (const { channel, event } of seen) {
        const parsed = parseEvent(event);
        assert.ok(parsed.ok, JSON.stringify(event));
        assert.match(event.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        if (channel === 'ecommerce_events') {
          const no = (event.data as { order_id: number }).order_id;
          assert.equal(event.entity_id, `order:${no}`);
          assert.equal(event.correlation_id, `order-${no}`);
        }
      }
      const orderCreated = seen.find((s) => s.event.event_type === 'order_created')!.event;
      const data = orderCreated.data as { items: Array<{ product_id: number; quantity: number }>; total_price: number };
      assert.ok(data.items.length >= 1 && data.total_price > 0);

      // What went over the wire is what the store holds, in the guide's format (one field `event`).
      const entries = await transport.xrange(storeKey, '-', '+');
      assert.equal(entries.length, summary.events);
      assert.deepEqual(Object.keys(entries[0].fields), ['event']);
      assert.deepEqual(entries.map((e) => JSON.parse(e.fields.event).event_id), seen.map((s) => s.event.event_id));

      const sagaEvents = recorder.json('saga_events');
      assert.equal(sagaEvents.filter((e) => e.status === 'saga_completed').length, 2);
      assert.deepEqual(sagaEvents.filter((e) => e.status === 'step_completed').map((e) => e.step).slice(0, 3), ['reserve_inventory', 'charge_payment', 'ship']);

      const [group] = await transport.xinfoGroups(storeKey);
      assert.equal(group.name, DEMO_GROUP);
      assert.ok(group.pending > 0 && group.pending <= 3, `pending ${group.pending}`);
      const [consumer] = await transport.xinfoConsumers(storeKey, DEMO_GROUP);
      assert.equal(consumer.name, DEMO_CONSUMER);
      assert.equal(consumer.pending, group.pending);
    });

    it('dead-letters every payment when failureRate is 1 and compensates the saga orders', async () => {
      const { summary, recorder, dlqAdded } = await demo({ orders: 10, failureRate: 1, random: seeded(2) });
      assert.equal(summary.orders, 10);
      assert.equal(summary.paymentFailures, 10);
      assert.equal(summary.paid, 0);
      assert.equal(summary.shipped, 0);
      assert.equal(summary.deadLettered, 10);
      assert.equal(dlqAdded, 10);
      assert.equal(summary.sagasCompensated, 2);
      const events = recorder.json('ecommerce_events');
      assert.equal(events.filter((e) => e.event_type === 'payment_failed').length, 10);
      assert.ok(!events.some((e) => e.event_type === 'order_paid' || e.event_type === 'order_shipped'));
      assert.equal(events.filter((e) => e.event_type === 'order_cancelled').length, 2);
      const [letter] = await new DeadLetterQueue(transport).list({ reverse: true, count: 1 });
      assert.equal(letter.source, 'ecommerce_events');
      assert.equal(letter.event?.event_type, 'order_created');
      assert.match(letter.error, /payment gateway timed out|card declined/);
      assert.ok(letter.attempts === 3 || letter.attempts === 1, `attempts ${letter.attempts}`);
    });

    it('compensates saga orders that fail at ship: refund, restock, cancel', async () => {
      const { summary, recorder, storeKey } = await demo({ orders: 10, failureRate: 0, shipFailureRate: 1, random: seeded(3) });
      assert.equal(summary.sagasCompensated, 2);
      assert.equal(summary.shipped, 8);
      const types = recorder.json('ecommerce_events').map((e) => e.event_type);
      assert.equal(types.filter((t) => t === 'payment_refunded').length, 2);
      assert.equal(types.filter((t) => t === 'inventory_restocked').length, 2);
      assert.equal(types.filter((t) => t === 'order_cancelled').length, 2);
      const saga = recorder.json('saga_events').filter((e) => e.saga_id === recorder.json('saga_events')[0].saga_id).map((e) => `${e.step} ${e.status}`);
      assert.deepEqual(saga, [
        'reserve_inventory step_completed', 'charge_payment step_completed', 'ship step_failed',
        'charge_payment step_compensated', 'reserve_inventory step_compensated', 'ship saga_compensated',
      ]);
      // The dashboard rebuilt from the store agrees with the summary.
      const dash = await rebuildFromStore(new EventStore(transport, { streamKey: storeKey }), ecommerceDashboard());
      assert.equal(dash.total_orders, 10);
      assert.deepEqual(dash.orders_by_status, { pending: 0, paid: 0, shipped: 8, cancelled: 2 });
    });

    it('runs until aborted at its rate and stops within 500 ms', async () => {
      const controller = new AbortController();
      let events = 0;
      const running = runDemo(transport, { ratePerSecond: 20, signal: controller.signal, storeKey: 'demo_abort', onEvent: () => events++ });
      await new Promise((r) => setTimeout(r, 600));
      const abortedAt = Date.now();
      controller.abort();
      const summary = await running;
      const stoppedIn = Date.now() - abortedAt;
      assert.ok(stoppedIn < 500, `stopped in ${stoppedIn} ms`);
      assert.equal(summary.events, events);
      // 20/s for 0.6 s: the first event at once, then one every 50 ms.
      assert.ok(summary.events >= 8 && summary.events <= 14, `${summary.events} events in 600 ms at 20/s`);
      assert.equal(await transport.xlen('demo_abort'), summary.events);
    });

    it('stops promptly when aborted during a payment retry or a saga', async () => {
      const controller = new AbortController();
      const running = runDemo(transport, { ratePerSecond: 100_000, failureRate: 1, sagaEvery: 1, signal: controller.signal, storeKey: 'demo_abort_retry', random: seeded(4) });
      await new Promise((r) => setTimeout(r, 120));
      const abortedAt = Date.now();
      controller.abort();
      const summary = await running;
      const stoppedIn = Date.now() - abortedAt;
      assert.ok(stoppedIn < 500, `stopped in ${stoppedIn} ms`);
      assert.ok(summary.orders >= 1);
    });

    it('rejects nonsensical options', async () => {
      for (const o of [{ orders: -1 }, { orders: 1.5 }, { ratePerSecond: 0 }, { failureRate: 2 }, { shipFailureRate: -0.1 }, { sagaEvery: -1 }]) {
        await assert.rejects(runDemo(transport, o), BadInputError, JSON.stringify(o));
      }
    });
  });
}

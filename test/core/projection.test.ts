import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AbortedError } from '../../src/core/errors';
import { ecommerceDashboard } from '../../src/core/projection/ecommerce-dashboard';
import { Projection } from '../../src/core/projection/projection';
import { rebuildFromStore } from '../../src/core/projection/rebuild';
import { EventStore } from '../../src/core/store/event-store';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';

/** The guide's quick-start events, exactly as its EventPublisher publishes them (total_price at the top level). */
const guideQuickStart = [
  { event_type: 'user_registration', user_id: 12345, email: 'user@example.com', timestamp: '2025-09-12T10:30:00Z' },
  { event_type: 'order_created', order_id: 789, user_id: 12345, total_price: 99.99, timestamp: '2025-09-12T10:35:00Z' },
  { event_type: 'payment_processed', order_id: 789, amount: 99.99, payment_method: 'credit_card', timestamp: '2025-09-12T10:36:00Z' },
];

const created = (id: number | string, price: number | string) => ({ event_type: 'order_created', entity_id: `order:${id}`, data: { order_id: id, items: [], total_price: price } });
const moved = (type: string, id: number | string) => ({ event_type: type, entity_id: `order:${id}`, data: { order_id: id } });

describe('ecommerceDashboard', () => {
  it('counts the guide\'s quick-start events (top-level total_price)', () => {
    const dash = ecommerceDashboard();
    assert.equal(dash.applyAll(guideQuickStart), 3);
    assert.deepEqual(dash.state, { total_orders: 1, total_revenue: 99.99, active_users: 0, orders_by_status: { pending: 1 } });
    assert.equal(dash.version, 3);
  });

  it('moves each order from the status it has, in cents, ignoring duplicates', () => {
    const dash = ecommerceDashboard();
    dash.applyAll([
      created(1, 0.1), created(2, 0.2), created(3, 10.05),
      { event_type: 'user_registered', user_id: 7, data: { email: 'a@example.com' } },
      { event_type: 'user_login', user_id: 7 }, { event_type: 'user_login', data: { user_id: 'u-8' } },
      moved('order_paid', 1), moved('order_shipped', 1), moved('order_delivered', 1),
      moved('order_paid', 2), moved('order_paid', 2), // at-least-once delivery: the same event twice
      created(1, 0.1), // the same order_created again
      { event_type: 'order_cancelled', entity_id: 'order:3' }, // only the entity id names the order
    ]);
    assert.deepEqual(dash.state, {
      total_orders: 3,
      total_revenue: 10.35, // 0.1 + 0.2 + 10.05 in floating point would be 10.350000000000001
      active_users: 2,
      orders_by_status: { pending: 0, paid: 1, shipped: 0, delivered: 1, cancelled: 1 },
    });
  });

  it('counts an order first seen paid in `paid` (not by decrementing pending, as the guide did)', () => {
    const dash = ecommerceDashboard();
    dash.applyAll([created(1, 5), moved('order_paid', 99), moved('order_shipped', 99)]);
    assert.deepEqual(dash.state.orders_by_status, { pending: 1, paid: 0, shipped: 1 });
    dash.apply(created(99, 20)); // its order_created arrives late: counted, status kept
    assert.deepEqual(dash.state, { total_orders: 2, total_revenue: 25, active_users: 0, orders_by_status: { pending: 1, paid: 0, shipped: 1 } });
  });

  it('never throws on hostile events and ignores what it cannot use', () => {
    const dash = ecommerceDashboard();
    const hostile: unknown[] = [
      null, undefined, 'order_created', 42, [], [created(1, 1)],
      { event_type: 5 }, { event_type: 'order_created', data: [] }, { event_type: 'order_created', data: { total_price: 'abc' } },
      { event_type: 'order_created', data: { order_id: '__proto__', total_price: 1e308 } },
      { event_type: 'order_paid', data: { order_id: { nested: true } } }, { event_type: 'order_paid', data: null },
      { event_type: 'user_login', user_id: 'x'.repeat(100_000) }, { event_type: 'order_created', data: { total_price: -5 } },
      JSON.parse('{"event_type":"order_paid","data":{"order_id":"constructor"},"__proto__":{"polluted":true}}'),
    ];
    for (const e of hostile) dash.apply(e);
    assert.deepEqual(dash.state, { total_orders: 4, total_revenue: 0, active_users: 0, orders_by_status: { pending: 4, paid: 1 } });
    assert.equal(dash.version, 9, 'only JSON objects are applied');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('remembers a bounded number of orders and users', () => {
    const dash = ecommerceDashboard({ maxTrackedOrders: 2, maxTrackedUsers: 3 });
    dash.applyAll([created(1, 1), created(2, 1), created(3, 1), moved('order_paid', 1)]);
    // Order 1 was forgotten when order 3 came: its payment cannot take it out of pending any more.
    assert.deepEqual(dash.state.orders_by_status, { pending: 3, paid: 1 });
    for (let u = 0; u < 10; u++) dash.apply({ event_type: 'user_login', user_id: u });
    assert.equal(dash.state.active_users, 3);
  });

  it('resets to the initial state', () => {
    const dash = ecommerceDashboard();
    dash.applyAll([created(1, 3), moved('order_paid', 1)]);
    dash.reset();
    assert.deepEqual(dash.state, { total_orders: 0, total_revenue: 0, active_users: 0, orders_by_status: {} });
    assert.equal(dash.version, 0);
    dash.apply(moved('order_paid', 1));
    assert.deepEqual(dash.state.orders_by_status, { paid: 1 }, 'per-order memory was reset too');
  });
});

describe('Projection', () => {
  const counter = () => new Projection<{ n: number; types: string[] }>('counter', () => ({ n: 0, types: [] }), (s, e) => ({ n: s.n + 1, types: [...s.types, String(e.event_type)] }));

  it('folds with a reducer that returns the next state', () => {
    const p = counter();
    p.applyAll([{ event_type: 'a' }, { event_type: 'b' }]);
    assert.deepEqual(p.state, { n: 2, types: ['a', 'b'] });
    assert.equal(p.version, 2);
  });

  it('rebuilds from sync and async pages, skipping unreadable entries', async () => {
    const p = counter();
    p.apply({ event_type: 'old' });
    const pages = [[{ event: { event_type: 'a' } }, { event: {}, error: 'not JSON' }], [{ event: { event_type: 'b' } }]];
    assert.deepEqual(await p.rebuild(pages), { n: 2, types: ['a', 'b'] });
    assert.equal(p.version, 2);
    async function* asyncPages() { for (const page of pages) yield page; }
    assert.deepEqual(await p.rebuild(asyncPages()), { n: 2, types: ['a', 'b'] });
  });

  it('keeps the old state when a rebuild fails or is cancelled', async () => {
    const p = counter();
    p.apply({ event_type: 'kept' });
    async function* failing() { yield [{ event: { event_type: 'a' } }]; throw new Error('store went away'); }
    await assert.rejects(p.rebuild(failing()), /store went away/);
    assert.deepEqual(p.state, { n: 1, types: ['kept'] });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(p.rebuild([[{ event: { event_type: 'a' } }]], { signal: controller.signal }), AbortedError);
    assert.equal(p.version, 1);
  });
});

for (const target of transportTargets('projection')) {
  describe(`rebuilding the dashboard from the event store on the ${target.name} transport`, () => {
    let transport: Transport;
    let done: () => Promise<void>;
    before(async () => ({ transport, done } = await target.make()));
    after(async () => done?.());

    it('replays the store page by page into the same numbers as live application', async () => {
      const store = new EventStore(transport, { publishChannel: null });
      const events = [
        ...guideQuickStart, created(1, 12.5), created(2, 7.25), moved('order_paid', 1), moved('order_shipped', 1),
        { event_type: 'user_registered', user_id: 1 }, moved('order_cancelled', 2),
      ];
      await store.appendBatch(events);
      await transport.xadd('event_store', { event: '{"event_type":"order_created", not json' });
      await transport.xadd('event_store', { something: 'else' });
      const live = ecommerceDashboard();
      live.applyAll(events);
      const rebuilt = ecommerceDashboard();
      const state = await rebuildFromStore(store, rebuilt, { pageSize: 2 });
      assert.deepEqual(state, { total_orders: 3, total_revenue: 119.74, active_users: 1, orders_by_status: { pending: 1, paid: 0, shipped: 1, cancelled: 1 } });
      assert.deepEqual(rebuilt.state, live.state);
      assert.equal(rebuilt.version, events.length);

      const onlyOrder1 = await rebuildFromStore(store, ecommerceDashboard(), { entity: 'order:1' });
      assert.deepEqual(onlyOrder1, { total_orders: 1, total_revenue: 12.5, active_users: 0, orders_by_status: { pending: 0, paid: 0, shipped: 1 } });
    });
  });
}

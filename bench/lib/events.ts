// The events every case sends: the guide's e-commerce events as complete envelopes (≈ 270 bytes of JSON), built in
// the measured loop on both sides, as an app would build them.
import { createEvent, type EventEnvelope } from '../../src/core/envelope/envelope';

export const TYPES = ['order_created', 'order_paid', 'order_shipped', 'order_delivered', 'payment_processed', 'inventory_low', 'user_login'];
export const CHANNELS = ['ecommerce_events', 'user_events', 'orders', 'events', 'payments', 'inventory', 'shipping', 'audit'];

/** Event `i` of a run; `entities` distinct entity ids (`order-0`…), `salt` keeps runs apart (dedup keys). */
export function benchEvent(i: number, entities = 1000, salt = 0): EventEnvelope {
  const order = i % entities;
  return createEvent({
    event_type: TYPES[i % TYPES.length],
    entity_id: `order-${order}`,
    user_id: `user-${(i * 7) % 5000}`,
    // `seq` makes every event of a run distinct, and the salt every run's (dedup fingerprints).
    data: { order_id: order, items: [{ product_id: 1000 + (i % 97), quantity: 1 + (i % 3) }], total_price: 10 + (i % 9000) / 100, seq: salt * 10_000_000 + i },
  });
}

export function channelOf(i: number): string {
  return CHANNELS[i % CHANNELS.length];
}

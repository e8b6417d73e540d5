// The guide's e-commerce events: their schemas (with the guide's order_created 1.0 → 1.1 migration, which adds
// tax_amount = 10 % of total) and the channel each goes to.
import * as z from 'zod/mini';
import { useZodMessages } from '../envelope/zod-messages';
import { SchemaRegistry } from '../envelope/registry';

export const ECOMMERCE_CHANNEL = 'ecommerce_events';
export const USER_CHANNEL = 'user_events';

export const EventTypes = {
  USER_REGISTERED: 'user_registered',
  USER_PROFILE_UPDATED: 'user_profile_updated',
  USER_LOGIN: 'user_login',
  ORDER_CREATED: 'order_created',
  ORDER_PAID: 'order_paid',
  ORDER_SHIPPED: 'order_shipped',
  ORDER_DELIVERED: 'order_delivered',
  ORDER_CANCELLED: 'order_cancelled',
  INVENTORY_LOW: 'inventory_low',
  INVENTORY_RESTOCKED: 'inventory_restocked',
  PAYMENT_PROCESSED: 'payment_processed',
  PAYMENT_FAILED: 'payment_failed',
  PAYMENT_REFUNDED: 'payment_refunded',
} as const;

export function ecommerceRegistry(): SchemaRegistry {
  useZodMessages();
  const id = z.union([z.string(), z.number()]);
  const amount = () => z.number().check(z.nonnegative());
  const item = z.object({ product_id: id, quantity: z.number().check(z.int(), z.positive()) });
  const orderRef = z.looseObject({ order_id: id });
  const r = new SchemaRegistry();
  r.register(EventTypes.USER_REGISTERED, {
    version: '1.0', data: z.looseObject({ email: z.email() }), example: { email: 'user@example.com' },
  });
  r.register(EventTypes.USER_PROFILE_UPDATED, { version: '1.0', data: z.looseObject({}), example: { name: 'Ada' } });
  r.register(EventTypes.USER_LOGIN, { version: '1.0', data: z.looseObject({}), example: {} });
  r.register(EventTypes.ORDER_CREATED, {
    version: '1.0',
    data: z.looseObject({ order_id: id, items: z.array(item), total_price: amount() }),
    example: { order_id: 789, items: [{ product_id: 456, quantity: 2 }], total_price: 99.99 },
  });
  r.register(EventTypes.ORDER_CREATED, {
    version: '1.1',
    data: z.looseObject({ order_id: id, items: z.array(item), total_price: amount(), tax_amount: amount() }),
    example: { order_id: 789, items: [{ product_id: 456, quantity: 2 }], total_price: 99.99, tax_amount: 10 },
    migrate: (e) => {
      const data = { ...e.data };
      if (typeof data.tax_amount !== 'number') data.tax_amount = Math.round(Number(data.total_price ?? 0) * 0.1 * 100) / 100;
      return { ...e, data };
    },
  });
  for (const t of [EventTypes.ORDER_PAID, EventTypes.ORDER_SHIPPED, EventTypes.ORDER_DELIVERED, EventTypes.ORDER_CANCELLED]) {
    r.register(t, { version: '1.0', data: orderRef, example: { order_id: 789 } });
  }
  r.register(EventTypes.PAYMENT_PROCESSED, {
    version: '1.0', data: z.looseObject({ order_id: id, amount: amount(), payment_method: z.string() }),
    example: { order_id: 789, amount: 99.99, payment_method: 'credit_card' },
  });
  r.register(EventTypes.PAYMENT_FAILED, {
    version: '1.0', data: z.looseObject({ order_id: id, reason: z.string() }), example: { order_id: 789, reason: 'card declined' },
  });
  r.register(EventTypes.PAYMENT_REFUNDED, {
    version: '1.0', data: z.looseObject({ order_id: id, amount: amount() }), example: { order_id: 789, amount: 99.99 },
  });
  r.register(EventTypes.INVENTORY_LOW, { version: '1.0', data: z.looseObject({ sku: z.string(), remaining: z.number() }), example: { sku: 'sku-1', remaining: 3 } });
  r.register(EventTypes.INVENTORY_RESTOCKED, { version: '1.0', data: z.looseObject({ sku: z.string(), quantity: z.number() }), example: { sku: 'sku-1', quantity: 50 } });
  return r;
}

// The guide's RealtimeDashboard as a projection, with its bugs fixed: an order moves from the status it actually has
// (the guide always decremented `pending`, so a shipped order left `paid` too high and `pending` negative), duplicate
// deliveries are not counted twice, revenue is summed in cents (no 0.1 + 0.2 drift), and the per-order and per-user
// memory is bounded.
import type { EventLike } from '../envelope/envelope';
import { BoundedRecencyMap } from './bounded-recency-map';
import { Projection } from './projection';

export interface DashboardState {
  total_orders: number;
  total_revenue: number;
  active_users: number;
  orders_by_status: Record<string, number>;
}

export interface DashboardOptions {
  /** Orders whose status is remembered; the oldest are forgotten first. @default 100000 */
  maxTrackedOrders?: number;
  /** User ids counted as active; the oldest are forgotten first. @default 100000 */
  maxTrackedUsers?: number;
}

interface TrackedOrder {
  status: string;
  /** False when we saw a later event of the order before (or without) its order_created. */
  created: boolean;
}

/** What the dashboard remembers besides the numbers it shows; kept out of the state so the state stays plain JSON. */
interface Memory {
  orders: BoundedRecencyMap<string, TrackedOrder>;
  users: BoundedRecencyMap<string, true>;
  revenueCents: number;
}

const STATUS_BY_EVENT: Readonly<Record<string, string>> = Object.freeze(Object.assign(Object.create(null), {
  order_paid: 'paid',
  order_shipped: 'shipped',
  order_delivered: 'delivered',
  order_cancelled: 'cancelled',
}));
const MAX_ID_CHARS = 256;

export function ecommerceDashboard(options: DashboardOptions = {}): Projection<DashboardState> {
  const memories = new WeakMap<DashboardState, Memory>();
  const initial = (): DashboardState => {
    const state: DashboardState = { total_orders: 0, total_revenue: 0, active_users: 0, orders_by_status: {} };
    memories.set(state, {
      orders: new BoundedRecencyMap(options.maxTrackedOrders ?? 100_000),
      users: new BoundedRecencyMap(options.maxTrackedUsers ?? 100_000),
      revenueCents: 0,
    });
    return state;
  };
  const reducer = (state: DashboardState, event: EventLike): void => {
    const memory = memories.get(state);
    if (memory) reduceDashboard(state, memory, event);
  };
  return new Projection('ecommerce-dashboard', initial, reducer);
}

function reduceDashboard(state: DashboardState, memory: Memory, event: EventLike): void {
  const type = event.event_type;
  if (typeof type !== 'string') return;
  if (type === 'order_created') return orderCreated(state, memory, event);
  const status = STATUS_BY_EVENT[type];
  if (status) return orderMoved(state, memory, event, status);
  if (type === 'user_registered' || type === 'user_login') {
    const user = idText(event.user_id ?? dataOf(event)?.user_id);
    if (user !== null) {
      memory.users.set(user, true);
      state.active_users = memory.users.size;
    }
  }
}

function orderCreated(state: DashboardState, memory: Memory, event: EventLike): void {
  const orderId = orderIdOf(event);
  const known = orderId === null ? undefined : memory.orders.get(orderId);
  if (known?.created) return; // the same order delivered again: at-least-once delivery, not a new order
  state.total_orders++;
  const cents = priceInCents(dataOf(event)?.total_price ?? event.total_price);
  if (cents !== null && Number.isSafeInteger(memory.revenueCents + cents)) {
    memory.revenueCents += cents;
    state.total_revenue = memory.revenueCents / 100;
  }
  if (known) {
    // A later event arrived first; the order keeps the status it has.
    known.created = true;
    return;
  }
  bump(state.orders_by_status, 'pending', 1);
  if (orderId !== null) memory.orders.set(orderId, { status: 'pending', created: true });
}

function orderMoved(state: DashboardState, memory: Memory, event: EventLike, next: string): void {
  const orderId = orderIdOf(event);
  if (orderId === null) return; // cannot tell which order moved
  const known = memory.orders.get(orderId);
  if (known?.status === next) return; // a duplicate
  if (known) {
    bump(state.orders_by_status, known.status, -1);
    known.status = next;
    memory.orders.set(orderId, known);
  } else {
    // Created before we started counting (or forgotten): it is in `next` now, which is all we know.
    memory.orders.set(orderId, { status: next, created: false });
  }
  bump(state.orders_by_status, next, 1);
}

function bump(counts: Record<string, number>, status: string, by: number): void {
  counts[status] = Math.max(0, (counts[status] ?? 0) + by);
}

function dataOf(event: EventLike): Record<string, unknown> | undefined {
  const d = event.data;
  return typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as Record<string, unknown>) : undefined;
}

/** data.order_id, else top-level order_id (the guide's quick-start), else an entity id of the form `order:<id>`. */
function orderIdOf(event: EventLike): string | null {
  const id = idText(dataOf(event)?.order_id ?? event.order_id);
  if (id !== null) return id;
  const entity = event.entity_id;
  if (typeof entity === 'string' && entity.startsWith('order:')) return idText(entity.slice('order:'.length));
  return null;
}

function idText(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_CHARS) return v;
  return null;
}

/** A price as whole cents; null for anything that is not a finite, non-negative amount. */
function priceInCents(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}(\.\d{1,9})?$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) return null;
  const cents = Math.round(n * 100);
  return Number.isSafeInteger(cents) ? cents : null;
}

// The guide's realtime dashboard (orders, revenue, orders by status, active users) for the panel: the core's
// e-commerce projection fed from the monitor's tap, which hands over the payload it has already parsed, so the
// dashboard costs nothing for traffic that is not e-commerce and no second JSON.parse for traffic that is.
//
// Active users are counted here rather than by the projection: it re-inserts the user's id into its recency map on
// every login, and at 20k logins/s that churn alone promoted ~1 MB/s of garbage to the old generation of the
// extension host (measured: full GCs, and their pauses, came with it). Here a login of a known user only bumps a
// number in place.
import {
  type EventMonitor,
  EventTypes,
  ecommerceDashboard,
  type DashboardState,
  type Projection,
} from '../../core/index';
import { clip, MAX_NAME_CHARS, MAX_STATUSES } from '../../shared/monitorLimits';
import type { DashboardView } from '../../shared/monitorProtocol';

export const DASHBOARD_TYPES: readonly string[] = [
  EventTypes.ORDER_CREATED, EventTypes.ORDER_PAID, EventTypes.ORDER_SHIPPED, EventTypes.ORDER_DELIVERED,
  EventTypes.ORDER_CANCELLED, EventTypes.USER_REGISTERED, EventTypes.USER_LOGIN,
];

const USER_TYPES = new Set<string>([EventTypes.USER_REGISTERED, EventTypes.USER_LOGIN]);
const MAX_USERS = 50_000;
const MAX_ID_CHARS = 256;

/** Users seen, each with the tick it was last seen at; the least recently seen go first when full. */
class ActiveUsers {
  private readonly lastSeen = new Map<string, { at: number }>();
  private tick = 0;

  get size(): number {
    return this.lastSeen.size;
  }

  touch(id: string): void {
    const t = ++this.tick;
    const known = this.lastSeen.get(id);
    if (known) {
      known.at = t;
      return;
    }
    this.lastSeen.set(id, { at: t });
    if (this.lastSeen.size > MAX_USERS) this.evict();
  }

  clear(): void {
    this.lastSeen.clear();
  }

  /** Drops the least recently seen tenth in one pass: rare, and O(n) only then. */
  private evict(): void {
    const ticks = [...this.lastSeen.values()].map((v) => v.at).sort((a, b) => a - b);
    const cutoff = ticks[Math.floor(ticks.length / 10)]!;
    for (const [id, v] of this.lastSeen) if (v.at <= cutoff) this.lastSeen.delete(id);
  }
}

/** The user an event names: `user_id`, else `data.user_id` (as the projection reads it). */
function userOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const e = value as { user_id?: unknown; data?: unknown };
  const data = typeof e.data === 'object' && e.data !== null ? (e.data as { user_id?: unknown }) : undefined;
  const v = e.user_id ?? data?.user_id;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_CHARS) return v;
  return null;
}

export class LiveDashboard {
  private projection: Projection<DashboardState> = ecommerceDashboard({ maxTrackedOrders: 50_000, maxTrackedUsers: 1 });
  private readonly users = new ActiveUsers();
  private userEvents = 0;

  /** Feeds the dashboard from `monitor`'s e-commerce events until disposed. */
  attach(monitor: EventMonitor): { dispose(): void } {
    return monitor.tap(DASHBOARD_TYPES, (_channel, type, value) => {
      if (value === undefined) return;
      if (USER_TYPES.has(type)) {
        const user = userOf(value);
        if (user !== null) this.users.touch(user);
        this.userEvents++;
      } else {
        this.projection.apply(value);
      }
    });
  }

  view(): DashboardView | null {
    const events = this.projection.version + this.userEvents;
    if (events === 0) return null;
    const s = this.projection.state;
    const byStatus = Object.entries(s.orders_by_status)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_STATUSES)
      .map(([k, n]): [string, number] => [clip(k, MAX_NAME_CHARS), n]);
    return { events, orders: s.total_orders, revenue: s.total_revenue, activeUsers: this.users.size, byStatus };
  }

  clear(): void {
    this.projection.reset();
    this.users.clear();
    this.userEvents = 0;
  }
}

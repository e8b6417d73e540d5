// The guide's realtime dashboard (orders, revenue, orders by status, active users) for the panel: the core's
// e-commerce projection fed from the monitor's tap, which hands over the payload it has already parsed, so the
// dashboard costs nothing for traffic that is not e-commerce and no second JSON.parse for traffic that is.
import type { EventMonitor } from '../../core/monitor';
import { EventTypes } from '../../core/domain/ecommerce';
import { ecommerceDashboard, type DashboardState } from '../../core/projection/ecommerce-dashboard';
import type { Projection } from '../../core/projection/projection';
import { clip, MAX_NAME_CHARS, MAX_STATUSES, type DashboardView } from '../../shared/monitorProtocol';

export const DASHBOARD_TYPES: readonly string[] = [
  EventTypes.ORDER_CREATED, EventTypes.ORDER_PAID, EventTypes.ORDER_SHIPPED, EventTypes.ORDER_DELIVERED,
  EventTypes.ORDER_CANCELLED, EventTypes.USER_REGISTERED, EventTypes.USER_LOGIN,
];

export class LiveDashboard {
  private projection: Projection<DashboardState> = ecommerceDashboard({ maxTrackedOrders: 50_000, maxTrackedUsers: 50_000 });

  /** Feeds the dashboard from `monitor`'s e-commerce events until disposed. */
  attach(monitor: EventMonitor): { dispose(): void } {
    return monitor.tap(DASHBOARD_TYPES, (_channel, _type, value) => {
      if (value !== undefined) this.projection.apply(value);
    });
  }

  view(): DashboardView | null {
    if (this.projection.version === 0) return null;
    const s = this.projection.state;
    const byStatus = Object.entries(s.orders_by_status)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_STATUSES)
      .map(([k, n]): [string, number] => [clip(k, MAX_NAME_CHARS), n]);
    return { events: this.projection.version, orders: s.total_orders, revenue: s.total_revenue, activeUsers: s.active_users, byStatus };
  }

  clear(): void {
    this.projection.reset();
  }
}

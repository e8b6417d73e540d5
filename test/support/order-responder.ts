// A small service as another app would write it (plain ioredis, raw JSON text, no UCore code): it subscribes to
// `orders`, and for each order_created whose data.total_price (or data.total) is not negative publishes order_paid
// for the same entity on `payments` after a delay. `broken: true` pays the wrong amount (a regression to catch).
// Used by the core's and the extension host's scenario tests (the CLI's use the Python one in order_service.py).
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';

export interface OrderResponder {
  /** Change its behaviour while it runs. */
  broken: boolean;
  stop(): Promise<void>;
}

export async function startOrderResponder(url: string, opts: { in?: string; out?: string; delayMs?: number } = {}): Promise<OrderResponder> {
  const sub = new Redis(url, { maxRetriesPerRequest: 1 });
  const pub = new Redis(url, { maxRetriesPerRequest: 1 });
  sub.on('error', () => undefined);
  pub.on('error', () => undefined);
  const timers = new Set<NodeJS.Timeout>();
  const responder: OrderResponder = {
    broken: false,
    async stop() {
      for (const t of timers) clearTimeout(t);
      sub.disconnect();
      pub.disconnect();
    },
  };
  sub.on('message', (_channel: string, text: string) => {
    let event: any;
    try {
      event = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null || event.event_type !== 'order_created') return;
    const total = event.data?.total_price ?? event.data?.total;
    if (typeof total === 'number' && total < 0) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const paid = {
        event_id: randomUUID(),
        event_type: 'order_paid',
        timestamp: new Date().toISOString(),
        entity_id: event.entity_id,
        data: { order_id: event.data?.order_id ?? null, amount: responder.broken ? Number(total) + 1 : total, currency: 'EUR' },
      };
      void pub.publish(opts.out ?? 'payments', JSON.stringify(paid)).catch(() => undefined);
    }, opts.delayMs ?? 150);
    timers.add(timer);
  });
  await sub.subscribe(opts.in ?? 'orders');
  return responder;
}

// The guide's e-commerce flow run through the core, as demo traffic for `ucore demo` and the extension's "Start Demo
// Traffic": users register and log in, orders are created and paid (some payments fail: retried with backoff, then
// dead-lettered), paid orders ship, and every Nth order runs as a saga (reserve inventory → charge payment → ship)
// that sometimes fails at shipping and is compensated. Every event is stored in `event_store` and published on its
// channel; a consumer group `demo-fulfilment` reads the store and leaves a few entries pending, so the explorer has
// a group, a consumer and pending entries to show.
import { createEvent, type EventEnvelope, type NewEvent } from '../envelope/envelope';
import { AbortedError, BadInputError } from '../errors';
import { type Logger, silentLogger } from '../logger';
import { PermanentError, RetryableError } from '../retry/classify';
import { DeadLetterQueue } from '../retry/dead-letter';
import { processWithRetry } from '../retry/process';
import type { RetryPolicy } from '../retry/policy';
import { Saga } from '../saga/saga';
import { type EntryRef, EventStore } from '../store/event-store';
import type { EventTarget } from '../target';
import type { Transport } from '../transport/types';
import { Pacer } from './demo-pacer';
import { ECOMMERCE_CHANNEL, EventTypes, USER_CHANNEL } from './ecommerce';

export interface DemoOptions {
  /** Orders to create; undefined: run until aborted. */
  orders?: number;
  /** Events per second over all channels. @default 20 */
  ratePerSecond?: number;
  signal?: AbortSignal;
  /** Share of payments that fail for good (after retries). @default 0.2 */
  failureRate?: number;
  /** Every how many orders one runs as a saga; 0: none. @default 5 */
  sagaEvery?: number;
  /** Share of saga orders that fail at `ship` and are compensated. @default 0.3 */
  shipFailureRate?: number;
  /** @default 'event_store' */
  storeKey?: string;
  /** Called for every event after it was stored and published. */
  onEvent?: (channel: string, event: EventEnvelope) => void;
  /**
   * Called before each event is written, once per target (the store's stream, then the event's channel); a throw
   * stops the demo with that error. The extension's Publisher hands in its checks here, so demo traffic passes the
   * same checks as every other event leaving the editor.
   */
  beforeSend?: (target: EventTarget, event: EventEnvelope) => void | Promise<void>;
  /** Source of every random choice (seed it for reproducible runs). @default Math.random */
  random?: () => number;
  logger?: Logger;
}

export interface DemoSummary {
  users: number;
  orders: number;
  paid: number;
  shipped: number;
  paymentFailures: number;
  deadLettered: number;
  sagas: number;
  sagasCompensated: number;
  /** Envelope events stored and published (saga events on `saga_events` not included). */
  events: number;
}

export const DEMO_GROUP = 'demo-fulfilment';
export const DEMO_CONSUMER = 'worker-1';
/** Counters in Redis keep order and user ids unique across runs, so a second run does not resume the first run's sagas. */
export const DEMO_ORDER_SEQ_KEY = 'demo:order_seq';
export const DEMO_USER_SEQ_KEY = 'demo:user_seq';

/** Small, so a failing payment shows its retries within a fraction of a second. */
const DEMO_RETRY_POLICY: Partial<RetryPolicy> = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 400, jitter: 'full' };
const NEW_USER_RATE = 0.3;
const LOGIN_RATE = 0.3;
/** Share of successful payments that fail once first, to show a retry that works. */
const TRANSIENT_FAILURE_RATE = 0.2;
const FULFILMENT_EVERY_ORDERS = 5;
const FULFILMENT_READ = 50;
const LEAVE_PENDING = 3;
const REMEMBERED_USERS = 1000;
/** A demo left running makes a saga every few seconds; its checkpoints need not outlive the day. */
const DEMO_SAGA_TTL_SECONDS = 24 * 3600;

type PaymentPlan = 'succeeds' | 'succeeds-on-retry' | 'times-out' | 'declined';

interface Order {
  no: number;
  userId: number;
  sagaId: string;
  totalPrice: number;
  sku: string;
  quantity: number;
}

export async function runDemo(transport: Transport, options: DemoOptions = {}): Promise<DemoSummary> {
  return new DemoRun(transport, options).run();
}

class DemoRun {
  private readonly summary: DemoSummary = {
    users: 0, orders: 0, paid: 0, shipped: 0, paymentFailures: 0, deadLettered: 0, sagas: 0, sagasCompensated: 0, events: 0,
  };
  private readonly store: EventStore;
  private readonly deadLetter: DeadLetterQueue;
  private readonly pacer: Pacer;
  private readonly random: () => number;
  private readonly signal: AbortSignal | undefined;
  private readonly log: Logger;
  /** A bounded ring of this run's user ids, for returning customers. */
  private readonly users: number[] = [];
  private leftPending: EntryRef[] = [];

  constructor(private readonly transport: Transport, private readonly options: DemoOptions) {
    checkOptions(options);
    this.store = new EventStore(transport, { streamKey: options.storeKey ?? 'event_store' });
    this.deadLetter = new DeadLetterQueue(transport);
    this.pacer = new Pacer(options.ratePerSecond ?? 20);
    this.random = options.random ?? Math.random;
    this.signal = options.signal;
    this.log = options.logger ?? silentLogger;
  }

  async run(): Promise<DemoSummary> {
    const total = this.options.orders ?? Number.POSITIVE_INFINITY;
    try {
      await this.store.createGroup(DEMO_GROUP, '$');
      for (let n = 1; n <= total; n++) {
        await this.order(n);
        if (n % FULFILMENT_EVERY_ORDERS === 0) await this.fulfilmentTick();
      }
      await this.fulfilmentTick();
    } catch (e) {
      if (!(e instanceof AbortedError)) throw e;
      this.log.info('demo stopped');
    }
    return { ...this.summary };
  }

  private async order(n: number): Promise<void> {
    const userId = await this.customer();
    const no = await this.transport.incr(DEMO_ORDER_SEQ_KEY);
    const items = this.items();
    const order: Order = {
      no, userId, sagaId: `order-${no}`,
      totalPrice: items.reduce((sum, i) => sum + i.cents * i.quantity, 0) / 100,
      sku: `sku-${items[0].product_id}`, quantity: items[0].quantity,
    };
    const created = await this.emit(ECOMMERCE_CHANNEL, order, {
      event_type: EventTypes.ORDER_CREATED,
      data: { order_id: no, items: items.map(({ product_id, quantity }) => ({ product_id, quantity })), total_price: order.totalPrice },
    });
    this.summary.orders++;
    const sagaEvery = this.options.sagaEvery ?? 5;
    if (sagaEvery > 0 && n % sagaEvery === 0) {
      await this.orderSaga(order, created);
      return;
    }
    const paid = await this.pay(order, created);
    if (paid) await this.ship(order, paid);
  }

  /** A new user now and then (always for the first order); otherwise a returning one who sometimes logs in. */
  private async customer(): Promise<number> {
    if (this.users.length === 0 || this.random() < NEW_USER_RATE) {
      const id = await this.transport.incr(DEMO_USER_SEQ_KEY);
      if (this.users.length >= REMEMBERED_USERS) this.users.shift();
      this.users.push(id);
      await this.emitUser(id, EventTypes.USER_REGISTERED, { email: `user${id}@example.com` });
      this.summary.users++;
      return id;
    }
    const id = this.users[Math.floor(this.random() * this.users.length)] ?? this.users[0];
    if (this.random() < LOGIN_RATE) await this.emitUser(id, EventTypes.USER_LOGIN, {});
    return id;
  }

  /** Payment with retries; a payment that fails for good becomes `payment_failed` plus a dead letter. Null then. */
  private async pay(order: Order, cause: EventEnvelope): Promise<EventEnvelope | null> {
    const plan = this.paymentPlan();
    const outcome = await processWithRetry(cause, async (_event, attempt) => chargeCard(plan, attempt), {
      policy: DEMO_RETRY_POLICY, signal: this.signal, deadLetter: this.deadLetter, source: ECOMMERCE_CHANNEL, random: this.random,
    });
    if (!outcome.ok) {
      this.summary.paymentFailures++;
      if (outcome.deadLettered) this.summary.deadLettered++;
      await this.emit(ECOMMERCE_CHANNEL, order, {
        event_type: EventTypes.PAYMENT_FAILED, causation_id: cause.event_id,
        data: { order_id: order.no, reason: outcome.error ?? 'payment failed', attempts: outcome.attempts },
      });
      return null;
    }
    const processed = await this.emit(ECOMMERCE_CHANNEL, order, {
      event_type: EventTypes.PAYMENT_PROCESSED, causation_id: cause.event_id,
      data: { order_id: order.no, amount: order.totalPrice, payment_method: 'credit_card', attempts: outcome.attempts },
    });
    const paid = await this.emit(ECOMMERCE_CHANNEL, order, {
      event_type: EventTypes.ORDER_PAID, causation_id: processed.event_id, data: { order_id: order.no },
    });
    this.summary.paid++;
    return paid;
  }

  private async ship(order: Order, cause: EventEnvelope): Promise<void> {
    await this.emit(ECOMMERCE_CHANNEL, order, {
      event_type: EventTypes.ORDER_SHIPPED, causation_id: cause.event_id, data: { order_id: order.no, carrier: 'demo-post' },
    });
    this.summary.shipped++;
  }

  private async orderSaga(order: Order, created: EventEnvelope): Promise<void> {
    const saga = new Saga(this.transport, order.sagaId, { logger: this.log, checkpointTtlSeconds: DEMO_SAGA_TTL_SECONDS });
    let paid: EventEnvelope | null = null;
    saga.addStep('reserve_inventory', async () => {}, async () => {
      await this.emit(ECOMMERCE_CHANNEL, order, {
        event_type: EventTypes.INVENTORY_RESTOCKED, causation_id: created.event_id, data: { sku: order.sku, quantity: order.quantity },
      });
    });
    saga.addStep('charge_payment', async () => {
      paid = await this.pay(order, created);
      if (!paid) throw new PermanentError('payment failed');
    }, async () => {
      await this.emit(ECOMMERCE_CHANNEL, order, {
        event_type: EventTypes.PAYMENT_REFUNDED, causation_id: paid?.event_id ?? created.event_id, data: { order_id: order.no, amount: order.totalPrice },
      });
    });
    saga.addStep('ship', async () => {
      if (this.random() < (this.options.shipFailureRate ?? 0.3)) throw new RetryableError('no carrier available');
      await this.ship(order, paid ?? created);
    }, async () => {});
    const result = await saga.execute({ signal: this.signal });
    this.summary.sagas++;
    if (result.status === 'completed') return;
    this.summary.sagasCompensated++;
    await this.emit(ECOMMERCE_CHANNEL, order, {
      event_type: EventTypes.ORDER_CANCELLED, causation_id: created.event_id,
      data: { order_id: order.no, reason: `saga ${result.status} after ${result.failedStep ?? 'a step'} failed` },
    });
  }

  /** The fulfilment worker reads what the store got and acknowledges all but the newest few, which stay pending. */
  private async fulfilmentTick(): Promise<void> {
    const read = await this.store.readGroup(DEMO_GROUP, DEMO_CONSUMER, { count: FULFILMENT_READ });
    if (read.length === 0) return;
    // The events themselves are acked, not bare ids: on a cluster the store is partitioned and ids repeat across
    // partitions, so each entry carries the stream it is in.
    const refs = read.map((e) => ({ id: e.id, stream: e.stream }));
    const keep = refs.slice(-LEAVE_PENDING);
    const ack = [...this.leftPending, ...refs.slice(0, refs.length - keep.length)];
    if (ack.length) await this.store.ack(DEMO_GROUP, ack);
    this.leftPending = keep;
  }

  private emitUser(userId: number, eventType: string, data: Record<string, unknown>): Promise<EventEnvelope> {
    return this.publish(USER_CHANNEL, createEvent({ event_type: eventType, entity_id: `user:${userId}`, user_id: userId, data }));
  }

  private emit(channel: string, order: Order, e: NewEvent): Promise<EventEnvelope> {
    return this.publish(channel, createEvent({ entity_id: `order:${order.no}`, user_id: order.userId, correlation_id: order.sagaId, ...e }));
  }

  /** Paced: stored first (the store is the record), then published on the event's channel. */
  private async publish(channel: string, event: EventEnvelope): Promise<EventEnvelope> {
    await this.pacer.wait(this.signal);
    const check = this.options.beforeSend;
    if (check) {
      await check({ kind: 'stream', name: this.store.streamKey }, event);
      await check({ kind: 'channel', name: channel }, event);
    }
    const stored = await this.store.append(event);
    await this.transport.publish(channel, stored.raw);
    this.summary.events++;
    try {
      this.options.onEvent?.(channel, event);
    } catch (e) {
      this.log.warn(`demo onEvent listener failed: ${(e as Error).message}`);
    }
    return event;
  }

  private paymentPlan(): PaymentPlan {
    const failureRate = this.options.failureRate ?? 0.2;
    if (this.random() < failureRate) return this.random() < 0.5 ? 'times-out' : 'declined';
    return this.random() < TRANSIENT_FAILURE_RATE ? 'succeeds-on-retry' : 'succeeds';
  }

  private items(): Array<{ product_id: number; quantity: number; cents: number }> {
    const count = 1 + Math.floor(this.random() * 3);
    return Array.from({ length: count }, () => ({
      product_id: 100 + Math.floor(this.random() * 900),
      quantity: 1 + Math.floor(this.random() * 3),
      cents: 500 + Math.floor(this.random() * 11_500),
    }));
  }
}

/** The simulated payment gateway. */
function chargeCard(plan: PaymentPlan, attempt: number): void {
  if (plan === 'declined') throw new PermanentError('card declined');
  if (plan === 'times-out' || (plan === 'succeeds-on-retry' && attempt === 1)) throw new RetryableError('payment gateway timed out');
}

function checkOptions(o: DemoOptions): void {
  if (o.orders !== undefined && !(Number.isInteger(o.orders) && o.orders >= 0)) throw new BadInputError(`orders must be a whole number ≥ 0, not ${o.orders}`);
  if (o.ratePerSecond !== undefined && !(o.ratePerSecond > 0)) throw new BadInputError(`ratePerSecond must be > 0, not ${o.ratePerSecond}`);
  for (const [name, v] of [['failureRate', o.failureRate], ['shipFailureRate', o.shipFailureRate]] as const) {
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new BadInputError(`${name} must be between 0 and 1, not ${v}`);
  }
  if (o.sagaEvery !== undefined && !(Number.isInteger(o.sagaEvery) && o.sagaEvery >= 0)) throw new BadInputError(`sagaEvery must be a whole number ≥ 0, not ${o.sagaEvery}`);
}

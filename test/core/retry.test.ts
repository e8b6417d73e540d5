import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AbortedError, BadInputError, ClosedError, ConnectionRefusedError, InvalidEventError, RedisCommandError, TimeoutError } from '../../src/core/errors';
import { isRetryable, PermanentError, RetryableError } from '../../src/core/retry/classify';
import { DeadLetterQueue } from '../../src/core/retry/dead-letter';
import { backoffDelay, DEFAULT_RETRY_POLICY } from '../../src/core/retry/policy';
import { processWithRetry, type RetryInfo } from '../../src/core/retry/process';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';
import { MessageRecorder } from '../support/message-recorder';

const order = { event_id: 'e-1', event_type: 'order_created', timestamp: '2025-09-12T10:35:00Z', data: { order_id: 789, total_price: 99.99 } };

/** A sleep that records the delays instead of waiting them. */
function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => { delays.push(ms); } };
}

function socketError(code: string): Error {
  return Object.assign(new Error(`socket: ${code}`), { code });
}

describe('backoffDelay', () => {
  it('has the documented defaults', () => {
    assert.deepEqual({ ...DEFAULT_RETRY_POLICY }, { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 30000, jitter: 'full' });
  });

  it('doubles from the base and stops at the cap without jitter', () => {
    const p = { ...DEFAULT_RETRY_POLICY, jitter: 'none' as const };
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(p, a)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert.equal(backoffDelay(p, 10_000), 30000, 'a huge attempt number is capped, not Infinity');
    assert.equal(backoffDelay(p, 0), 1000, 'attempt 0 counts as the first');
    assert.equal(backoffDelay(p, Number.NaN), 1000);
  });

  it('full jitter scales the whole delay by the random value', () => {
    const p = { ...DEFAULT_RETRY_POLICY };
    assert.equal(backoffDelay(p, 1, () => 0.5), 500);
    assert.equal(backoffDelay(p, 3, () => 0.25), 1000);
    assert.equal(backoffDelay(p, 1, () => 0), 0);
    assert.equal(backoffDelay(p, 9, () => 0.5), 15000, 'jitter applies to the capped delay');
    assert.equal(backoffDelay(p, 1, () => 7), 1000, 'an out-of-range random value is clamped');
  });

  it('equal jitter keeps half the delay as a floor', () => {
    const p = { ...DEFAULT_RETRY_POLICY, jitter: 'equal' as const };
    assert.equal(backoffDelay(p, 1, () => 0), 500);
    assert.equal(backoffDelay(p, 1, () => 0.5), 750);
    assert.equal(backoffDelay(p, 2, () => 1), 2000);
  });
});

describe('isRetryable', () => {
  it('retries what a later attempt can fix', () => {
    for (const e of [
      new RetryableError('503'), new TimeoutError('slow'), new ClosedError(), new ConnectionRefusedError('refused'),
      socketError('ECONNRESET'), socketError('ECONNREFUSED'), socketError('ETIMEDOUT'), socketError('EPIPE'),
      new RedisCommandError('wrapped', socketError('ECONNRESET')),
    ]) assert.equal(isRetryable(e), true, `${e.name}: ${e.message}`);
  });

  it('does not retry bad data, bugs or unknown errors', () => {
    for (const e of [
      new PermanentError('declined'), new InvalidEventError('bad'), new SyntaxError('json'), new TypeError('undefined is not a function'),
      new Error('something'), socketError('ENOENT'), 'a string', null, undefined, 42, { code: 42 },
      new PermanentError('declined', { cause: socketError('ECONNRESET') }),
    ]) assert.equal(isRetryable(e), false, String(e));
  });

  it('survives a cyclic cause chain and a throwing getter', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    const b: Error & { cause?: unknown } = new Error('b');
    a.cause = b;
    b.cause = a;
    assert.equal(isRetryable(a), false);
    const hostile = Object.defineProperty(new Error('x'), 'code', { get() { throw new Error('gotcha'); } });
    assert.equal(isRetryable(hostile), false);
  });
});

describe('processWithRetry (no transport)', () => {
  it('succeeds on attempt 2 after one backoff, telling onRetry', async () => {
    const { delays, sleep } = recordingSleep();
    const retries: RetryInfo[] = [];
    const seen: number[] = [];
    const outcome = await processWithRetry(order, async (e, attempt) => {
      assert.equal(e, order);
      seen.push(attempt);
      if (attempt === 1) throw new RetryableError('gateway 503');
    }, { policy: { baseDelayMs: 200 }, random: () => 0.5, sleep, onRetry: (i) => retries.push(i) });
    assert.deepEqual(outcome, { ok: true, attempts: 2 });
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(delays, [100]);
    assert.equal(retries.length, 1);
    assert.equal(retries[0].attempt, 1);
    assert.equal(retries[0].delayMs, 100);
    assert.equal((retries[0].error as Error).message, 'gateway 503');
  });

  it('waits 1×, 2×, 4× the base between attempts and reports the last error', async () => {
    const { delays, sleep } = recordingSleep();
    let n = 0;
    const outcome = await processWithRetry(order, async () => { throw new TimeoutError(`timeout #${++n}`); }, {
      policy: { maxAttempts: 4, baseDelayMs: 100, jitter: 'none' }, sleep,
    });
    assert.deepEqual(outcome, { ok: false, attempts: 4, error: 'timeout #4' });
    assert.deepEqual(delays, [100, 200, 400]);
  });

  it('gives up at once on an error that is not retryable', async () => {
    const { delays, sleep } = recordingSleep();
    const outcome = await processWithRetry(order, async () => { throw new TypeError('cannot read properties of undefined'); }, { sleep });
    assert.deepEqual(outcome, { ok: false, attempts: 1, error: 'cannot read properties of undefined' });
    assert.deepEqual(delays, []);
  });

  it('lets the policy decide what is retryable; a throwing predicate means no', async () => {
    const { sleep } = recordingSleep();
    let calls = 0;
    const yes = await processWithRetry(order, async () => { calls++; throw new Error('flaky'); }, { policy: { retryable: () => true }, sleep });
    assert.equal(yes.attempts, 3);
    assert.equal(calls, 3);
    const boom = await processWithRetry(order, async () => { throw new RetryableError('x'); }, { policy: { retryable: () => { throw new Error('bug'); } }, sleep });
    assert.equal(boom.attempts, 1);
  });

  it('rejects a nonsensical policy before running the handler', async () => {
    let ran = false;
    for (const policy of [{ maxAttempts: 0 }, { maxAttempts: 2.5 }, { baseDelayMs: -1 }, { maxDelayMs: Number.NaN }, { jitter: 'lots' as never }]) {
      await assert.rejects(processWithRetry(order, async () => { ran = true; }, { policy }), BadInputError);
    }
    assert.equal(ran, false);
  });

  it('stops a real backoff wait promptly when aborted, without dead-lettering', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      processWithRetry(order, async () => { throw new RetryableError('down'); }, { policy: { baseDelayMs: 10_000, jitter: 'none' }, signal: controller.signal }),
      AbortedError,
    );
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });
});

for (const target of transportTargets('retry')) {
  describe(`dead-letter queue on the ${target.name} transport`, () => {
    let transport: Transport;
    let done: () => Promise<void>;
    let seq = 0;
    const fresh = (options = {}) => new DeadLetterQueue(transport, { stream: `dlq-test-${++seq}`, ...options });
    before(async () => ({ transport, done } = await target.make()));
    after(async () => done?.());

    it('keeps an event that exhausted its attempts with the error text, attempts and source', async () => {
      const dlq = fresh();
      const { sleep } = recordingSleep();
      const outcome = await processWithRetry(order, async () => { throw new TimeoutError('payment gateway timed out'); }, {
        deadLetter: dlq, source: 'ecommerce_events', sleep,
      });
      assert.equal(outcome.ok, false);
      assert.equal(outcome.attempts, 3);
      assert.equal(outcome.deadLettered, true);
      assert.match(outcome.deadLetterId ?? '', /^\d+-\d+$/);
      assert.equal(await dlq.length(), 1);
      const [entry] = await transport.xrange(dlq.stream, '-', '+');
      assert.equal(entry.id, outcome.deadLetterId);
      assert.deepEqual(Object.keys(entry.fields).sort(), ['attempts', 'error', 'error_name', 'event', 'failed_at', 'source']);
      assert.equal(entry.fields.event, JSON.stringify(order));
      assert.equal(entry.fields.error, 'payment gateway timed out');
      assert.equal(entry.fields.error_name, 'TimeoutError');
      assert.equal(entry.fields.attempts, '3');
      assert.equal(entry.fields.source, 'ecommerce_events');
      assert.ok(Math.abs(Date.parse(entry.fields.failed_at) - Date.now()) < 5000, entry.fields.failed_at);

      const letter = await dlq.get(entry.id);
      assert.ok(letter);
      assert.deepEqual(letter.event, order);
      assert.equal(letter.raw, JSON.stringify(order));
      assert.equal(letter.error, 'payment gateway timed out');
      assert.equal(letter.errorName, 'TimeoutError');
      assert.equal(letter.attempts, 3);
      assert.equal(letter.source, 'ecommerce_events');
    });

    it('dead-letters a permanent failure after one attempt', async () => {
      const dlq = fresh();
      const outcome = await processWithRetry(order, async () => { throw new PermanentError('card declined'); }, { deadLetter: dlq });
      assert.equal(outcome.attempts, 1);
      const [letter] = await dlq.list();
      assert.equal(letter.error, 'card declined');
      assert.equal(letter.errorName, 'PermanentError');
      assert.equal(letter.attempts, 1);
      assert.equal(letter.source, null);
    });

    it('keeps malformed text exactly as it came; reading it gives event null', async () => {
      const dlq = fresh();
      const id = await dlq.add('{"event_type": "order_created", broken', { error: 'not JSON', attempts: 1, source: 'orders' });
      const letter = await dlq.get(id);
      assert.equal(letter?.raw, '{"event_type": "order_created", broken');
      assert.equal(letter?.event, null);
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      const id2 = await dlq.add(cyclic, { error: 'x', attempts: 1 });
      assert.match((await dlq.get(id2))?.raw ?? '', /unserializable/);
    });

    it('lists oldest first, newest first, and by page', async () => {
      const dlq = fresh();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await dlq.add({ event_type: 'x', n: i }, { error: `e${i}`, attempts: 1 }));
      assert.deepEqual((await dlq.list()).map((l) => l.error), ['e0', 'e1', 'e2', 'e3', 'e4']);
      assert.deepEqual((await dlq.list({ reverse: true, count: 2 })).map((l) => l.error), ['e4', 'e3']);
      assert.deepEqual((await dlq.list({ start: `(${ids[1]}`, count: 2 })).map((l) => l.error), ['e2', 'e3']);
      assert.equal(await dlq.get('999999999-0'), null);
      await assert.rejects(dlq.get('not-an-id'), BadInputError);
    });

    it('requeues to a channel: a subscriber receives the original JSON, the dead letter is gone', async () => {
      const dlq = fresh();
      const text = '{"event_type":"order_created","order_id":789,"total_price":99.99}';
      const id = await dlq.add(text, { error: 'x', attempts: 3, source: 'requeue_channel' });
      const keep = await dlq.add(order, { error: 'y', attempts: 1 });
      const recorder = await MessageRecorder.start(transport, ['requeue_channel']);
      try {
        assert.equal(await dlq.requeue(id, { channel: 'requeue_channel' }), true);
        await recorder.waitFor(1, 'requeue_channel');
        assert.equal(recorder.on('requeue_channel')[0].payload, text);
        assert.equal(await dlq.get(id), null);
        assert.equal(await dlq.length(), 1);
        assert.equal((await dlq.get(keep))?.error, 'y');
        assert.equal(await dlq.requeue(id, { channel: 'requeue_channel' }), false, 'a second requeue finds nothing');
        await recorder.settle();
        assert.equal(recorder.on('requeue_channel').length, 1);
      } finally {
        await recorder.stop();
      }
    });

    it('requeues to a shard channel with SPUBLISH: a shard subscriber gets it, a plain subscriber on the same name does not', async () => {
      const dlq = fresh();
      const texts = [0, 1, 2].map((n) => JSON.stringify({ event_type: 'order_created', n }));
      const ids = [];
      for (const text of texts) ids.push(await dlq.add(text, { error: 'x', attempts: 1 }));
      const channel = `requeue_shard_${seq}`;
      const recorder = await MessageRecorder.start(transport, [channel], { shard: true });
      try {
        assert.equal(await dlq.requeue(ids[0], { shardChannel: channel }), true);
        assert.equal(await dlq.requeueAll({ shardChannel: channel }), 2);
        await recorder.waitFor(3, channel);
        await recorder.settle();
        assert.deepEqual(recorder.payloads(channel, true), texts, 'in order, the text as it was');
        assert.deepEqual(recorder.payloads(channel, false), []);
        assert.equal(await dlq.length(), 0);
      } finally {
        await recorder.stop();
      }
      await assert.rejects(dlq.requeue(ids[0], { shardChannel: '' }), BadInputError);
    });

    it('requeues to a stream in the field `event` (or another field)', async () => {
      const dlq = fresh();
      const id = await dlq.add(order, { error: 'x', attempts: 3 });
      assert.equal(await dlq.requeue(id, { stream: 'requeued_store' }), true);
      const [entry] = await transport.xrange('requeued_store', '-', '+');
      assert.deepEqual({ ...entry.fields }, { event: JSON.stringify(order) });
      const id2 = await dlq.add(order, { error: 'x', attempts: 3 });
      assert.equal(await dlq.requeue(id2, { stream: 'requeued_other', field: 'payload' }), true);
      const [other] = await transport.xrange('requeued_other', '-', '+');
      assert.deepEqual({ ...other.fields }, { payload: JSON.stringify(order) });
      assert.equal(await dlq.length(), 0);
      await assert.rejects(dlq.requeue(id2, {} as never), BadInputError);
    });

    it('requeueAll sends back up to max in order, then the rest; into its own stream it stops', async () => {
      const dlq = fresh();
      for (let i = 0; i < 450; i++) await dlq.add({ event_type: 'x', n: i }, { error: 'e', attempts: 1 });
      assert.equal(await dlq.requeueAll({ stream: 'requeue_all_target' }, { max: 250 }), 250);
      assert.equal(await dlq.length(), 200);
      assert.equal(await dlq.requeueAll({ stream: 'requeue_all_target' }), 200);
      const entries = await transport.xrange('requeue_all_target', '-', '+');
      assert.deepEqual(entries.map((e) => JSON.parse(e.fields.event).n), Array.from({ length: 450 }, (_, i) => i));
      assert.equal(await dlq.requeueAll({ stream: 'requeue_all_target' }), 0, 'empty queue');

      const loop = fresh();
      for (let i = 0; i < 3; i++) await loop.add({ n: i }, { error: 'e', attempts: 1 });
      assert.equal(await loop.requeueAll({ stream: loop.stream }), 3, 'only what was there when it started');
      assert.equal(await loop.length(), 3);
    });

    it('requeueAll stops between pages when aborted', async () => {
      const dlq = fresh();
      for (let i = 0; i < 5; i++) await dlq.add({ n: i }, { error: 'e', attempts: 1 });
      const controller = new AbortController();
      controller.abort();
      assert.equal(await dlq.requeueAll({ channel: 'nowhere' }, { signal: controller.signal }), 0);
      assert.equal(await dlq.length(), 5);
    });

    it('removes by id', async () => {
      const dlq = fresh();
      const a = await dlq.add({ n: 1 }, { error: 'e', attempts: 1 });
      const b = await dlq.add({ n: 2 }, { error: 'e', attempts: 1 });
      assert.equal(await dlq.remove([a, '1-1']), 1);
      assert.deepEqual((await dlq.list()).map((l) => l.id), [b]);
      assert.equal(await dlq.remove([]), 0);
    });

    it('reads entries other programs wrote, whatever fields they lack', async () => {
      const dlq = fresh();
      await transport.xadd(dlq.stream, { something: 'else' });
      const [letter] = await dlq.list();
      assert.deepEqual({ ...letter, id: 'x' }, { id: 'x', event: null, raw: '', error: '', errorName: '', attempts: 0, source: null, failedAt: '' });
    });

    it('reports a dead-letter write that failed instead of losing the outcome', async () => {
      const broken = new DeadLetterQueue({ ...transport, xadd: async () => { throw new ClosedError(); } } as Transport);
      const outcome = await processWithRetry(order, async () => { throw new PermanentError('no'); }, { deadLetter: broken });
      assert.equal(outcome.deadLettered, false);
      assert.equal(outcome.deadLetterError, 'the connection is closed');
    });
  });
}

// The "server killed" fault run, shared by the short test (test/core/faults-server-killed.test.ts) and the soak
// (test/soak/server-killed.test.ts): a producer appends numbered events to the store while consumer-group workers
// (GroupConsumer + Deduplicator) process them; redis-server (appendonly yes, appendfsync always) is SIGKILLed and
// restarted on the same port and dir one or more times mid-run.
//
// - The producer is at-least-once: a batch whose append failed is sent again, the same events, until it succeeds.
//   Only events of batches the producer saw acknowledged count as "acknowledged".
// - The workers process every entry at least once (GroupConsumer acks after the handler); the handler marks each
//   event with the Deduplicator (SET key token NX EX GET, fingerprint from the entry's text) and applies its effect
//   only when the mark was new.
// - A mark Redis executed (and wrote to the AOF) whose reply was lost in the kill: the Deduplicator sends it again
//   with the same token and recognises its own mark ("new"). When a check gives up and throws, the handler keeps its
//   token for that entry and the redelivery repeats the check with it. A "duplicate" answer for an event whose effect
//   nobody applied is a false duplicate: the run counts them (the effect stays lost: lost_effects) and must see 0.
import { Deduplicator, newDedupToken, type DedupResult } from '../../src/core/dedup/index';
import { EventStore } from '../../src/core/store/event-store';
import { GroupConsumer } from '../../src/core/store/group-consumer';
import { RedisTransport } from '../../src/core/transport/redis';
import type { StreamEntry } from '../../src/core/transport/types';
import { startRedisServer, type RedisServerHandle } from './redis-server';

export interface ServerKilledOptions {
  events: number;
  /** Events per appendBatch. */
  batch: number;
  /** Kills, spread evenly over the run. */
  kills: number;
  /** How long the server stays down each time. */
  downtimeMs: number;
  consumers: number;
  /** The producer waits while it is this many events ahead of the workers, so the kill hits both mid-stream. */
  maxLag: number;
  /** Give up (and fail) after this long. */
  deadlineMs: number;
}

export interface Recovery {
  /** ms the server was down (kill → restarted and listening). */
  downMs: number;
  /** kill → the producer's first acknowledged append after the restart. */
  producerRecoveredMs: number | null;
  /** kill → the first event a worker handled after the restart. */
  consumerRecoveredMs: number | null;
  /** Acknowledged events when the kill came. */
  atAcknowledged: number;
}

export interface ServerKilledFigures {
  events: number;
  acknowledged: number;
  /** Acknowledged events no worker ever saw. Must be 0. */
  lost: number;
  /** Acknowledged events whose effect was never applied (with dedup). Must be 0. */
  lostEffects: number;
  /** Acknowledged events whose effect was applied more than once. Must be 0. */
  doubleEffects: number;
  /** Handler calls beyond the first per event (redeliveries + copies the producer's retries wrote). */
  duplicatesSeen: number;
  /** Of those, the ones the Deduplicator recognised and skipped. */
  duplicatesSkipped: number;
  /** Acknowledged events the Deduplicator called a duplicate although nobody applied their effect. Must be 0. */
  falseDuplicates: number;
  /** Checks whose mark was sent more than once (an answer lost in a kill), and checks that found their own mark. */
  resentMarks: number;
  ownMarks: number;
  /** Stream entries at the end (> events when a failed-looking batch had in fact been written). */
  streamEntries: number;
  producerRetries: number;
  handlerFailures: number;
  /** Why handlers failed: the first words of each error, with counts. */
  handlerFailureReasons: Record<string, number>;
  pendingAtEnd: number;
  recoveries: Recovery[];
  totalMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runServerKilled(o: ServerKilledOptions, log: (line: string) => void = () => undefined): Promise<ServerKilledFigures> {
  const startedAt = Date.now();
  const deadline = startedAt + o.deadlineMs;
  let srv: RedisServerHandle = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  const url = srv.url;
  const stream = 'fault_store';
  const group = 'workers';

  const producerT = new RedisTransport({ url, commandTimeoutMs: 3000, connectTimeoutMs: 2000 });
  await producerT.connect();
  const store = new EventStore(producerT, { streamKey: stream, publishChannel: null });

  const seen = new Uint16Array(o.events);
  const applied = new Uint16Array(o.events);
  const saidDuplicate = new Uint8Array(o.events);
  /** Tokens of checks that threw, by stream entry: its redelivery repeats the check with the same token. */
  const openChecks = new Map<string, string>();
  let distinctApplied = 0;
  let deliveries = 0;
  let lastDeliveryAt = Date.now();
  let duplicatesSkipped = 0;
  let resentMarks = 0;
  let ownMarks = 0;
  let handlerFailures = 0;
  const handlerFailureReasons: Record<string, number> = {};

  // The recovery being measured: successes count once the restart has begun (nothing can succeed before).
  let current: { r: Recovery; killedAt: number; restartBegunAt: number } | null = null;
  const noteSuccess = (who: 'producer' | 'consumer') => {
    const now = Date.now();
    if (!current || now < current.restartBegunAt) return;
    if (who === 'producer' && current.r.producerRecoveredMs === null) current.r.producerRecoveredMs = now - current.killedAt;
    if (who === 'consumer' && current.r.consumerRecoveredMs === null) current.r.consumerRecoveredMs = now - current.killedAt;
  };
  const consumers: Array<{ t: RedisTransport; c: GroupConsumer }> = [];
  for (let i = 0; i < o.consumers; i++) {
    const t = new RedisTransport({ url, commandTimeoutMs: 3000, connectTimeoutMs: 2000 });
    await t.connect();
    const dedup = new Deduplicator(t, { keyPrefix: 'fault_dedup:' });
    const handler = async (entry: StreamEntry) => {
      const text = entry.fields.event;
      const seq = (JSON.parse(text) as { data: { seq: number } }).data.seq;
      deliveries++;
      lastDeliveryAt = Date.now();
      seen[seq]++;
      const token = openChecks.get(entry.id) ?? newDedupToken();
      let mark: DedupResult;
      try {
        mark = await dedup.check(text, { token });
      } catch (e) {
        openChecks.set(entry.id, token);
        throw e;
      }
      openChecks.delete(entry.id);
      noteSuccess('consumer');
      if (mark.attempts > 1) resentMarks++;
      if (mark.ownMark) ownMarks++;
      if (mark.duplicate) {
        saidDuplicate[seq] = 1;
        duplicatesSkipped++;
        return;
      }
      if (applied[seq]++ === 0) distinctApplied++;
    };
    const c = new GroupConsumer(t, { stream, group, consumer: `worker-${i}`, handler, count: 100, blockMs: 500, claimIdleMs: 5000 });
    c.onError((e, entry) => {
      if (!entry) return;
      handlerFailures++;
      const reason = String((e as Error)?.message ?? e).split(/[:;(]/)[0]!.slice(0, 60);
      handlerFailureReasons[reason] = (handlerFailureReasons[reason] ?? 0) + 1;
    });
    consumers.push({ t, c });
  }
  // The group exists before the first event, so the workers see every one.
  await producerT.xgroupCreate(stream, group, '0', { mkStream: true });
  const running = consumers.map(({ c }) => c.start());

  let acknowledged = 0;
  let producerRetries = 0;
  const recoveries: Recovery[] = [];
  const killPoints = Array.from({ length: o.kills }, (_, k) => Math.floor(((k + 1) * o.events) / (o.kills + 1)));

  const kill = async (): Promise<void> => {
    const r: Recovery = { downMs: 0, producerRecoveredMs: null, consumerRecoveredMs: null, atAcknowledged: acknowledged };
    recoveries.push(r);
    const killedAt = Date.now();
    current = { r, killedAt, restartBegunAt: Number.POSITIVE_INFINITY };
    await srv.kill();
    log(`killed redis-server at ${acknowledged} acknowledged, ${distinctApplied} applied`);
    await sleep(o.downtimeMs);
    current.restartBegunAt = Date.now();
    srv = await srv.restart();
    r.downMs = Date.now() - killedAt;
  };

  // ---- kill, independently of the producer's batches: a few ms after a kill point, so it lands mid-append
  const killer = (async () => {
    for (const point of killPoints) {
      while (acknowledged < point && Date.now() < deadline) await sleep(1);
      await sleep(Math.floor(Math.random() * 10));
      await kill();
    }
  })();

  // ---- produce
  for (let first = 0; first < o.events; first += o.batch) {
    const n = Math.min(o.batch, o.events - first);
    const events = Array.from({ length: n }, (_, j) => ({
      event_id: `fault-${first + j}`,
      event_type: 'fault_test',
      entity_id: `acct:${(first + j) % 97}`,
      timestamp: '2026-01-01T00:00:00Z',
      data: { seq: first + j, amount: (first + j) % 1000 },
    }));
    while (acknowledged - distinctApplied > o.maxLag && Date.now() < deadline) await sleep(2);
    for (;;) {
      if (Date.now() > deadline) throw new Error(`deadline passed while producing (at ${first})`);
      try {
        await store.appendBatch(events, { publish: false });
        break;
      } catch {
        producerRetries++;
        await sleep(20);
      }
    }
    acknowledged += n;
    noteSuccess('producer');
  }
  await killer;

  // ---- wait until every acknowledged event's effect is applied, or nothing was delivered for 15 s (claims of idle
  // pending entries come after 5 s): an effect still missing then is lost (a false duplicate skipped it).
  while (distinctApplied < acknowledged && Date.now() < deadline && Date.now() - lastDeliveryAt < 15_000) await sleep(20);
  // Let the workers ack what they hold.
  await sleep(300);
  await Promise.all(consumers.map(({ c }) => c.stop()));
  await Promise.all(running);

  let pendingAtEnd = -1;
  let streamEntries = -1;
  try {
    pendingAtEnd = (await producerT.xpendingSummary(stream, group)).count;
    streamEntries = await producerT.xlen(stream);
  } catch {
    /* reported as -1 */
  }
  await Promise.all(consumers.map(({ t }) => t.close()));
  await producerT.close();
  await srv.stop();

  let lost = 0;
  let lostEffects = 0;
  let doubleEffects = 0;
  let distinctSeen = 0;
  let falseDuplicates = 0;
  for (let i = 0; i < o.events; i++) {
    if (seen[i] > 0) distinctSeen++;
    if (i < acknowledged) {
      if (seen[i] === 0) lost++;
      if (applied[i] === 0) lostEffects++;
      if (applied[i] === 0 && saidDuplicate[i]) falseDuplicates++;
    }
    if (applied[i] > 1) doubleEffects++;
  }
  return {
    events: o.events,
    acknowledged,
    lost,
    lostEffects,
    doubleEffects,
    duplicatesSeen: deliveries - distinctSeen,
    duplicatesSkipped,
    falseDuplicates,
    resentMarks,
    ownMarks,
    streamEntries,
    producerRetries,
    handlerFailures,
    handlerFailureReasons,
    pendingAtEnd,
    recoveries,
    totalMs: Date.now() - startedAt,
  };
}

/** `FIGURE:` lines the lead greps from the test output. */
export function printServerKilledFigures(label: string, f: ServerKilledFigures): void {
  const line = (s: string) => console.log(`FIGURE: ${label}: ${s}`);
  line(`events=${f.events} acknowledged=${f.acknowledged} lost=${f.lost} lost_effects=${f.lostEffects} double_effects=${f.doubleEffects}`);
  line(`duplicates_seen=${f.duplicatesSeen} skipped_by_dedup=${f.duplicatesSkipped} false_duplicates=${f.falseDuplicates} resent_marks=${f.resentMarks} own_marks=${f.ownMarks} stream_entries=${f.streamEntries} producer_retries=${f.producerRetries} handler_failures=${f.handlerFailures} pending_at_end=${f.pendingAtEnd}`);
  if (f.handlerFailures) line(`handler failures: ${Object.entries(f.handlerFailureReasons).map(([r, n]) => `${n} × ${r}`).join('; ')}`);
  f.recoveries.forEach((r, i) => line(`kill ${i + 1} at ${r.atAcknowledged} acked: down ${r.downMs} ms; producer recovered ${r.producerRecoveredMs} ms after the kill; consumers ${r.consumerRecoveredMs} ms after the kill`));
  line(`total ${(f.totalMs / 1000).toFixed(1)} s`);
}

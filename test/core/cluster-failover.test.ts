// A Redis Cluster master is SIGKILLed while a writer appends to the partitioned event store as fast as it can, and a
// publisher and a subscriber use a plain channel and a shard channel that both hash to the killed master. What a user
// of the store sees: how many acknowledged events are missing afterwards (LOST), how many are stored twice because a
// batch that failed part-way (its events on the live masters stored, those on the dead one not, or an event applied
// just before its connection dropped) was sent again (duplicates), and how long appends fail (recovery). Run twice:
// without WAIT (an acknowledged event may still be only on the master that died) and with `waitForReplicas: 1` (an
// append is acknowledged only once the replica has it, so the replica that takes over has every acknowledged event).
// Between the failover and the end of a run the killed node is restarted, as a supervisor would: with WAIT 1 the
// promoted master has no replica until then, and appends to its partitions would fail (REPLICATION) meanwhile.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createTransport, EventStore, type PubSubMessage, type Transport } from '../../src/core/index';
import { ask, keySlot, startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster';

const BATCH = 20;
/** Entities the writer cycles through: enough that every batch touches most of the 16 partitions. */
const ENTITIES = 97;
const WRITE_BEFORE_KILL_MS = 1000;
const WRITE_AFTER_OK_MS = 3000;
const PUBLISH_EVERY_MS = 25;
/** A run that has not recovered by then stops anyway, and its assertions say what never happened. */
const RUN_DEADLINE_MS = 20_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

/** One line per kind of failure: the core's error code when it has one, else the error's name, then its message. */
function errorKind(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  const message = String((e as Error)?.message ?? e).split('\n')[0].slice(0, 200);
  return `${typeof code === 'string' ? code : (e as Error)?.name ?? 'Error'}: ${message}`;
}

// ---------------------------------------------------------------- the writer

interface WriterReport {
  /** Sequence numbers of the events whose appendBatch resolved. */
  acknowledged: Set<number>;
  /** Every failed appendBatch, with when it failed. */
  errors: Array<{ at: number; kind: string }>;
  /** When each acknowledged batch resolved, in order. */
  successes: number[];
}

/**
 * Appends batches of BATCH events, each with a unique `data.seq`, until `stopWanted()` (checked only between batches,
 * so the last batch is finished) or the deadline. A failed chunk is resent by the store itself until the deadline;
 * an event stored twice (a resend the store did not recognise) is what the run counts as a duplicate.
 */
async function runWriter(store: EventStore, label: string, stopWanted: () => boolean, deadline: number): Promise<WriterReport> {
  const report: WriterReport = { acknowledged: new Set(), errors: [], successes: [] };
  let seq = 0;
  while (!stopWanted() && now() < deadline) {
    const batch = Array.from({ length: BATCH }, () => {
      const n = seq++;
      return {
        event_id: `${label}-${n}`, event_type: 'failover_probe', entity_id: `probe:${n % ENTITIES}`, data: { seq: n },
      };
    });
    try {
      // The store resends what failed under the same producer sequences: what a dying master had applied (and its
      // replica copied) comes back as it was instead of being stored again.
      await store.appendBatch(batch, {
        retryForMs: Math.max(0, deadline - now()),
        onRetry: ({ error }) => { report.errors.push({ at: now(), kind: errorKind(error) }); },
      });
      for (const e of batch) report.acknowledged.add(e.data.seq);
      report.successes.push(now());
    } catch (e) {
      report.errors.push({ at: now(), kind: errorKind(e) });
      return report;
    }
  }
  return report;
}

/** Every `data.seq` stored in the partitions, with how often it is there; read straight from the streams. */
async function storedSequences(transport: Transport, partitions: string[]): Promise<{ counts: Map<number, number>; entries: number; unreadable: number }> {
  const counts = new Map<number, number>();
  let entries = 0;
  let unreadable = 0;
  for (const key of partitions) {
    let start = '-';
    for (;;) {
      const page = await transport.xrange(key, start, '+', 10_000);
      for (const entry of page) {
        entries++;
        let n: unknown;
        try {
          n = (JSON.parse(entry.fields.event ?? '') as { data?: { seq?: unknown } }).data?.seq;
        } catch {
          n = undefined;
        }
        if (typeof n === 'number') counts.set(n, (counts.get(n) ?? 0) + 1);
        else unreadable++;
      }
      if (page.length < 10_000) break;
      start = `(${page[page.length - 1].id}`;
    }
  }
  return { counts, entries, unreadable };
}

// ---------------------------------------------------------------- pub/sub across the failover

interface PubSubProbe {
  /** A plain channel and a shard channel, both hashing to the killed master's slots. */
  plain: string;
  shard: string;
  /** The node ioredis put the plain subscriptions on (one random node of the cluster). */
  subscriberNodePort: number;
  subscriber: Transport;
  received: Map<string, Array<{ n: number; at: number; sharded: boolean }>>;
}

/** The node that holds `channel`'s subscription: PUBSUB NUMSUB counts only a node's own clients. */
async function subscribedNode(cluster: RedisClusterHandle, channel: string): Promise<number | null> {
  for (const node of cluster.nodes) {
    const reply = (await ask(node.port, 'PUBSUB', 'NUMSUB', channel).catch(() => null)) as [string, number] | null;
    if (reply && Number(reply[1]) > 0) return node.port;
  }
  return null;
}

/**
 * A subscriber transport whose plain-subscription connection is on a master when possible: ioredis puts a cluster's
 * plain subscriptions on one random node, master or replica, and only a subscription on the killed master shows that
 * it is moved. A throwaway `locator` subscription says where it landed; up to 6 fresh transports are tried, and one on
 * a replica is kept (the figures say so) when none lands on a master.
 */
async function subscriberOnAMaster(cluster: RedisClusterHandle, locator: string) {
  const masters = await cluster.masterPorts();
  for (let attempt = 1; ; attempt++) {
    const subscriber = createTransport({ url: cluster.seedUrl, commandTimeoutMs: 2000 });
    const received: PubSubProbe['received'] = new Map();
    subscriber.onMessage((m: PubSubMessage) => {
      const list = received.get(m.channel) ?? [];
      list.push({ n: Number(m.payload), at: now(), sharded: m.sharded === true });
      received.set(m.channel, list);
    });
    let port: number | null = null;
    try {
      await subscriber.connect();
      await subscriber.subscribe([locator]);
      port = await subscribedNode(cluster, locator);
      assert.ok(port !== null, `no node reports a subscriber on ${locator}`);
      if (masters.includes(port) || attempt >= 6) {
        await subscriber.unsubscribe([locator]);
        return { subscriber, subscriberNodePort: port, received };
      }
    } catch (e) {
      await subscriber.close();
      throw e;
    }
    await subscriber.close();
  }
}

/**
 * A channel name starting with `prefix` whose hash slot the given master serves. The plain channel too, although
 * PUBLISH goes to any node: with ioredis's auto-pipelining a PUBLISH and an SPUBLISH of one tick on the same master's
 * slots shared a pipeline, and after the failover the SPUBLISH's MOVED was then neither followed nor used to refresh
 * the slot map, so SPUBLISH failed for good. This keeps that case covered.
 */
async function channelOn(cluster: RedisClusterHandle, masterPort: number, prefix: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const name = `${prefix}:${i}`;
    if ((await cluster.masterForSlot(keySlot(name))) === masterPort) return name;
  }
  throw new Error(`no channel name found on master ${masterPort}`);
}

interface ChannelStats {
  failures: number;
  errorKinds: Map<string, number>;
  /** When the last publish that reached a subscriber (receivers > 0) was sent. */
  lastHeardAt: number;
}

/**
 * Publishes a counter on both channels every PUBLISH_EVERY_MS, PUBLISH and SPUBLISH in the same tick as an app that
 * fans one event out to both would; failures (expected while the master is down) are counted per channel.
 */
function startPublisher(publisher: Transport, probe: PubSubProbe) {
  const publishedAt = new Map<number, number>();
  const stats = (): ChannelStats => ({ failures: 0, errorKinds: new Map(), lastHeardAt: 0 });
  const plain = stats();
  const shard = stats();
  const track = (s: ChannelStats, at: number, p: Promise<number>) => p.then(
    (receivers) => { if (receivers > 0) s.lastHeardAt = at; },
    (e: unknown) => {
      s.failures++;
      const kind = errorKind(e);
      s.errorKinds.set(kind, (s.errorKinds.get(kind) ?? 0) + 1);
    },
  );
  let n = 0;
  const timer = setInterval(() => {
    const k = n++;
    const at = now();
    publishedAt.set(k, at);
    void track(plain, at, publisher.publish(probe.plain, String(k)));
    void track(shard, at, publisher.spublish(probe.shard, String(k)));
  }, PUBLISH_EVERY_MS);
  return { publishedAt, plain, shard, stop: () => clearInterval(timer) };
}

/** Ms from the kill to the first message received on `channel` that was published after the kill. */
function firstDeliveryAfter(probe: PubSubProbe, channel: string, publishedAt: Map<number, number>, killedAt: number): number | null {
  const late = (probe.received.get(channel) ?? []).filter((m) => (publishedAt.get(m.n) ?? 0) > killedAt);
  return late.length === 0 ? null : Math.round(Math.min(...late.map((m) => m.at)) - killedAt);
}

// ---------------------------------------------------------------- one run

interface RunFigures {
  label: string;
  victim: number;
  newMaster: number;
  victimPartitions: number;
  failoverMs: number;
  rejoinedMs: number;
  acknowledged: number;
  storedEntries: number;
  lost: number;
  duplicates: number;
  storedUnacknowledged: number;
  unreadable: number;
  errors: number;
  errorKinds: Map<string, number>;
  /** First failed append after the kill → first acknowledged batch after it. */
  recoveryMs: number | null;
  killToFirstErrorMs: number | null;
  subscriberOnVictim: boolean;
  plainResumedMs: number | null;
  shardResumedMs: number | null;
  shardFlagged: boolean;
  plain: ChannelStats;
  shard: ChannelStats;
  /** Ms after the kill of the last SPUBLISH that reached a subscriber (null: none after the kill). */
  shardLastHeardMs: number | null;
  /** PUBSUB SHARDNUMSUB of the shard channel on the new master at the end. */
  shardSubscribersOnNewMaster: number;
}

async function failoverRun(cluster: RedisClusterHandle, label: string, waitForReplicas: number): Promise<RunFigures> {
  const slug = label.replace(/[^A-Za-z0-9]+/g, '_');
  const writerTransport = createTransport({ url: cluster.seedUrl, commandTimeoutMs: 2000 });
  const publisher = createTransport({ url: cluster.seedUrl, commandTimeoutMs: 2000 });
  let probe: PubSubProbe | undefined;
  try {
    await writerTransport.connect();
    await publisher.connect();
    assert.equal(writerTransport.mode, 'cluster');
    const store = new EventStore(writerTransport, {
      streamKey: `failover_${slug}`, publishChannel: null, waitForReplicas, replicaTimeoutMs: 500,
    });
    const partitions = store.partitionKeys();
    assert.equal(partitions.length, 16, 'a cluster store is partitioned');

    const base = await subscriberOnAMaster(cluster, `failover:${slug}:locator`);
    const masters = await cluster.masterPorts();
    const victim = masters.includes(base.subscriberNodePort) ? base.subscriberNodePort : await cluster.masterForSlot(keySlot(partitions[0]));
    probe = {
      ...base, plain: await channelOn(cluster, victim, `failover:${slug}:plain`), shard: await channelOn(cluster, victim, `failover:${slug}:shard`),
    };
    await probe.subscriber.subscribe([probe.plain]);
    await probe.subscriber.ssubscribe([probe.shard]);
    const victimPartitions = (await Promise.all(partitions.map((k) => cluster.masterForSlot(keySlot(k))))).filter((p) => p === victim).length;
    assert.ok(victimPartitions > 0, `master ${victim} serves some of the store's partitions`);

    const publishing = startPublisher(publisher, probe);
    const runStart = now();
    let stopAt = Number.POSITIVE_INFINITY;
    let rejoined = false;
    let rejoinedAt = Number.POSITIVE_INFINITY;
    const writing = runWriter(store, slug, () => now() >= stopAt && rejoined, runStart + RUN_DEADLINE_MS);

    await sleep(WRITE_BEFORE_KILL_MS);
    // Errors count from just before the SIGKILL; deliveries from once the process is gone (killNode waits for its
    // exit): a message published in between may still have been delivered by the old master.
    const killAt = now();
    await cluster.killNode(victim);
    const killedAt = now();
    let newMaster = 0;
    let failoverMs = -1;
    let rejoinedMs = -1;
    try {
      ({ newMasterPort: newMaster, ms: failoverMs } = await cluster.waitForFailover(victim, 15_000));
      stopAt = now() + WRITE_AFTER_OK_MS;
      // The supervisor's part: the crashed node comes back (empty: no persistence) and rejoins as a replica.
      await cluster.restartNode(victim);
      await cluster.waitForClusterOk(15_000);
      rejoinedAt = now();
      rejoinedMs = Math.round(rejoinedAt - killAt);
    } finally {
      rejoined = true; // whatever happened, let the writer stop
    }
    const writer = await writing;
    await sleep(300); // messages still on their way
    publishing.stop();

    const stored = await storedSequences(writerTransport, partitions);
    let lost = 0;
    for (const n of writer.acknowledged) if (!stored.counts.has(n)) lost++;
    let duplicates = 0;
    let storedUnacknowledged = 0;
    for (const [n, count] of stored.counts) {
      duplicates += count - 1;
      if (!writer.acknowledged.has(n)) storedUnacknowledged++;
    }
    const errorsAfterKill = writer.errors.filter((e) => e.at >= killAt);
    const firstError = errorsAfterKill[0]?.at;
    const firstSuccessAfterError = firstError === undefined ? undefined : writer.successes.find((t) => t > firstError);
    const errorKinds = new Map<string, number>();
    for (const e of writer.errors) errorKinds.set(e.kind, (errorKinds.get(e.kind) ?? 0) + 1);
    const shardMessages = probe.received.get(probe.shard) ?? [];
    return {
      label, victim, newMaster, victimPartitions, failoverMs, rejoinedMs,
      acknowledged: writer.acknowledged.size, storedEntries: stored.entries, lost, duplicates, storedUnacknowledged,
      unreadable: stored.unreadable, errors: writer.errors.length, errorKinds,
      recoveryMs: firstError === undefined || firstSuccessAfterError === undefined ? null : Math.round(firstSuccessAfterError - firstError),
      killToFirstErrorMs: firstError === undefined ? null : Math.round(firstError - killAt),
      subscriberOnVictim: probe.subscriberNodePort === victim,
      plainResumedMs: firstDeliveryAfter(probe, probe.plain, publishing.publishedAt, killedAt),
      shardResumedMs: firstDeliveryAfter(probe, probe.shard, publishing.publishedAt, killedAt),
      shardFlagged: shardMessages.length > 0 && shardMessages.every((m) => m.sharded),
      plain: publishing.plain,
      shard: publishing.shard,
      shardLastHeardMs: publishing.shard.lastHeardAt > killedAt ? Math.round(publishing.shard.lastHeardAt - killedAt) : null,
      shardSubscribersOnNewMaster: newMaster ? Number(((await ask(newMaster, 'PUBSUB', 'SHARDNUMSUB', probe.shard)) as [string, number])[1]) : -1,
    };
  } finally {
    await Promise.allSettled([writerTransport.close(), publisher.close(), probe?.subscriber.close()]);
  }
}

function printFigures(f: RunFigures): void {
  const line = (s: string) => console.log(`FIGURE: cluster failover, ${f.label}: ${s}`);
  const kinds = (m: Map<string, number>) => [...m].map(([k, n]) => `${n}× ${k}`).join(' | ') || 'none';
  line(`master ${f.victim} (${f.victimPartitions}/16 partitions) SIGKILLed; replica ${f.newMaster} serving its slots after ${f.failoverMs} ms; killed node back as a replica and in sync after ${f.rejoinedMs} ms`);
  line(`lost=${f.lost} acknowledged events missing, duplicates=${f.duplicates}, events written (acknowledged)=${f.acknowledged}, entries stored=${f.storedEntries}, stored but never acknowledged=${f.storedUnacknowledged}`);
  line(`errors seen=${f.errors}; first error ${f.killToFirstErrorMs} ms after the kill; recovery=${f.recoveryMs} ms (first failed append → first acknowledged batch)`);
  line(`append errors: ${kinds(f.errorKinds)}`);
  line(`pub/sub: subscriber connection on the killed master: ${f.subscriberOnVictim ? 'yes' : 'no (on a replica)'}; first message published after the kill received after ${f.plainResumedMs} ms (plain channel), ${f.shardResumedMs} ms (shard channel); shard subscribers on the new master at the end: ${f.shardSubscribersOnNewMaster}`);
  line(`pub/sub: PUBLISH failures: ${f.plain.failures} (${kinds(f.plain.errorKinds)})`);
  line(`pub/sub: SPUBLISH failures: ${f.shard.failures} (${kinds(f.shard.errorKinds)}); last SPUBLISH that reached a subscriber sent ${f.shardLastHeardMs} ms after the kill`);
}

describe('cluster failover: a master killed during a write run (3 masters + 3 replicas, node-timeout 1000 ms)', () => {
  let cluster: RedisClusterHandle | undefined;
  const runs = new Map<string, RunFigures>();
  before(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  });
  after(async () => { await cluster?.stop(); });

  const checkStore = (f: RunFigures) => {
    assert.equal(f.unreadable, 0, 'every stored entry is an event the writer wrote');
    assert.ok(f.acknowledged > 0, 'the writer got batches acknowledged');
    assert.ok(f.errors > 0, 'the kill was noticed: some appends failed');
    assert.ok(f.recoveryMs !== null, 'appends succeeded again after the failover');
  };
  // The run is shared with the store test before it: a pub/sub failure is reported on its own.
  const checkPubSub = (label: string) => {
    const f = runs.get(label);
    assert.ok(f, `the ${label} run did not complete`);
    assert.ok(f.plainResumedMs !== null, 'the plain-channel subscriber received messages published after the kill');
    assert.ok(f.shardSubscribersOnNewMaster > 0, 'the shard-channel subscription moved to the new master');
    assert.ok(f.shardResumedMs !== null, `the shard-channel subscriber received messages published after the kill (SPUBLISH failures: ${[...f.shard.errorKinds].map(([k, n]) => `${n}× ${k}`).join(' | ')})`);
    assert.ok(f.plainResumedMs < 10_000 && f.shardResumedMs < 10_000, 'pub/sub resumed within 10 s of the kill');
    assert.ok(f.shardFlagged, 'shard-channel messages arrive flagged as sharded');
  };

  it('without WAIT: appends recover within 10 s; acknowledged events lost are counted', { timeout: 40_000 }, async () => {
    const f = await failoverRun(cluster!, 'no WAIT', 0);
    runs.set(f.label, f);
    printFigures(f);
    checkStore(f);
    assert.ok(f.recoveryMs! < 10_000, `appends recovered ${f.recoveryMs} ms after the first failure`);
    assert.equal(f.duplicates, 0, 'no event stored twice: resent chunks were recognised by their producer sequence');
  });

  it('without WAIT: publishers and subscribers on the killed master\'s channels work again', () => checkPubSub('no WAIT'));

  it('with waitForReplicas: 1: no acknowledged event is lost', { timeout: 40_000 }, async () => {
    const f = await failoverRun(cluster!, 'WAIT 1', 1);
    runs.set(f.label, f);
    printFigures(f);
    checkStore(f);
    assert.equal(f.lost, 0, 'every acknowledged event is on the promoted replica');
    assert.equal(f.duplicates, 0, 'no event stored twice: resent chunks were recognised by their producer sequence');
  });

  it('with waitForReplicas: 1: publishers and subscribers on the killed master\'s channels work again', () => checkPubSub('WAIT 1'));
});

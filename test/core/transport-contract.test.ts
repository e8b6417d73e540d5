// One contract, two transports: every behaviour below runs against a private redis-server (RedisTransport) and
// against the in-process EmbeddedTransport, with two clients on the same server each time, so pub/sub between
// clients and consumer groups shared by clients are exercised too. Values asserted are the ones Redis 7.0 gives.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClosedError, RedisCommandError, UCoreError } from '../../src/core/errors';
import { EmbeddedServer } from '../../src/core/transport/embedded/server';
import { EmbeddedTransport } from '../../src/core/transport/embedded/transport';
import { RedisTransport } from '../../src/core/transport/redis';
import type { IndexedAppend, PubSubMessage, StreamEntry, TopologyMode, Transport } from '../../src/core/transport/types';
import { startRedisServer } from '../support/redis-server';

export interface ContractClients {
  /** Two connected clients of the same server. */
  a: Transport;
  b: Transport;
  /** A new, not yet connected client of the same server. */
  fresh?: () => Transport;
  /** What topology() must say about the server behind `a` and `b`. */
  mode: TopologyMode;
  /** `host:port` of that server (`embedded:<name>` in-process). */
  address: string;
  cleanup(): Promise<void>;
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

function record(t: Transport): { messages: PubSubMessage[]; stop(): void } {
  const messages: PubSubMessage[] = [];
  const d = t.onMessage((m) => messages.push(m));
  return { messages, stop: () => d.dispose() };
}

async function rejectsWith(p: Promise<unknown>, prefix: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RedisCommandError, `expected a RedisCommandError, got ${String(e)}`);
    assert.ok(e.message.startsWith(prefix), `expected "${prefix}...", got "${e.message}"`);
    return true;
  });
}

/** A PSUBSCRIBE / PUBSUB CHANNELS pattern that matches `name` literally. */
const literalGlob = (name: string) => name.replace(/[*?[\]\\]/g, '\\$&');

const ids = (entries: StreamEntry[]) => entries.map((e) => e.id);
const plain = (o: Record<string, string>) => ({ ...o });

export function defineContract(name: string, makeTransport: () => Promise<ContractClients>): void {
  describe(`transport contract: ${name}`, () => {
    let a: Transport;
    let b: Transport;
    let clients: ContractClients;
    let seq = 0;
    /** A key or channel name no other test uses. */
    const k = (what: string) => `ct-${name}-${++seq}-${what}`;

    before(async () => {
      clients = await makeTransport();
      a = clients.a;
      b = clients.b;
    });
    after(async () => {
      await clients?.cleanup();
    });

    // ------------------------------------------------------------------ connection

    describe('connection', () => {
      it('is ready, answers PING and says what it is', async () => {
        assert.equal(a.status, 'ready');
        assert.equal(b.status, 'ready');
        assert.equal(a.kind, name);
        await a.ping();
        assert.ok(a.description.length > 0);
        assert.ok(!/password|secret/i.test(a.description));
      });

      it('rejects calls before connect and after close with ClosedError; close is idempotent', async (t) => {
        if (!clients.fresh) return t.skip('no fresh client');
        const c = clients.fresh();
        const statuses: string[] = [];
        c.onStatus((s) => statuses.push(s));
        await assert.rejects(c.get(k('x')), (e: unknown) => e instanceof ClosedError);
        await c.connect();
        assert.equal(c.status, 'ready');
        assert.ok(statuses.includes('connecting') && statuses.at(-1) === 'ready', statuses.join(','));
        await c.set(k('y'), '1');
        await c.close();
        await c.close();
        assert.equal(c.status, 'closed');
        assert.equal(statuses.at(-1), 'closed');
        await assert.rejects(c.get(k('x')), (e: unknown) => e instanceof UCoreError && e.code === 'CLOSED');
      });

      it('close() rejects a pending blocking read with ClosedError', async (t) => {
        if (!clients.fresh) return t.skip('no fresh client');
        const c = clients.fresh();
        await c.connect();
        const key = k('s');
        await a.xgroupCreate(key, 'g', '$', { mkStream: true });
        const pending = c.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key, id: '>' }], blockMs: 5000 });
        await sleep(50);
        const started = Date.now();
        await c.close();
        await assert.rejects(pending, (e: unknown) => e instanceof UCoreError && e.code === 'CLOSED');
        assert.ok(Date.now() - started < 2000);
      });
    });

    // ------------------------------------------------------------------ pub/sub

    describe('pub/sub', () => {
      it('delivers to an exact subscriber in publish order and counts receivers', async () => {
        const ch = k('ch');
        const rec = record(b);
        await b.subscribe([ch]);
        assert.equal(await a.publish(ch, 'first'), 1);
        const counts = await a.publishBatch(Array.from({ length: 50 }, (_, i) => [ch, `m${i}`] as const));
        assert.deepEqual(counts, Array(50).fill(1));
        await until('51 messages', () => rec.messages.filter((m) => m.channel === ch).length === 51);
        const got = rec.messages.filter((m) => m.channel === ch);
        assert.deepEqual(got[0], { channel: ch, payload: 'first' });
        assert.equal(got[0]!.pattern, undefined);
        assert.deepEqual(got.slice(1).map((m) => m.payload), Array.from({ length: 50 }, (_, i) => `m${i}`));
        assert.equal(await a.publish(k('nobody'), 'x'), 0);
        rec.stop();
        await b.unsubscribe([ch]);
      });

      it('delivers through patterns, once per matching subscription', async () => {
        const base = k('p');
        const ch = `${base}:abc`;
        const rec = record(b);
        await b.subscribe([ch]);
        await b.psubscribe([`${base}:*`, `${base}:[ab]*`, `${base}:x*`]);
        assert.equal(await a.publish(ch, 'hello'), 3);
        await until('3 messages', () => rec.messages.filter((m) => m.channel === ch).length === 3);
        const got = rec.messages.filter((m) => m.channel === ch);
        assert.deepEqual(got.map((m) => m.pattern ?? '(exact)').sort(), ['(exact)', `${base}:*`, `${base}:[ab]*`].sort());
        assert.ok(got.every((m) => m.payload === 'hello'));
        // A second client subscribed to the channel is one more receiver.
        await a.subscribe([ch]);
        assert.equal(await b.publish(ch, 'again'), 4);
        await a.unsubscribe([ch]);
        await b.unsubscribe([ch]);
        await b.punsubscribe([`${base}:*`, `${base}:[ab]*`, `${base}:x*`]);
        assert.equal(await a.publish(ch, 'gone'), 0);
        rec.stop();
      });

      it('stops delivering after unsubscribe and punsubscribe', async () => {
        const ch = k('ch');
        const marker = k('marker');
        const rec = record(b);
        await b.subscribe([ch, marker]);
        await b.psubscribe([`${ch}*`]);
        assert.equal(await a.publish(ch, 'before'), 2);
        await b.unsubscribe([ch]);
        assert.equal(await a.publish(ch, 'pattern only'), 1);
        await b.punsubscribe([`${ch}*`]);
        assert.equal(await a.publish(ch, 'after'), 0);
        await a.publish(marker, 'end');
        await until('the marker', () => rec.messages.some((m) => m.channel === marker));
        assert.deepEqual(
          rec.messages.filter((m) => m.channel === ch).map((m) => `${m.pattern ?? ''}|${m.payload}`).sort(),
          [`${ch}*|before`, `${ch}*|pattern only`, '|before'].sort(),
        );
        rec.stop();
        await b.unsubscribe([marker]);
      });

      it('answers PUBSUB CHANNELS, NUMSUB and NUMPAT', async () => {
        const base = k('introspect');
        const patsBefore = await a.pubsubNumpat();
        await b.subscribe([`${base}.a1`, `${base}.b2`, `${base}.c`, `${base}.[x]`]);
        await a.subscribe([`${base}.a1`]);
        await b.psubscribe([`${base}.p*`, `${base}.q*`]);
        await a.psubscribe([`${base}.p*`]);
        assert.deepEqual((await a.pubsubChannels(`${base}.*`)).sort(), [`${base}.[x]`, `${base}.a1`, `${base}.b2`, `${base}.c`]);
        assert.deepEqual((await a.pubsubChannels(`${base}.[ab]?`)).sort(), [`${base}.a1`, `${base}.b2`]);
        assert.deepEqual((await a.pubsubChannels(`${base}.[^a]*`)).sort(), [`${base}.[x]`, `${base}.b2`, `${base}.c`]);
        assert.deepEqual(await a.pubsubChannels(`${base}.\\[x\\]`), [`${base}.[x]`]);
        assert.deepEqual(await a.pubsubChannels(`${base}.?`), [`${base}.c`]);
        assert.ok((await a.pubsubChannels()).includes(`${base}.c`));
        assert.deepEqual(await a.pubsubNumsub([`${base}.a1`, `${base}.c`, `${base}.none`, `${base}.p1`]), [
          { channel: `${base}.a1`, subscribers: 2 },
          { channel: `${base}.c`, subscribers: 1 },
          { channel: `${base}.none`, subscribers: 0 },
          { channel: `${base}.p1`, subscribers: 0 },
        ]);
        // NUMPAT counts distinct patterns.
        assert.equal(await a.pubsubNumpat(), patsBefore + 2);
        await b.unsubscribe([`${base}.a1`, `${base}.b2`, `${base}.c`, `${base}.[x]`]);
        await a.unsubscribe([`${base}.a1`]);
        await b.punsubscribe([`${base}.p*`, `${base}.q*`]);
        await a.punsubscribe([`${base}.p*`]);
        assert.deepEqual(await a.pubsubChannels(`${base}.*`), []);
        assert.equal(await a.pubsubNumpat(), patsBefore);
      });
    });

    // ------------------------------------------------------------------ shard pub/sub (Redis 7)

    describe('shard pub/sub', () => {
      it('delivers SPUBLISH to shard subscribers in order, marked sharded, and counts receivers', async () => {
        const ch = k('shard');
        assert.equal(await a.spublish(ch, 'nobody'), 0);
        const recB = record(b);
        const recA = record(a);
        await b.ssubscribe([ch]);
        assert.equal(await a.spublish(ch, 'first'), 1);
        const sent = Array.from({ length: 30 }, (_, i) => `m${i}`);
        for (const m of sent) assert.equal(await a.spublish(ch, m), 1);
        await until('31 shard messages', () => recB.messages.filter((m) => m.channel === ch).length === 31);
        const got = recB.messages.filter((m) => m.channel === ch);
        assert.deepEqual(got[0], { channel: ch, payload: 'first', sharded: true });
        assert.deepEqual(got.slice(1).map((m) => m.payload), sent);
        assert.ok(got.every((m) => m.sharded === true && m.pattern === undefined));

        // A second client is one more receiver; each gets the message once.
        await a.ssubscribe([ch]);
        assert.equal(await b.spublish(ch, 'both'), 2);
        await until('the message on both clients', () => recA.messages.some((m) => m.payload === 'both') && recB.messages.some((m) => m.payload === 'both'));
        await sleep(20);
        assert.equal(recA.messages.filter((m) => m.payload === 'both').length, 1);
        assert.equal(recB.messages.filter((m) => m.payload === 'both').length, 1);

        await a.sunsubscribe([ch]);
        await b.sunsubscribe([ch]);
        assert.equal(await a.spublish(ch, 'gone'), 0);
        recA.stop();
        recB.stop();
      });

      it('subscribes a channel held three times once, until three SUNSUBSCRIBEs; ignores SUNSUBSCRIBE of a channel not subscribed', async () => {
        const ch = k('shard-twice');
        const other = k('shard-never');
        const rec = record(b);
        await b.ssubscribe([ch, ch]);
        await b.ssubscribe([ch]);
        assert.deepEqual(await a.pubsubShardNumsub([ch]), [{ channel: ch, subscribers: 1 }]);
        assert.equal(await a.spublish(ch, 'once'), 1);
        await b.sunsubscribe([other]);
        await b.sunsubscribe([]);
        await b.ssubscribe([]);
        assert.deepEqual(await a.pubsubShardNumsub([ch, other]), [{ channel: ch, subscribers: 1 }, { channel: other, subscribers: 0 }]);
        assert.equal(await a.spublish(ch, 'still'), 1);
        await until('2 messages', () => rec.messages.filter((m) => m.channel === ch).length >= 2);
        await sleep(20);
        assert.deepEqual(rec.messages.filter((m) => m.channel === ch).map((m) => m.payload), ['once', 'still']);
        // Each SSUBSCRIBE is a holder (features share a transport): the channel stays until the last lets go.
        await b.sunsubscribe([ch]);
        await b.sunsubscribe([ch]);
        assert.deepEqual(await a.pubsubShardNumsub([ch]), [{ channel: ch, subscribers: 1 }]);
        await b.sunsubscribe([ch]);
        assert.deepEqual(await a.pubsubShardNumsub([ch]), [{ channel: ch, subscribers: 0 }]);
        rec.stop();
      });

      it('keeps shard channels apart from ordinary channels and patterns of the same name', async () => {
        const ch = k('both');
        const rec = record(b);
        await b.subscribe([ch]);
        await b.psubscribe([`${ch}*`]);
        // Only ordinary subscribers so far: SPUBLISH reaches nobody, patterns included.
        assert.equal(await a.spublish(ch, 'shard-0'), 0);
        await b.ssubscribe([ch]);
        assert.equal(await a.publish(ch, 'plain-1'), 2, 'PUBLISH: the exact and the pattern subscription, not the shard one');
        assert.equal(await a.spublish(ch, 'shard-1'), 1, 'SPUBLISH: the shard subscription only');
        await until('3 messages', () => rec.messages.filter((m) => m.channel === ch).length === 3);
        await sleep(20);
        const got = rec.messages.filter((m) => m.channel === ch).map((m) => `${m.sharded ? 'S' : '-'}|${m.pattern ?? ''}|${m.payload}`);
        assert.deepEqual(got.sort(), ['-||plain-1', `-|${ch}*|plain-1`, 'S||shard-1'].sort());
        const plainOnes = rec.messages.filter((m) => m.channel === ch && !m.sharded);
        assert.ok(plainOnes.every((m) => !('sharded' in m) || m.sharded === false), 'ordinary messages are not marked sharded');

        // Introspection keeps the namespaces apart too.
        assert.deepEqual(await a.pubsubChannels(literalGlob(ch)), [ch]);
        assert.deepEqual(await a.pubsubShardChannels(literalGlob(ch)), [ch]);
        await b.unsubscribe([ch]);
        await b.punsubscribe([`${ch}*`]);
        assert.deepEqual(await a.pubsubChannels(literalGlob(ch)), []);
        assert.deepEqual(await a.pubsubNumsub([ch]), [{ channel: ch, subscribers: 0 }]);
        assert.deepEqual(await a.pubsubShardChannels(literalGlob(ch)), [ch]);
        assert.deepEqual(await a.pubsubShardNumsub([ch]), [{ channel: ch, subscribers: 1 }]);
        assert.equal(await a.publish(ch, 'plain-2'), 0);
        // An ordinary subscription alone does not make a shard channel, nor the other way round.
        const onlyPlain = k('only-plain');
        await a.subscribe([onlyPlain]);
        assert.deepEqual(await b.pubsubShardChannels(literalGlob(onlyPlain)), []);
        assert.deepEqual(await b.pubsubShardNumsub([onlyPlain]), [{ channel: onlyPlain, subscribers: 0 }]);
        await a.unsubscribe([onlyPlain]);
        await b.sunsubscribe([ch]);
        assert.deepEqual(await a.pubsubShardChannels(literalGlob(ch)), []);
        rec.stop();
      });

      // Redis counts shard subscriptions apart from channels and patterns in (S)UNSUBSCRIBE replies: a client that
      // reads a 0 there as "no subscriptions left" stops reading the ones of the other kind.
      it('keeps delivering one kind after the last subscription of the other kind is dropped', async () => {
        const plainCh = k('keep-plain');
        const shardCh = k('keep-shard');
        const rec = record(b);
        await b.subscribe([plainCh]);
        await b.ssubscribe([shardCh]);
        await b.unsubscribe([plainCh]);
        assert.equal(await a.spublish(shardCh, 'shard after unsubscribe'), 1);
        await until('the shard message', () => rec.messages.some((m) => m.payload === 'shard after unsubscribe'));
        await b.psubscribe([`${plainCh}*`]);
        await b.punsubscribe([`${plainCh}*`]);
        assert.equal(await a.spublish(shardCh, 'shard after punsubscribe'), 1);
        await until('the second shard message', () => rec.messages.some((m) => m.payload === 'shard after punsubscribe'));

        await b.subscribe([plainCh]);
        await b.sunsubscribe([shardCh]);
        assert.equal(await a.publish(plainCh, 'plain after sunsubscribe'), 1);
        await until('the ordinary message', () => rec.messages.some((m) => m.payload === 'plain after sunsubscribe'));
        // The client still answers and subscribes normally afterwards.
        await b.ping();
        await b.ssubscribe([shardCh]);
        assert.equal(await a.spublish(shardCh, 'shard again'), 1);
        await until('the last shard message', () => rec.messages.some((m) => m.payload === 'shard again'));
        assert.deepEqual(rec.messages.map((m) => `${m.sharded ? 'S' : '-'}|${m.channel}|${m.payload}`), [
          `S|${shardCh}|shard after unsubscribe`, `S|${shardCh}|shard after punsubscribe`,
          `-|${plainCh}|plain after sunsubscribe`, `S|${shardCh}|shard again`,
        ]);
        await b.unsubscribe([plainCh]);
        await b.sunsubscribe([shardCh]);
        rec.stop();
      });

      it('answers PUBSUB SHARDCHANNELS with globs and SHARDNUMSUB per channel', async () => {
        const base = k('sintro');
        await b.ssubscribe([`${base}.a1`, `${base}.b2`, `${base}.c`, `${base}.[x]`]);
        await a.ssubscribe([`${base}.a1`]);
        assert.deepEqual((await a.pubsubShardChannels(`${base}.*`)).sort(), [`${base}.[x]`, `${base}.a1`, `${base}.b2`, `${base}.c`]);
        assert.deepEqual((await a.pubsubShardChannels(`${base}.[ab]?`)).sort(), [`${base}.a1`, `${base}.b2`]);
        assert.deepEqual((await a.pubsubShardChannels(`${base}.[^a]*`)).sort(), [`${base}.[x]`, `${base}.b2`, `${base}.c`]);
        assert.deepEqual(await a.pubsubShardChannels(`${base}.\\[x\\]`), [`${base}.[x]`]);
        assert.deepEqual(await a.pubsubShardChannels(`${base}.?`), [`${base}.c`]);
        assert.deepEqual(await a.pubsubShardChannels(`${base}.nothing*`), []);
        assert.ok((await a.pubsubShardChannels()).includes(`${base}.c`));
        assert.deepEqual(await a.pubsubShardNumsub([`${base}.a1`, `${base}.c`, `${base}.none`, `${base}.a1`]), [
          { channel: `${base}.a1`, subscribers: 2 },
          { channel: `${base}.c`, subscribers: 1 },
          { channel: `${base}.none`, subscribers: 0 },
          { channel: `${base}.a1`, subscribers: 2 },
        ]);
        assert.deepEqual(await a.pubsubShardNumsub([]), []);
        await b.sunsubscribe([`${base}.a1`, `${base}.b2`, `${base}.c`, `${base}.[x]`]);
        assert.deepEqual(await a.pubsubShardChannels(`${base}.*`), [`${base}.a1`]);
        await a.sunsubscribe([`${base}.a1`]);
        assert.deepEqual(await a.pubsubShardChannels(`${base}.*`), []);
      });

      it('carries hostile shard channel names exactly: control bytes, glob characters, unicode, empty, 64 KiB', async () => {
        const names = [
          '\u0000\r\n\u00ff\u0001', '*?[]\\^-', '[', 'é🎉中文\u202e', '__proto__', 'constructor', ' spaced name ',
          '', `${k('long')}:${'x'.repeat(64 * 1024)}`, '\u001b[2J\u001b]0;title\u0007',
        ];
        const rec = record(b);
        await b.ssubscribe(names);
        for (const [i, name] of names.entries()) assert.equal(await a.spublish(name, `p${i}`), 1, `receivers of ${JSON.stringify(name.slice(0, 40))}`);
        await until('every hostile message', () => rec.messages.filter((m) => m.sharded).length >= names.length);
        const got = rec.messages.filter((m) => m.sharded);
        assert.deepEqual(got.map((m) => m.channel), names, 'channel names arrive exactly as sent, in order');
        assert.deepEqual(got.map((m) => m.payload), names.map((_, i) => `p${i}`));
        assert.deepEqual(await a.pubsubShardNumsub(names), names.map((channel) => ({ channel, subscribers: 1 })));
        const listed = await a.pubsubShardChannels();
        for (const name of names) assert.ok(listed.includes(name), `listed: ${JSON.stringify(name.slice(0, 40))}`);
        // Each name found by a pattern that matches it literally ('' matches the empty name only).
        for (const name of names) assert.deepEqual(await a.pubsubShardChannels(literalGlob(name)), [name], `literal glob of ${JSON.stringify(name.slice(0, 40))}`);
        // Redis's glob never matches an empty name with `*`.
        assert.ok(!(await a.pubsubShardChannels('*')).includes(''));
        // Ordinary PUBLISH on the same names reaches none of them.
        for (const name of names) assert.equal(await a.publish(name, 'plain'), 0);
        await b.sunsubscribe(names);
        assert.deepEqual(await a.pubsubShardNumsub(names), names.map((channel) => ({ channel, subscribers: 0 })));
        await sleep(20);
        assert.equal(rec.messages.filter((m) => m.payload === 'plain').length, 0);
        rec.stop();
      });

      it('drops the shard subscriptions of a closed client', async (t) => {
        if (!clients.fresh) return t.skip('no fresh client');
        const c = clients.fresh();
        const ch = k('shard-closed');
        try {
          await c.connect();
          await c.ssubscribe([ch]);
          assert.deepEqual(await a.pubsubShardNumsub([ch]), [{ channel: ch, subscribers: 1 }]);
        } finally {
          await c.close();
        }
        // Redis forgets a client once it sees the connection close: a moment later.
        const deadline = Date.now() + 3000;
        while ((await a.pubsubShardNumsub([ch]))[0]!.subscribers !== 0) {
          assert.ok(Date.now() < deadline, 'the closed client is still subscribed');
          await sleep(10);
        }
        assert.equal(await a.spublish(ch, 'x'), 0);
        assert.deepEqual(await a.pubsubShardChannels(literalGlob(ch)), []);
      });
    });

    // ------------------------------------------------------------------ topology and replication

    describe('topology and replication', () => {
      it('describes the one node behind a standalone or embedded server', async () => {
        assert.equal(a.mode, clients.mode);
        const topology = await a.topology();
        // Optional fields left undefined are the same as absent.
        assert.deepEqual(JSON.parse(JSON.stringify(topology)), {
          mode: clients.mode,
          nodes: [{ id: clients.address, address: clients.address, role: 'master', slots: [], state: 'ok', current: true }],
        });
        assert.deepEqual(await b.topology(), topology, 'both clients see the same node');
      });

      it('WAIT: no replicas acknowledge, and bad timeouts are refused as Redis refuses them', async () => {
        const key = k('wait');
        await a.set(key, '1');
        assert.equal(await a.waitReplicas(key, 0, 0), 0);
        const started = Date.now();
        assert.equal(await a.waitReplicas(key, 1, 50), 0);
        assert.ok(Date.now() - started < 2000, 'the timeout bounds the wait');
        await rejectsWith(a.waitReplicas(key, 1, -1), 'ERR timeout is negative');
      });
    });

    // ------------------------------------------------------------------ keys

    describe('keys', () => {
      it('sets, gets, deletes and counts keys', async () => {
        const key = k('s');
        const missing = k('missing');
        assert.equal(await a.get(key), null);
        assert.equal(await a.set(key, 'v1'), true);
        assert.equal(await b.get(key), 'v1');
        assert.equal(await a.exists([key, key, missing]), 2);
        assert.equal(await a.type(key), 'string');
        assert.equal(await a.type(missing), 'none');
        assert.equal(await a.del([key, missing]), 1);
        assert.equal(await a.get(key), null);
        assert.equal(await a.del([key]), 0);
      });

      it('honours NX, alone and pipelined', async () => {
        const key = k('nx');
        const other = k('nx2');
        assert.equal(await a.set(key, 'first', { nx: true }), true);
        assert.equal(await b.set(key, 'second', { nx: true }), false);
        assert.equal(await a.get(key), 'first');
        assert.deepEqual(await a.setNxGetBatch([[key, 't1'], [other, 't2'], [other, 't3']], 100), ['first', null, 't2']);
        assert.equal(await a.get(other), 't2');
        const ttl = await a.ttl(other);
        assert.ok(ttl >= 99 && ttl <= 100, `ttl ${ttl}`);
        assert.equal(await a.ttl(key), -1);
      });

      it('SET NX GET: sets an absent key and answers nil, else answers the old value and sets nothing', async () => {
        const key = k('nxget');
        assert.equal(await a.setNxGet(key, 'token-a', 100), null);
        assert.equal(await a.setNxGet(key, 'token-a', 100), 'token-a', 'a re-send finds its own value');
        assert.equal(await b.setNxGet(key, 'token-b', 50), 'token-a');
        assert.equal(await b.get(key), 'token-a');
        const ttl = await a.ttl(key);
        assert.ok(ttl >= 99 && ttl <= 100, `the old TTL stays: ${ttl}`);
        await a.set(key, 'plain');
        assert.equal(await a.setNxGet(key, 'token-c', 100), 'plain');
        assert.equal(await a.ttl(key), -1);
        const stream = k('nxget-stream');
        await a.xadd(stream, { f: '1' });
        await rejectsWith(a.setNxGet(stream, 'x', 100), WRONGTYPE);
        await rejectsWith(a.setNxGetBatch([[k('nxget-ok'), 'x'], [stream, 'x']], 100), WRONGTYPE);
        assert.equal(await a.type(stream), 'stream');
        assert.deepEqual(await a.setNxGetBatch([], 100), []);
      });

      it('keeps TTLs and expires keys', async () => {
        const key = k('ttl');
        assert.equal(await a.ttl(key), -2);
        await a.set(key, 'v');
        assert.equal(await a.ttl(key), -1);
        await a.set(key, 'v', { ttlSeconds: 100 });
        let ttl = await a.ttl(key);
        assert.ok(ttl >= 99 && ttl <= 100, `ttl ${ttl}`);
        assert.equal(await a.expire(key, 50), true);
        ttl = await b.ttl(key);
        assert.ok(ttl >= 49 && ttl <= 50, `ttl ${ttl}`);
        await a.set(key, 'plain');
        assert.equal(await a.ttl(key), -1, 'SET without EX clears the TTL');
        assert.equal(await a.expire(k('nope'), 10), false);
        await rejectsWith(a.set(key, 'v', { ttlSeconds: 0 }), "ERR invalid expire time in 'set' command");
        assert.equal(await a.expire(key, 0), true);
        assert.equal(await a.exists([key]), 0, 'EXPIRE 0 deletes');
        await a.set(key, 'short', { ttlSeconds: 1 });
        await a.incr(k('unrelated'));
        await sleep(1100);
        assert.equal(await a.get(key), null);
        assert.equal(await a.ttl(key), -2);
        assert.equal(await a.exists([key]), 0);
      });

      it('increments integers and refuses anything else', async () => {
        const key = k('n');
        assert.equal(await a.incr(key), 1);
        assert.equal(await b.incrBy(key, 10), 11);
        assert.equal(await a.incrBy(key, -20), -9);
        assert.equal(await a.get(key), '-9');
        const k1 = k('c1');
        const k2 = k('c2');
        await a.incrByBatch([[k1, 2], [k2, 3], [k1, 5]]);
        assert.equal(await a.get(k1), '7');
        assert.equal(await a.get(k2), '3');
        const withTtl = k('ttl');
        await a.set(withTtl, '5', { ttlSeconds: 100 });
        assert.equal(await a.incr(withTtl), 6);
        assert.ok((await a.ttl(withTtl)) > 90, 'INCR keeps the TTL');
        for (const bad of ['abc', '1.5', ' 1', '01', '']) {
          const key2 = k('bad');
          await a.set(key2, bad);
          await rejectsWith(a.incr(key2), 'ERR value is not an integer or out of range');
        }
        const big = k('big');
        await a.set(big, '9223372036854775807');
        await rejectsWith(a.incr(big), 'ERR increment or decrement would overflow');
        await a.set(big, '-9223372036854775808');
        await rejectsWith(a.incrBy(big, -1), 'ERR increment or decrement would overflow');
      });

      it('gives WRONGTYPE errors for a key of another type', async () => {
        const str = k('str');
        const hash = k('hash');
        const stream = k('stream');
        await a.set(str, 'x');
        await a.hset(hash, { f: 'v' });
        await a.xadd(stream, { f: 'v' });
        assert.equal(await a.type(hash), 'hash');
        assert.equal(await a.type(stream), 'stream');
        await rejectsWith(a.get(hash), WRONGTYPE);
        await rejectsWith(a.incr(stream), WRONGTYPE);
        await rejectsWith(a.hset(str, { f: 'v' }), WRONGTYPE);
        await rejectsWith(a.hgetall(stream), WRONGTYPE);
        await rejectsWith(a.hdel(str, ['f']), WRONGTYPE);
        await rejectsWith(a.xadd(str, { f: 'v' }), WRONGTYPE);
        await rejectsWith(a.xrange(hash, '-', '+'), WRONGTYPE);
        await rejectsWith(a.xlen(str), WRONGTYPE);
        await rejectsWith(a.xgroupCreate(str, 'g', '$'), WRONGTYPE);
        await rejectsWith(a.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key: hash, id: '>' }] }), WRONGTYPE);
        await rejectsWith(a.xread({ streams: [{ key: str, id: '0' }] }), WRONGTYPE);
        await rejectsWith(a.xinfoStream(hash), WRONGTYPE);
        // SET replaces a value of any type.
        assert.equal(await a.set(stream, 'now a string'), true);
        assert.equal(await a.get(stream), 'now a string');
      });

      it('SCANs every key with MATCH, TYPE and COUNT, cursor by cursor', async () => {
        const base = k('scan');
        const strings = Array.from({ length: 250 }, (_, i) => `${base}:s:${i}`);
        const hashes = Array.from({ length: 30 }, (_, i) => `${base}:h:${i}`);
        const streams = Array.from({ length: 10 }, (_, i) => `${base}:x:${i}`);
        for (const key of strings) await a.set(key, '1');
        for (const key of hashes) await a.hset(key, { f: '1' });
        for (const key of streams) await a.xadd(key, { f: '1' });
        await a.set(`${base}-other`, '1');

        const scanAll = async (options: Parameters<Transport['scan']>[1]) => {
          const seen = new Set<string>();
          let cursor = '0';
          let calls = 0;
          do {
            const r = await b.scan(cursor, options);
            for (const key of r.keys) seen.add(key);
            cursor = r.cursor;
            assert.ok(++calls < 10_000, 'SCAN must end');
          } while (cursor !== '0');
          return { keys: [...seen].sort(), calls };
        };
        const all = await scanAll({ match: `${base}:*`, count: 20 });
        assert.deepEqual(all.keys, [...strings, ...hashes, ...streams].sort());
        assert.ok(all.calls > 1, 'the iteration takes several calls');
        assert.deepEqual((await scanAll({ match: `${base}:*`, type: 'hash' })).keys, [...hashes].sort());
        assert.deepEqual((await scanAll({ match: `${base}:x:?`, type: 'stream', count: 1000 })).keys, [...streams].sort());
        assert.deepEqual((await scanAll({ match: `${base}:s:2[0-4]?` })).keys,
          strings.filter((s) => /:s:2[0-4]\d$/.test(s)).sort());

        // Keys present for the whole iteration are returned even while others come and go.
        const seen = new Set<string>();
        let cursor = '0';
        let round = 0;
        do {
          const r = await b.scan(cursor, { match: `${base}:*`, count: 15 });
          for (const key of r.keys) seen.add(key);
          cursor = r.cursor;
          round++;
          await a.set(`${base}:new:${round}`, '1');
          if (round <= 50) await a.del([strings[200 + round - 1]!]);
        } while (cursor !== '0');
        const stable = [...strings.slice(0, 200), ...hashes, ...streams];
        assert.deepEqual(stable.filter((key) => !seen.has(key)), []);
      });

      it('stores hashes with any field names', async () => {
        const key = k('h');
        assert.equal(await a.hset(key, { a: '1', b: '2' }), 2);
        assert.equal(await b.hset(key, { b: '3', c: '4' }), 1);
        const hostile: Record<string, string> = Object.create(null);
        hostile['__proto__'] = 'p';
        hostile['constructor'] = 'c';
        hostile['toString'] = 't';
        assert.equal(await a.hset(key, hostile), 3);
        const all = await a.hgetall(key);
        assert.equal(Object.getPrototypeOf(all), null);
        assert.deepEqual(plain(all), { a: '1', b: '3', c: '4', ['__proto__']: 'p', constructor: 'c', toString: 't' });
        assert.ok(Object.hasOwn(all, '__proto__'));
        assert.equal(await a.hdel(key, ['a', 'nope', '__proto__']), 2);
        assert.deepEqual(Object.keys(await a.hgetall(key)).sort(), ['b', 'c', 'constructor', 'toString']);
        assert.equal(await a.hdel(key, ['b', 'c', 'constructor', 'toString']), 4);
        assert.equal(await a.exists([key]), 0, 'an emptied hash is deleted');
        assert.deepEqual(plain(await a.hgetall(key)), {});
      });
    });

    // ------------------------------------------------------------------ streams

    describe('streams', () => {
      it('adds entries with explicit and generated ids and validates them like Redis', async () => {
        const key = k('s');
        assert.equal(await a.xadd(key, { n: '1' }, { id: '1-1' }), '1-1');
        assert.equal(await a.xadd(key, { n: '2' }, { id: '1-2' }), '1-2');
        assert.equal(await b.xadd(key, { n: '3' }, { id: '2' }), '2-0');
        assert.equal(await a.xadd(key, { n: '4' }, { id: '5-*' }), '5-0');
        assert.equal(await a.xadd(key, { n: '5' }, { id: '5-*' }), '5-1');
        await rejectsWith(a.xadd(key, { n: 'x' }, { id: '5-1' }), 'ERR The ID specified in XADD is equal or smaller than the target stream top item');
        await rejectsWith(a.xadd(key, { n: 'x' }, { id: '4-*' }), 'ERR The ID specified in XADD is equal or smaller than the target stream top item');
        await rejectsWith(a.xadd(k('new'), { n: 'x' }, { id: '0-0' }), 'ERR The ID specified in XADD must be greater than 0-0');
        await rejectsWith(a.xadd(key, { n: 'x' }, { id: 'abc' }), 'ERR Invalid stream ID specified as stream command argument');
        const generated: string[] = [];
        for (let i = 0; i < 200; i++) generated.push((await a.xadd(key, { i: String(i) }))!);
        for (let i = 1; i < generated.length; i++) {
          const [pm, ps] = generated[i - 1]!.split('-').map(Number) as [number, number];
          const [m, s] = generated[i]!.split('-').map(Number) as [number, number];
          assert.ok(m > pm || (m === pm && s > ps), `${generated[i]} after ${generated[i - 1]}`);
        }
        assert.equal(await a.xlen(key), 205);
        assert.equal(await a.xlen(k('missing')), 0);
        const missing = k('nomk');
        assert.equal(await a.xadd(missing, { f: 'v' }, { noMkStream: true }), null);
        assert.equal(await a.exists([missing]), 0);
        const batch = await a.xaddBatch([{ key, fields: { b: '1' } }, { key: missing, fields: { b: '2' }, options: { id: '7-7' } }]);
        assert.equal(batch.length, 2);
        assert.equal(batch[1], '7-7');
      });

      it('reads ranges with exclusive starts, ms-only ids, COUNT and reverse order', async () => {
        const key = k('r');
        for (const id of ['1-1', '1-2', '2-0', '3-5', '3-6', '4-0']) await a.xadd(key, { id }, { id });
        assert.deepEqual(ids(await b.xrange(key, '-', '+')), ['1-1', '1-2', '2-0', '3-5', '3-6', '4-0']);
        assert.deepEqual(ids(await b.xrange(key, '(1-1', '+')), ['1-2', '2-0', '3-5', '3-6', '4-0']);
        assert.deepEqual(ids(await b.xrange(key, '-', '(2-0')), ['1-1', '1-2']);
        assert.deepEqual(ids(await b.xrange(key, '1', '1')), ['1-1', '1-2'], 'ms-only: ms-0 .. ms-max');
        assert.deepEqual(ids(await b.xrange(key, '3', '+', 1)), ['3-5']);
        assert.deepEqual(ids(await b.xrange(key, '(3-5', '(4-0')), ['3-6']);
        assert.deepEqual(ids(await b.xrange(key, '5', '+')), []);
        assert.deepEqual(ids(await b.xrange(key, '4', '1')), []);
        assert.deepEqual(ids(await b.xrevrange(key, '+', '-', 2)), ['4-0', '3-6']);
        assert.deepEqual(ids(await b.xrevrange(key, '(3-6', '(1-1')), ['3-5', '2-0', '1-2']);
        assert.deepEqual(ids(await b.xrevrange(key, '3', '2')), ['3-6', '3-5', '2-0']);
        assert.deepEqual(ids(await b.xrange(k('missing'), '-', '+')), []);
        const [first] = await b.xrange(key, '-', '+', 1);
        assert.equal(Object.getPrototypeOf(first!.fields), null);
        assert.deepEqual(plain(first!.fields), { id: '1-1' });
        await rejectsWith(b.xrange(key, '(-', '+'), 'ERR Invalid stream ID specified as stream command argument');
        await rejectsWith(b.xrange(key, '-', '(0-0'), 'ERR invalid end ID for the interval');
      });

      it('keeps hostile field names as plain fields', async () => {
        const key = k('hostile');
        const fields: Record<string, string> = Object.create(null);
        fields['__proto__'] = '{"polluted":true}';
        fields['constructor'] = 'c';
        fields['hasOwnProperty'] = 'h';
        const id = await a.xadd(key, fields);
        const [entry] = await b.xrange(key, '-', '+');
        assert.equal(entry!.id, id);
        assert.equal(Object.getPrototypeOf(entry!.fields), null);
        assert.deepEqual(Object.keys(entry!.fields).sort(), ['__proto__', 'constructor', 'hasOwnProperty']);
        assert.equal(entry!.fields['__proto__'], '{"polluted":true}');
        assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
        const parsed = JSON.parse('{"__proto__":"x","a":"1"}') as Record<string, string>;
        await a.xadd(key, parsed);
        const [, second] = await a.xrange(key, '-', '+');
        assert.deepEqual(Object.keys(second!.fields).sort(), ['__proto__', 'a']);
      });

      it('trims exactly and approximately, deletes, and reports XINFO STREAM', async () => {
        const key = k('trim');
        let last = '';
        for (let i = 1; i <= 300; i++) last = (await a.xadd(key, { i: String(i) }, { maxLen: 50, exactTrim: true }))!;
        assert.equal(await a.xlen(key), 50);
        const [oldest] = await a.xrange(key, '-', '+', 1);
        assert.equal(oldest!.fields['i'], '251');

        const approx = k('approx');
        for (let i = 1; i <= 250; i++) await a.xadd(approx, { i: String(i) }, { maxLen: 10 });
        const approxLen = await a.xlen(approx);
        assert.ok(approxLen >= 10 && approxLen <= 110, `MAXLEN ~ 10 left ${approxLen}`);

        assert.equal(await a.xtrim(key, 20), 30);
        assert.equal(await a.xlen(key), 20);
        assert.equal(await a.xtrim(key, 100), 0);
        const removed = await a.xtrim(key, 5, true);
        assert.ok(removed >= 0 && removed <= 15);
        assert.equal(await a.xlen(key), 20 - removed);
        assert.equal(await a.xtrim(k('missing'), 5), 0);

        const before = await a.xinfoStream(key);
        assert.ok(before);
        assert.equal(before.lastGeneratedId, last);
        assert.equal(before.lastEntry?.id, last);
        assert.equal(before.lastEntry?.fields['i'], '300');
        assert.equal(before.groups, 0);
        assert.equal(await a.xdel(key, [last, '1-1']), 1);
        const info = await b.xinfoStream(key);
        assert.ok(info);
        assert.equal(info.length, 19 - removed);
        assert.equal(info.lastGeneratedId, last, 'deleting the last entry keeps last-generated-id');
        assert.equal(info.lastEntry?.fields['i'], '299');
        assert.equal(info.firstEntry?.id, (await a.xrange(key, '-', '+', 1))[0]!.id);
        await rejectsWith(a.xadd(key, { i: 'x' }, { id: last }), 'ERR The ID specified in XADD is equal or smaller');
        assert.equal(await a.xinfoStream(k('missing')), null);

        const emptied = k('emptied');
        await a.xadd(emptied, { f: 'v' }, { id: '5-0' });
        assert.equal(await a.xtrim(emptied, 0), 1);
        assert.equal(await a.exists([emptied]), 1, 'an empty stream stays');
        const e = await a.xinfoStream(emptied);
        assert.deepEqual([e?.length, e?.firstEntry, e?.lastEntry, e?.lastGeneratedId], [0, null, null, '5-0']);
      });

      it('reports consumer-group lag like Redis 7', async () => {
        const key = k('lag');
        for (let i = 1; i <= 5; i++) await a.xadd(key, { i: String(i) }, { id: `${i}-0` });
        await a.xgroupCreate(key, 'from0', '0');
        await a.xgroupCreate(key, 'fromEnd', '$');
        const group = async (g: string) => (await b.xinfoGroups(key)).find((x) => x.name === g)!;
        assert.deepEqual(await group('from0'), { name: 'from0', consumers: 0, pending: 0, lastDeliveredId: '0-0', entriesRead: null, lag: 5 });
        assert.deepEqual(await group('fromEnd'), { name: 'fromEnd', consumers: 0, pending: 0, lastDeliveredId: '5-0', entriesRead: null, lag: 0 });
        await b.xreadgroup({ group: 'from0', consumer: 'c', streams: [{ key, id: '>' }], count: 2 });
        assert.deepEqual(await group('from0'), { name: 'from0', consumers: 1, pending: 2, lastDeliveredId: '2-0', entriesRead: 2, lag: 3 });
        await a.xadd(key, { i: '6' }, { id: '6-0' });
        assert.equal((await group('from0')).lag, 4);
        // Redis 7.0 cannot place a group created with '$' once entries follow it, until the group reads.
        assert.equal((await group('fromEnd')).lag, null);
        await a.xdel(key, ['1-0']);
        assert.equal((await group('from0')).lag, 4, 'deleting a delivered entry keeps the lag known');
        await a.xdel(key, ['4-0']);
        assert.equal((await group('from0')).lag, null, 'deleting an undelivered entry makes it unknown');
        await b.xreadgroup({ group: 'from0', consumer: 'c', streams: [{ key, id: '>' }] });
        const caughtUp = await group('from0');
        assert.equal(caughtUp.lag, 0);
        assert.equal(caughtUp.entriesRead, 6);
        assert.equal(caughtUp.lastDeliveredId, '6-0');
        assert.deepEqual((await b.xinfoGroups(key)).map((g) => g.name), ['from0', 'fromEnd']);
        await rejectsWith(b.xinfoGroups(k('missing')), 'ERR no such key');
      });

      it('runs consumer groups end to end across two clients', async () => {
        const key = k('g');
        await rejectsWith(a.xgroupCreate(key, 'g', '$'), 'ERR The XGROUP subcommand requires the key to exist');
        await a.xgroupCreate(key, 'g', '$', { mkStream: true });
        assert.equal(await a.type(key), 'stream');
        await rejectsWith(b.xgroupCreate(key, 'g', '0'), 'BUSYGROUP Consumer Group name already exists');
        await rejectsWith(b.xreadgroup({ group: 'nope', consumer: 'c', streams: [{ key, id: '>' }] }),
          `NOGROUP No such key '${key}' or consumer group 'nope' in XREADGROUP with GROUP option`);
        await rejectsWith(b.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key: k('missing'), id: '>' }] }), 'NOGROUP');

        const added: string[] = [];
        for (let i = 1; i <= 5; i++) added.push((await a.xadd(key, { n: String(i) }))!);
        const r1 = await b.xreadgroup({ group: 'g', consumer: 'c1', streams: [{ key, id: '>' }], count: 3 });
        assert.equal(r1?.length, 1);
        assert.equal(r1![0]!.key, key);
        assert.deepEqual(ids(r1![0]!.entries), added.slice(0, 3));
        assert.deepEqual(plain(r1![0]!.entries[0]!.fields), { n: '1' });
        const r2 = await a.xreadgroup({ group: 'g', consumer: 'c2', streams: [{ key, id: '>' }] });
        assert.deepEqual(ids(r2![0]!.entries), added.slice(3));
        assert.equal(await a.xreadgroup({ group: 'g', consumer: 'c2', streams: [{ key, id: '>' }] }), null);

        assert.deepEqual(await a.xpendingSummary(key, 'g'), {
          count: 5, minId: added[0], maxId: added[4], consumers: [{ name: 'c1', count: 3 }, { name: 'c2', count: 2 }],
        });
        const pending = await b.xpendingRange(key, 'g', { count: 10 });
        assert.deepEqual(pending.map((p) => [p.id, p.consumer, p.deliveries]), [
          [added[0], 'c1', 1], [added[1], 'c1', 1], [added[2], 'c1', 1], [added[3], 'c2', 1], [added[4], 'c2', 1],
        ]);
        assert.ok(pending.every((p) => p.idleMs >= 0 && p.idleMs < 5000));
        assert.deepEqual((await b.xpendingRange(key, 'g', { count: 10, consumer: 'c2' })).map((p) => p.id), added.slice(3));
        assert.deepEqual(await b.xpendingRange(key, 'g', { count: 10, minIdleMs: 60_000 }), []);
        assert.deepEqual((await b.xpendingRange(key, 'g', { start: `(${added[0]}`, end: added[2], count: 1 })).map((p) => p.id), [added[1]]);
        assert.deepEqual((await a.xinfoConsumers(key, 'g')).map((c) => [c.name, c.pending]), [['c1', 3], ['c2', 2]]);
        const g = (await a.xinfoGroups(key))[0]!;
        assert.deepEqual([g.consumers, g.pending, g.lastDeliveredId, g.entriesRead, g.lag], [2, 5, added[4], 5, 0]);

        // Re-reading history (any id but '>') serves this consumer's pending entries and counts a delivery.
        const history = await b.xreadgroup({ group: 'g', consumer: 'c1', streams: [{ key, id: '0' }] });
        assert.deepEqual(ids(history![0]!.entries), added.slice(0, 3));
        const after1 = await b.xreadgroup({ group: 'g', consumer: 'c1', streams: [{ key, id: added[0]! }], count: 1 });
        assert.deepEqual(ids(after1![0]!.entries), [added[1]]);
        assert.deepEqual((await a.xpendingRange(key, 'g', { count: 3 })).map((p) => p.deliveries), [2, 3, 2]);

        assert.equal(await a.xack(key, 'g', [added[0]!, added[1]!, '1-1', added[0]!]), 2);
        assert.equal((await a.xpendingSummary(key, 'g')).count, 3);
        assert.equal(await a.xack(key, 'nogroup', [added[2]!]), 0);
        await rejectsWith(a.xack(key, 'g', ['bad-id']), 'ERR Invalid stream ID');

        // Claiming respects min-idle, changes the owner and counts a delivery.
        await sleep(150);
        assert.deepEqual(await b.xclaim(key, 'g', 'c2', 60_000, [added[2]!]), []);
        const claimed = await b.xclaim(key, 'g', 'c2', 100, [added[2]!, '1-1']);
        assert.deepEqual(ids(claimed), [added[2]]);
        assert.deepEqual(plain(claimed[0]!.fields), { n: '3' });
        const afterClaim = (await a.xpendingRange(key, 'g', { count: 10 }))[0]!;
        assert.deepEqual([afterClaim.id, afterClaim.consumer, afterClaim.deliveries], [added[2], 'c2', 3]);
        assert.ok(afterClaim.idleMs < 100, `idle reset, got ${afterClaim.idleMs}`);
        assert.deepEqual((await a.xpendingSummary(key, 'g')).consumers, [{ name: 'c2', count: 3 }]);

        // XAUTOCLAIM walks the PEL with a cursor.
        const first = await a.xautoclaim(key, 'g', 'c3', 0, '0-0', 1);
        assert.deepEqual(ids(first.entries), [added[2]]);
        assert.equal(first.nextStart, added[3]);
        assert.deepEqual(first.deletedIds, []);
        const rest = await a.xautoclaim(key, 'g', 'c3', 0, first.nextStart, 10);
        assert.deepEqual(ids(rest.entries), added.slice(3));
        assert.equal(rest.nextStart, '0-0');
        assert.deepEqual((await a.xpendingRange(key, 'g', { count: 10 })).map((p) => [p.consumer, p.deliveries]),
          [['c3', 4], ['c3', 2], ['c3', 2]]);
        assert.deepEqual((await a.xautoclaim(key, 'g', 'c4', 60_000, '-', 10)).entries, []);

        // Entries deleted from the stream leave the PEL when claimed.
        await a.xdel(key, [added[3]!, added[4]!]);
        assert.deepEqual(await b.xclaim(key, 'g', 'c1', 0, [added[3]!]), []);
        const auto = await b.xautoclaim(key, 'g', 'c1', 0, '0-0', 10);
        assert.deepEqual(ids(auto.entries), [added[2]]);
        assert.deepEqual(auto.deletedIds, [added[4]]);
        assert.deepEqual((await a.xpendingRange(key, 'g', { count: 10 })).map((p) => [p.id, p.consumer]), [[added[2], 'c1']]);

        // Consumers, ids and groups.
        assert.equal(await a.xgroupDelConsumer(key, 'g', 'c1'), 1);
        assert.equal(await a.xgroupDelConsumer(key, 'g', 'ghost'), 0);
        assert.equal((await a.xpendingSummary(key, 'g')).count, 0);
        // Consumers appear when they are served or claim something (c4 never did).
        assert.deepEqual((await a.xinfoConsumers(key, 'g')).map((c) => c.name), ['c2', 'c3']);
        await a.xgroupSetId(key, 'g', '0');
        const again = await b.xreadgroup({ group: 'g', consumer: 'c9', streams: [{ key, id: '>' }], noAck: true });
        assert.deepEqual(ids(again![0]!.entries), added.slice(0, 3));
        assert.equal((await a.xpendingSummary(key, 'g')).count, 0, 'NOACK adds nothing to the PEL');
        await rejectsWith(a.xgroupSetId(key, 'nope', '0'), `NOGROUP No such consumer group 'nope' for key name '${key}'`);
        await rejectsWith(a.xinfoConsumers(key, 'nope'), 'NOGROUP');
        await rejectsWith(a.xpendingSummary(key, 'nope'), 'NOGROUP');
        await rejectsWith(a.xclaim(key, 'nope', 'c', 0, ['1-1']), 'NOGROUP');
        assert.equal(await a.xgroupDestroy(key, 'g'), true);
        assert.equal(await a.xgroupDestroy(key, 'g'), false);
        assert.deepEqual(await a.xinfoGroups(key), []);
      });

      it('reads without groups, and blocks until another client adds', async () => {
        const key = k('xread');
        const firstId = (await a.xadd(key, { n: '1' }))!;
        const all = await b.xread({ streams: [{ key, id: '0' }] });
        assert.deepEqual(all?.map((x) => [x.key, ids(x.entries)]), [[key, [firstId]]]);
        assert.equal(await b.xread({ streams: [{ key, id: firstId }] }), null);
        assert.equal(await b.xread({ streams: [{ key: k('missing'), id: '0' }] }), null);

        const started = Date.now();
        const waiting = b.xread({ streams: [{ key, id: '$' }], blockMs: 3000 });
        await sleep(50);
        const newId = (await a.xadd(key, { n: '2' }))!;
        const got = await waiting;
        assert.deepEqual(got?.map((x) => [x.key, ids(x.entries)]), [[key, [newId]]]);
        assert.ok(Date.now() - started < 2000);
      });

      it('blocks XREADGROUP without blocking other calls, wakes it on XADD, and times out with null', async () => {
        const key = k('block');
        await a.xgroupCreate(key, 'g', '$', { mkStream: true });

        const t0 = Date.now();
        assert.equal(await b.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key, id: '>' }], blockMs: 200 }), null);
        const waited = Date.now() - t0;
        assert.ok(waited >= 150 && waited < 1500, `timed out after ${waited} ms`);

        const t1 = Date.now();
        const blocked = b.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key, id: '>' }], blockMs: 5000 });
        // The same client and the other one stay usable meanwhile.
        const during = k('during');
        await b.set(during, 'yes');
        assert.equal(await b.get(during), 'yes');
        await a.ping();
        await sleep(30);
        const id = (await a.xadd(key, { hello: 'world' }))!;
        const got = await blocked;
        assert.ok(Date.now() - t1 < 3000);
        assert.equal(got?.[0]?.key, key);
        assert.deepEqual(ids(got![0]!.entries), [id]);
        assert.deepEqual(plain(got![0]!.entries[0]!.fields), { hello: 'world' });
        assert.deepEqual((await a.xpendingRange(key, 'g', { count: 10 })).map((p) => [p.id, p.consumer, p.deliveries]), [[id, 'c', 1]]);

        // Two readers waiting at once: each XADD wakes one of them.
        const r1 = b.xreadgroup({ group: 'g', consumer: 'x', streams: [{ key, id: '>' }], blockMs: 5000 });
        const r2 = a.xreadgroup({ group: 'g', consumer: 'y', streams: [{ key, id: '>' }], blockMs: 5000 });
        await sleep(50);
        const id1 = (await a.xadd(key, { n: '1' }))!;
        await sleep(20);
        const id2 = (await b.xadd(key, { n: '2' }))!;
        const [g1, g2] = await Promise.all([r1, r2]);
        const served = [...ids(g1![0]!.entries), ...ids(g2![0]!.entries)].sort();
        assert.deepEqual(served, [id1, id2].sort());
      });

      it('fails a blocked XREADGROUP when its stream or group goes away', async () => {
        const key = k('gone');
        await a.xgroupCreate(key, 'g', '$', { mkStream: true });
        const onDelete = rejectsWith(b.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key, id: '>' }], blockMs: 5000 }),
          'UNBLOCKED the stream key no longer exists');
        await sleep(50);
        await a.del([key]);
        await onDelete;

        await a.xgroupCreate(key, 'g', '$', { mkStream: true });
        const onDestroy = rejectsWith(b.xreadgroup({ group: 'g', consumer: 'c', streams: [{ key, id: '>' }], blockMs: 5000 }),
          'NOGROUP the consumer group this client was blocked on no longer exists');
        await sleep(50);
        await a.xgroupDestroy(key, 'g');
        await onDestroy;

        // A plain XREAD waits on through a deletion and sees the stream created again.
        const id0 = (await a.xadd(key, { n: '0' }))!;
        const reader = b.xread({ streams: [{ key, id: id0 }], blockMs: 5000 });
        await sleep(50);
        await a.del([key]);
        const later = (await a.xadd(key, { n: '1' }))!;
        assert.deepEqual((await reader)?.map((x) => ids(x.entries)), [[later]]);
      });

      it('appends indexed entries atomically and reads them back through an index', async () => {
        const stream = k('store');
        const idxA = k('idx-A');
        const idxB = k('idx-B');
        const items = Array.from({ length: 10 }, (_, i) => ({
          stream,
          fields: { event: JSON.stringify({ n: i }), entity: i % 2 ? 'B' : 'A' },
          indexKeys: [i % 2 ? idxB : idxA],
        }));
        const appended = await a.appendIndexed(items);
        assert.equal(appended.length, 10);
        assert.deepEqual(ids(await a.xrange(stream, '-', '+')), appended);
        const aIds = appended.filter((_, i) => i % 2 === 0);
        assert.deepEqual(ids(await a.xrange(idxA, '-', '+')), aIds, 'index entries carry the same ids');
        assert.deepEqual(plain((await a.xrange(idxA, '-', '+', 1))[0]!.fields), { i: '' });
        assert.equal(await a.xlen(idxB), 5);

        const viaIndex = await b.readByIndex(stream, idxA, {});
        assert.deepEqual(ids(viaIndex), aIds);
        assert.deepEqual(viaIndex.map((e) => JSON.parse(e.fields['event']!).n), [0, 2, 4, 6, 8]);
        assert.equal(Object.getPrototypeOf(viaIndex[0]!.fields), null);
        assert.deepEqual(ids(await b.readByIndex(stream, idxA, { reverse: true })), [...aIds].reverse());
        assert.deepEqual(ids(await b.readByIndex(stream, idxA, { count: 2 })), aIds.slice(0, 2));
        assert.deepEqual(ids(await b.readByIndex(stream, idxA, { count: 2, reverse: true })), [aIds[4], aIds[3]]);
        assert.deepEqual(ids(await b.readByIndex(stream, idxA, { start: `(${aIds[1]}`, end: aIds[3] })), [aIds[2], aIds[3]]);
        assert.deepEqual(await b.readByIndex(stream, k('no-index'), {}), []);

        // Entries trimmed from the stream are skipped; COUNT counts entries returned.
        assert.equal(await a.xtrim(stream, 5), 5);
        const survivors = appended.slice(5);
        assert.deepEqual(ids(await b.readByIndex(stream, idxA, {})), aIds.filter((id) => survivors.includes(id)));
        assert.deepEqual(ids(await b.readByIndex(stream, idxB, { count: 2 })), [appended[5], appended[7]]);
        assert.deepEqual(ids(await b.readByIndex(stream, idxB, { count: 2, reverse: true })), [appended[9], appended[7]]);

        // maxLen trims the stream (approximately), never the indexes.
        const big = k('big');
        const bigIdx = k('big-idx');
        const many = await a.appendIndexed(Array.from({ length: 300 }, (_, i) => ({
          stream: big, fields: { n: String(i) }, indexKeys: [bigIdx], maxLen: 20,
        })));
        assert.equal(many.length, 300);
        const len = await a.xlen(big);
        assert.ok(len >= 20 && len <= 120, `stream length ${len}`);
        assert.equal(await a.xlen(bigIdx), 300);
        const newest = await b.readByIndex(big, bigIdx, { reverse: true, count: 5 });
        assert.deepEqual(ids(newest), many.slice(-5).reverse());
        assert.deepEqual(ids(await b.readByIndex(big, bigIdx, { count: 3 })), ids(await a.xrange(big, '-', '+', 3)));
      });

      it('copy indexes hold the entries themselves and read back exactly like pointers (trimmed and deleted ones skipped)', async () => {
        const stream = k('copy-store');
        const copies = k('copy-idx');
        const pointers = k('copy-ptr');
        // A pointer written before (as by an older version) in the same index as the copies.
        const old = (await a.appendIndexed([{ stream, fields: { event: '{"n":-1}' }, indexKeys: [copies] }]))[0]!;
        const items: IndexedAppend[] = Array.from({ length: 8 }, (_, i) => ({
          stream, fields: (i === 3 ? { event: `{"n":${i}}`, extra: 'x' } : { event: `{"n":${i}}` }) as Record<string, string>, indexKeys: [pointers], copyKeys: [copies],
        }));
        const appended = await a.appendIndexed(items);
        const all = [old, ...appended];
        const stored = await a.xrange(stream, '-', '+');
        assert.deepEqual(ids(stored), all);
        const copyEntries = await a.xrange(copies, '-', '+');
        assert.deepEqual(ids(copyEntries), all, 'copies carry the same ids');
        assert.deepEqual(plain(copyEntries[0]!.fields), { i: '' });
        assert.deepEqual(copyEntries.slice(1).map((e) => plain(e.fields)), stored.slice(1).map((e) => plain(e.fields)), 'copies carry the same fields');
        assert.deepEqual(plain((await a.xrange(pointers, '-', '+', 1))[0]!.fields), { i: '' });

        const read = (o: Parameters<Transport['readByIndex']>[2]) => b.readByIndex(stream, copies, { ...o, copies: true });
        assert.deepEqual((await read({})).map((e) => plain(e.fields)), stored.map((e) => plain(e.fields)));
        assert.equal(Object.getPrototypeOf((await read({}))[0]!.fields), null);
        assert.deepEqual(ids(await read({ reverse: true, count: 3 })), [...all].reverse().slice(0, 3));
        assert.deepEqual(ids(await read({ start: all[2], end: all[4] })), all.slice(2, 5));
        assert.deepEqual(ids(await b.readByIndex(stream, copies, {})), all, 'without the option, the same through lookups');

        // Deleted from the middle, then trimmed from the front: skipped either way, with and without the option.
        assert.equal(await a.xdel(stream, [all[5]!]), 1);
        const left = all.filter((id) => id !== all[5]);
        assert.deepEqual(ids(await read({})), left);
        assert.deepEqual(ids(await read({ reverse: true })), [...left].reverse());
        assert.equal(await a.xtrim(stream, 4), 4);
        const survivors = left.slice(4);
        assert.deepEqual(ids(await read({})), survivors);
        assert.deepEqual(ids(await read({ count: 2 })), survivors.slice(0, 2));
        assert.deepEqual(ids(await read({ reverse: true, count: 2 })), [...survivors].reverse().slice(0, 2));
        assert.deepEqual(ids(await b.readByIndex(stream, copies, {})), survivors);
        // The stream gone: nothing, even though the copies are still there.
        await a.del([stream]);
        assert.deepEqual(await read({}), []);
        assert.equal(await a.xlen(copies), 9);
      });

      it('appendIndexed can publish a field of each item in the same step, in append order', async () => {
        const stream = k('pub-store');
        const idx = k('pub-idx');
        const channel = k('pub-ch');
        const rec = record(b);
        await b.subscribe([channel]);
        const items: IndexedAppend[] = Array.from({ length: 5 }, (_, i) => ({ stream, fields: { event: `{"n":${i}}` }, indexKeys: [idx] }));
        // An item without the field is stored, not published.
        items.splice(2, 0, { stream, fields: { other: 'x' }, indexKeys: [idx] });
        const appended = await a.appendIndexed(items, { publish: { channel, field: 'event' } });
        assert.equal(appended.length, 6);
        await until('5 messages', () => rec.messages.length >= 5);
        await sleep(20);
        assert.deepEqual(rec.messages.map((m) => m.payload), [0, 1, 2, 3, 4].map((n) => `{"n":${n}}`));
        assert.ok(rec.messages.every((m) => m.channel === channel));
        assert.equal(await a.xlen(stream), 6);
        assert.equal(await a.xlen(idx), 6);
        await a.appendIndexed([{ stream, fields: { event: '{}' }, indexKeys: [] }]);
        await sleep(20);
        assert.equal(rec.messages.length, 5, 'no publish without the option');
        rec.stop();
        await b.unsubscribe([channel]);
      });

      it('pipelines XADDs and reports the first error after running them all', async () => {
        const key = k('batch');
        const str = k('str');
        await a.set(str, 'x');
        const r = await a.xaddBatch([{ key, fields: { n: '1' } }, { key, fields: { n: '2' }, options: { maxLen: 1, exactTrim: true } }]);
        assert.equal(r.length, 2);
        assert.deepEqual(ids(await a.xrange(key, '-', '+')), [r[1]]);
        await rejectsWith(a.xaddBatch([{ key: str, fields: { n: '3' } }, { key, fields: { n: '4' } }]), WRONGTYPE);
        assert.equal(await a.xlen(key), 2, 'the command after the failing one still ran');
      });
    });

    // ------------------------------------------------------------------ info

    describe('info', () => {
      it('reports version, memory, clients and keyspace', async () => {
        await a.set(k('info'), '1');
        const all = await a.info();
        assert.match(all['redis_version'] ?? '', /^7\./);
        assert.ok(Number(all['used_memory']) > 0);
        assert.ok(Number(all['connected_clients']) >= 2);
        assert.match(all['db0'] ?? '', /^keys=\d+,expires=\d+/);
        const server = await b.info('server');
        assert.ok(server['redis_version']);
        assert.equal(server['used_memory'], undefined);
        const keyspace = await b.info('keyspace');
        assert.ok(Number(/keys=(\d+)/.exec(keyspace['db0'] ?? '')?.[1]) > 0);
      });
    });
  });
}

defineContract('embedded', async () => {
  const server = new EmbeddedServer({ name: 'contract' });
  const make = () => new EmbeddedTransport({ server });
  const a = make();
  const b = make();
  await a.connect();
  await b.connect();
  return {
    a, b, fresh: make, mode: 'embedded', address: 'embedded:contract',
    async cleanup() {
      await a.close();
      await b.close();
      server.dispose();
    },
  };
});

defineContract('redis', async () => {
  const server = await startRedisServer();
  const make = () => new RedisTransport({ url: server.url });
  const a = make();
  const b = make();
  await a.connect();
  await b.connect();
  return {
    a, b, fresh: make, mode: 'standalone', address: `127.0.0.1:${server.port}`,
    async cleanup() {
      await a.close();
      await b.close();
      await server.stop();
    },
  };
});

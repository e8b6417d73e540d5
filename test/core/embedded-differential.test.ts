// The embedded transport against real Redis, differentially: the same seeded random commands go to both and every
// reply (or error text) must be the same. Time-dependent values (idle times, generated ids) are left out by design:
// the commands use explicit ids and min-idle 0. Also checks glob matching against Redis's SCAN MATCH, and random
// pub/sub with shard channels (SSUBSCRIBE/SPUBLISH) on both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedServer } from '../../src/core/transport/embedded/server';
import { EmbeddedTransport } from '../../src/core/transport/embedded/transport';
import { compileGlob, globMatch } from '../../src/core/glob';
import { RedisTransport } from '../../src/core/transport/redis';
import type { Transport } from '../../src/core/transport/types';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

/** mulberry32, with its state in the open so a step can be replayed for the second transport. */
class Rng {
  constructor(public state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

type Outcome = { ok: unknown } | { err: string };

async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await p };
  } catch (e) {
    // Errors raised inside a Lua script carry the script's name after the Redis text.
    return { err: (e as Error).message.replace(/ script: \w+, on @user_script:\d+\.$/, '') };
  }
}

/** Drops what depends on wall-clock time. */
function timeless(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(timeless);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
    for (const [k, x] of Object.entries(v)) if (k !== 'idleMs' && k !== 'inactiveMs') out[k] = timeless(x);
    return out;
  }
  return v;
}

describe('embedded transport vs redis-server, differentially', () => {
  let redisServer: RedisServerHandle;
  let redis: Transport;
  let embedded: Transport;
  let embeddedServer: EmbeddedServer;

  before(async () => {
    redisServer = await startRedisServer();
    redis = new RedisTransport({ url: redisServer.url });
    await redis.connect();
    embeddedServer = new EmbeddedServer({ name: 'differential' });
    embedded = new EmbeddedTransport({ server: embeddedServer });
    await embedded.connect();
  });
  after(async () => {
    await redis?.close();
    await embedded?.close();
    embeddedServer?.dispose();
    await redisServer?.stop();
  });

  it('matches globs exactly as SCAN MATCH does', async () => {
    const rng = new Rng(7);
    const rnd = () => rng.next();
    const alphabet = ['a', 'b', 'c', '-', '[', ']', '^', '\\', '*', '?', 'é', 'Z'];
    const keyChars = ['a', 'b', 'c', '-', '[', ']', '^', '\\', '*', '?', 'é', 'Z', 'x'];
    const keys = new Set<string>();
    while (keys.size < 300) {
      let s = '';
      const n = 1 + Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) s += keyChars[Math.floor(rnd() * keyChars.length)];
      keys.add(s);
    }
    for (const key of keys) {
      await redis.set(key, '1');
      await embedded.set(key, '1');
    }
    const patterns: string[] = ['*', '?', '[', '[^', '[a-', 'a*', '*a', '*a*', '\\', '[]]', '[\\]]', '[c-a]', 'é', '?é', '??', '[^a]*', 'a\\*'];
    for (let i = 0; i < 400; i++) {
      let p = '';
      const n = 1 + Math.floor(rnd() * 6);
      for (let j = 0; j < n; j++) p += alphabet[Math.floor(rnd() * alphabet.length)];
      patterns.push(p);
    }
    for (const pattern of patterns) {
      const fromRedis = new Set<string>();
      let cursor = '0';
      do {
        const r = await redis.scan(cursor, { match: pattern, count: 1000 });
        r.keys.forEach((k) => fromRedis.add(k));
        cursor = r.cursor;
      } while (cursor !== '0');
      const expected = [...fromRedis].sort();
      const compiled = compileGlob(pattern);
      const byScan = pattern === '*' ? [...keys].sort() : [...keys].filter((k) => globMatch(pattern, k)).sort();
      assert.deepEqual(byScan, expected, `pattern ${JSON.stringify(pattern)}`);
      assert.deepEqual([...keys].filter((k) => compiled(k)).sort(), [...keys].filter((k) => globMatch(pattern, k)).sort(),
        `compiled pattern ${JSON.stringify(pattern)}`);
      const fromEmbedded = new Set<string>();
      cursor = '0';
      do {
        const r = await embedded.scan(cursor, { match: pattern, count: 50 });
        r.keys.forEach((k) => fromEmbedded.add(k));
        cursor = r.cursor;
      } while (cursor !== '0');
      assert.deepEqual([...fromEmbedded].sort(), expected, `embedded SCAN MATCH ${JSON.stringify(pattern)}`);
    }
  });

  // DIFF_SEED=n runs one more seed (with DIFF_BIG=1 for large values), to hunt for differences.
  const runs: Array<{ seed: number; bigValues: boolean }> = [{ seed: 20240607, bigValues: false }, { seed: 4242, bigValues: true }];
  if (process.env['DIFF_SEED']) runs.push({ seed: Number(process.env['DIFF_SEED']), bigValues: process.env['DIFF_BIG'] === '1' });
  for (const { seed, bigValues } of runs) it(`answers random commands exactly like Redis (seed ${seed}${bigValues ? ', large entries' : ''})`, async () => {
    const rng = new Rng(seed);
    const rnd = () => rng.next();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const int = (n: number) => Math.floor(rnd() * n);
    const streams = [`d${seed}:s1`, `d${seed}:s2`];
    const groups = ['g1', 'g2'];
    const consumers = ['c1', 'c2', 'c3'];
    const randomId = () => {
      const r = rnd();
      if (r < 0.05) return pick(['-', '+', '0', '0-0', 'bad', '']);
      return rnd() < 0.3 ? String(int(40)) : `${int(40)}-${int(4)}`;
    };
    const bound = () => (rnd() < 0.3 ? `(${randomId()}` : randomId());
    let n = 0;
    const ops: Array<[string, (t: Transport) => Promise<unknown>]> = [
      ['xadd', async (t) => {
        const key = pick(streams);
        const top = Number((await t.xinfoStream(key).catch(() => null))?.lastGeneratedId.split('-')[0] ?? 0);
        const ms = Math.max(0, top + int(4) - 1);
        const id = rnd() < 0.1 ? `${int(40)}-${int(4)}` : rnd() < 0.3 ? `${ms}-*` : `${ms}-${int(3)}`;
        n++;
        return t.xadd(key, { f: `v${n}`, g: 'x' }, { id, ...(rnd() < 0.2 ? { maxLen: int(30), exactTrim: rnd() < 0.5 } : {}) });
      }],
      ['xadd-many', async (t) => {
        const key = pick(streams);
        const top = await t.xinfoStream(key);
        let ms = top ? Number(top.lastGeneratedId.split('-')[0]) + 1 : 1;
        const out = [];
        for (let i = 0; i < 5 + int(40); i++) {
          // Large entries fill Redis's 4 KiB stream nodes before 100 entries, which moves where `MAXLEN ~` cuts.
          const fields = { n: String(i), ...(bigValues ? { pad: 'é'.repeat(int(200)) } : {}) };
          out.push(await t.xadd(key, fields, { id: `${ms++}-0`, ...(rnd() < 0.3 ? { maxLen: 20 + int(100) } : {}) }));
        }
        return out;
      }],
      ['xrange', (t) => t.xrange(pick(streams), bound(), bound(), rnd() < 0.5 ? undefined : int(5))],
      ['xrevrange', (t) => t.xrevrange(pick(streams), bound(), bound(), rnd() < 0.5 ? undefined : int(5))],
      ['xlen', (t) => t.xlen(pick(streams))],
      ['xtrim', (t) => t.xtrim(pick(streams), int(60), rnd() < 0.5)],
      ['xdel', (t) => t.xdel(pick(streams), [randomId(), randomId()])],
      ['xinfoStream', (t) => t.xinfoStream(pick(streams))],
      ['xinfoGroups', (t) => t.xinfoGroups(pick(streams))],
      ['xinfoConsumers', (t) => t.xinfoConsumers(pick(streams), pick(groups))],
      ['xgroupCreate', (t) => t.xgroupCreate(pick(streams), pick(groups), pick(['$', '0', randomId()]), { mkStream: rnd() < 0.5 })],
      ['xgroupSetId', (t) => t.xgroupSetId(pick(streams), pick(groups), pick(['$', '0', randomId()]))],
      ['xgroupDestroy', (t) => (rnd() < 0.2 ? t.xgroupDestroy(pick(streams), pick(groups)) : t.ping())],
      ['xgroupDelConsumer', (t) => t.xgroupDelConsumer(pick(streams), pick(groups), pick(consumers))],
      ['xreadgroup', (t) => t.xreadgroup({ group: pick(groups), consumer: pick(consumers), streams: [{ key: pick(streams), id: rnd() < 0.7 ? '>' : pick(['0', randomId()]) }], count: rnd() < 0.3 ? undefined : int(6), noAck: rnd() < 0.1 })],
      ['xreadgroup-2', (t) => t.xreadgroup({ group: pick(groups), consumer: pick(consumers), streams: [{ key: streams[0]!, id: '>' }, { key: streams[1]!, id: pick(['>', '0']) }], count: 2 })],
      ['xread', (t) => t.xread({ streams: [{ key: pick(streams), id: pick(['0', '$', randomId()]) }], count: rnd() < 0.5 ? undefined : int(4) })],
      ['xack', (t) => t.xack(pick(streams), pick(groups), [randomId(), randomId(), randomId()])],
      ['xpendingSummary', (t) => t.xpendingSummary(pick(streams), pick(groups))],
      ['xpendingRange', (t) => t.xpendingRange(pick(streams), pick(groups), { start: bound(), end: rnd() < 0.5 ? '+' : bound(), count: int(8), ...(rnd() < 0.3 ? { consumer: pick(consumers) } : {}) })],
      ['xclaim', (t) => t.xclaim(pick(streams), pick(groups), pick(consumers), 0, [randomId(), randomId()])],
      ['xautoclaim', (t) => t.xautoclaim(pick(streams), pick(groups), pick(consumers), 0, pick(['0-0', '-', randomId()]), 1 + int(4))],
      ['readByIndex', (t) => t.readByIndex(streams[0]!, streams[1]!, { start: bound(), end: rnd() < 0.5 ? '+' : bound(), ...(rnd() < 0.7 ? { count: 1 + int(5) } : {}), reverse: rnd() < 0.5 })],
      ['scan', async (t) => {
        const type = pick([undefined, 'string', 'hash', 'stream'] as const);
        const match = pick([`d${seed}:*`, `d${seed}:s?`, `d${seed}:[hk]*`]);
        const count = 1 + int(3);
        const seen = new Set<string>();
        let cursor = '0';
        do {
          const r = await t.scan(cursor, { match, ...(type ? { type } : {}), count });
          r.keys.forEach((x) => seen.add(x));
          cursor = r.cursor;
        } while (cursor !== '0');
        return [...seen].sort();
      }],
      ['set', (t) => t.set(rnd() < 0.03 ? pick(streams) : pick([`d${seed}:k1`, `d${seed}:k2`]), pick(['1', 'x', '-5']), rnd() < 0.3 ? { nx: true } : {})],
      ['setNxGet', (t) => t.setNxGet(rnd() < 0.03 ? pick(streams) : pick([`d${seed}:k1`, `d${seed}:k2`, `d${seed}:h`]), pick(['1', 'x', 'tok']), 1000)],
      ['incrBy', (t) => t.incrBy(pick([`d${seed}:k1`, `d${seed}:k2`, `d${seed}:h`]), int(7) - 3)],
      ['hset', (t) => t.hset(pick([`d${seed}:h`, `d${seed}:k1`]), { [pick(['a', 'b', '__proto__'])]: String(int(9)) })],
      ['hdel', (t) => t.hdel(pick([`d${seed}:h`, `d${seed}:k2`]), [pick(['a', 'b', '__proto__'])])],
      ['hgetall', (t) => t.hgetall(pick([`d${seed}:h`, `d${seed}:k1`, `d${seed}:none`]))],
      ['type', (t) => t.type(pick([`d${seed}:h`, `d${seed}:k1`, `d${seed}:none`, ...streams]))],
      ['del', (t) => (rnd() < 0.1 ? t.del([rnd() < 0.2 ? pick(streams) : pick([`d${seed}:k1`, `d${seed}:h`])]) : t.exists([`d${seed}:k1`, `d${seed}:h`, ...streams]))],
    ];
    const weights = ops.map(([name]) => (name.startsWith('xadd') ? 6 : name.startsWith('xreadgroup') ? 5 : 2));
    const total = weights.reduce((x, y) => x + y, 0);
    const log: string[] = [];
    const stats = new Map<string, number>();
    for (let step = 0; step < 5000; step++) {
      let r = rnd() * total;
      let i = 0;
      while (r >= weights[i]!) r -= weights[i++]!;
      const [name, op] = ops[i]!;
      // Both transports must see the same arguments: replay the generator for the second one.
      const state = rng.state;
      const nBefore = n;
      const e = timeless(await outcome(op(embedded)));
      rng.state = state;
      n = nBefore;
      const x = timeless(await outcome(op(redis)));
      log.push(`${step} ${name}`);
      if (process.env['DIFF_STATS']) {
        const kind = 'err' in (x as object) ? `err:${String((x as { err: string }).err).slice(0, 40)}` : `ok:${JSON.stringify((x as { ok: unknown }).ok)?.slice(0, 30)}`;
        stats.set(`${name} ${kind}`, (stats.get(`${name} ${kind}`) ?? 0) + 1);
      }
      assert.deepEqual(e, x, `step ${step} (${name}) differs; recent: ${log.slice(-8).join(', ')}\nembedded: ${JSON.stringify(e)}\nredis: ${JSON.stringify(x)}`);
    }
    if (process.env['DIFF_STATS']) for (const [k, v] of [...stats].sort()) process.stderr.write(`${v}\t${k}\n`);
  });

  // Ordinary and shard pub/sub on the same channel names: every reply must match, and so must what each side
  // received (shard messages in publish order; ordinary ones as a set, since Redis walks patterns in hash order).
  const pubsubSeed = Number(process.env['DIFF_SEED'] ?? 9001);
  it(`answers random pub/sub and shard pub/sub commands exactly like Redis, and delivers the same messages (seed ${pubsubSeed})`, async () => {
    const rng = new Rng(pubsubSeed);
    const rnd = () => rng.next();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const some = <T>(xs: readonly T[]): T[] => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(xs));
    const channels = ['pd:a', 'pd:b', 'pd:[c]', 'pd:é', 'pd:', ''];
    const patterns = ['pd:*', 'pd:?', 'pd:[ab]', 'pd:\\[c\\]', '*', 'nothing*'];
    const maybePattern = () => (rnd() < 0.3 ? undefined : pick(patterns));
    const received = new Map<Transport, string[]>([[embedded, []], [redis, []]]);
    const expected = new Map<Transport, number>([[embedded, 0], [redis, 0]]);
    const listeners = [embedded, redis].map((t) => t.onMessage((m) => {
      received.get(t)!.push(`${m.sharded ? 'S' : '-'}|${m.pattern ?? ''}|${m.channel}|${m.payload}`);
    }));
    let n = 0;
    const counted = async (t: Transport, p: Promise<number>) => {
      const receivers = await p;
      expected.set(t, expected.get(t)! + receivers);
      return receivers;
    };
    const sorted = async (p: Promise<string[]>) => (await p).sort();
    const ops: Array<[string, (t: Transport) => Promise<unknown>]> = [
      ['subscribe', (t) => t.subscribe(some(channels))],
      ['unsubscribe', (t) => t.unsubscribe(some(channels))],
      ['psubscribe', (t) => t.psubscribe(some(patterns))],
      ['punsubscribe', (t) => t.punsubscribe(some(patterns))],
      ['ssubscribe', (t) => t.ssubscribe(some(channels))],
      ['sunsubscribe', (t) => t.sunsubscribe(some(channels))],
      ['publish', (t) => counted(t, t.publish(pick(channels), `p${++n}`))],
      ['spublish', (t) => counted(t, t.spublish(pick(channels), `s${++n}`))],
      ['pubsubChannels', (t) => sorted(t.pubsubChannels(maybePattern()))],
      ['pubsubShardChannels', (t) => sorted(t.pubsubShardChannels(maybePattern()))],
      ['pubsubNumsub', (t) => t.pubsubNumsub(some(channels))],
      ['pubsubShardNumsub', (t) => t.pubsubShardNumsub(some(channels))],
      ['pubsubNumpat', (t) => t.pubsubNumpat()],
    ];
    const weights = ops.map(([name]) => (name.endsWith('publish') ? 4 : 2));
    const total = weights.reduce((x, y) => x + y, 0);
    const log: string[] = [];
    for (let step = 0; step < 1500; step++) {
      let r = rnd() * total;
      let i = 0;
      while (r >= weights[i]!) r -= weights[i++]!;
      const [name, op] = ops[i]!;
      const state = rng.state;
      const nBefore = n;
      const e = await outcome(op(embedded));
      rng.state = state;
      n = nBefore;
      const x = await outcome(op(redis));
      log.push(`${step} ${name}`);
      assert.deepEqual(e, x, `step ${step} (${name}) differs; recent: ${log.slice(-8).join(', ')}\nembedded: ${JSON.stringify(e)}\nredis: ${JSON.stringify(x)}`);
    }
    const deadline = Date.now() + 5000;
    for (const t of [embedded, redis]) {
      while (received.get(t)!.length < expected.get(t)!) {
        assert.ok(Date.now() < deadline, `${t.kind}: ${received.get(t)!.length} of ${expected.get(t)} messages arrived`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    await new Promise((r) => setTimeout(r, 50));
    for (const d of listeners) d.dispose();
    const shard = (t: Transport) => received.get(t)!.filter((m) => m.startsWith('S'));
    const plain = (t: Transport) => received.get(t)!.filter((m) => !m.startsWith('S')).sort();
    assert.ok(shard(redis).length > 50 && plain(redis).length > 50, `a meaningful run: ${shard(redis).length} shard, ${plain(redis).length} ordinary messages`);
    assert.deepEqual(shard(embedded), shard(redis));
    assert.deepEqual(plain(embedded), plain(redis));
    assert.equal(received.get(embedded)!.length, expected.get(embedded));
    assert.equal(received.get(redis)!.length, expected.get(redis));
  });
});


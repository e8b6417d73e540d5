// Issue 17 at volume: the Streams view's listing pages through many streams hidden among many other keys with SCAN,
// going on from the cursor where the last page stopped, so "Load more…" reaches every stream exactly once (the view
// used to scan again from 0 with a larger limit and a step cap, and never got past the first ~10,000 streams).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { StreamListing, streamInfos, streamPage } from '../../src/core/store/stream-page';
import { RedisTransport } from '../../src/core/transport/redis';
import type { Transport } from '../../src/core/transport/types';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const KEYS = 60_000;
const EVERY = 20; // one stream every 20 keys: 3,000 streams
const STREAMS = KEYS / EVERY;

/** Every listing page until done; the keys of each page. */
async function allPages(listing: StreamListing, limit: number, maxPages = 10_000): Promise<string[][]> {
  const pages: string[][] = [];
  while (!listing.done && pages.length < maxPages) pages.push(await listing.next(limit));
  return pages;
}

describe('streams listing (SCAN pages that go on from the cursor)', () => {
  let server: RedisServerHandle;
  let t: RedisTransport;
  let raw: Redis;
  const streams = new Set<string>();

  before(async () => {
    server = await startRedisServer();
    t = new RedisTransport({ url: server.url });
    await t.connect();
    raw = new Redis(server.url);
    for (let i = 0; i < KEYS; i += 5_000) {
      const p = raw.pipeline();
      for (let j = i; j < i + 5_000; j++) {
        if (j % EVERY === 0) {
          const key = `s:${j}`;
          streams.add(key);
          p.xadd(key, '*', 'event', `{"n":${j}}`);
        } else if (j % EVERY === 1) {
          p.xadd(`s:${j}:idx:entity:x`, '*', 'id', '1-0'); // the store's index streams are not listed
        } else if (j % EVERY === 2) p.hset(`h:${j}`, 'f', 'v');
        else p.set(`k:${j}`, String(j));
      }
      await p.exec();
    }
  });
  after(async () => { raw.disconnect(); await t.close(); await server.stop(); });

  it('pages of 200 reach every stream exactly once, each page at most 200, none an index stream or another type', async () => {
    const listing = new StreamListing(t);
    const pages = await allPages(listing, 200);
    const all = pages.flat();
    assert.ok(pages.every((p) => p.length <= 200));
    assert.ok(pages.slice(0, -1).every((p) => p.length === 200), 'full pages until the last (no step cap hit at this size)');
    assert.equal(all.length, STREAMS);
    assert.equal(new Set(all).size, STREAMS, 'no stream twice');
    assert.deepEqual([...all].sort(), [...streams].sort());
    assert.ok(pages.every((p) => p.join() === [...p].sort().join()), 'each page sorted');
    assert.ok(listing.done);
    assert.deepEqual(await listing.next(200), [], 'nothing after the end');
  });

  it('a step cap per page gives short pages with more offered, and the next page goes on where it stopped', async () => {
    // 2 steps of SCAN COUNT 500 see about 1,000 keys, about 50 streams: far fewer than the page of 200.
    const listing = new StreamListing(t, 2);
    const first = await listing.next(200);
    assert.ok(first.length > 0 && first.length < 200, `a short page: ${first.length}`);
    assert.equal(listing.done, false, 'Load more is still offered');
    assert.equal(listing.steps, 2);
    const pages = [first, ...(await allPages(listing, 200))];
    const all = pages.flat();
    assert.equal(all.length, STREAMS, 'the step cap does not stop the listing from reaching the end');
    assert.deepEqual([...new Set(all)].sort(), [...streams].sort());
    // Scanning again from 0 for every page (the old way) would have cost a step count growing with each page; going on
    // from the cursor, the whole listing costs one pass over the keyspace.
    assert.ok(listing.steps < (KEYS / 500) * 3, `steps ${listing.steps}`);
  });

  it('keys SCAN returns twice are handed out once (a table that grows while the scan runs)', async () => {
    // SCAN may repeat keys when the keyspace is rehashed; this transport repeats each step's keys and the previous
    // step's on top of a real server, as a rehash would.
    let previous: string[] = [];
    const repeating = Object.create(t) as Transport;
    repeating.scan = async (cursor, options) => {
      const r = await t.scan(cursor, options);
      const keys = [...r.keys, ...r.keys, ...previous];
      previous = r.keys;
      return { cursor: r.cursor, keys };
    };
    const all = (await allPages(new StreamListing(repeating), 137)).flat();
    assert.equal(all.length, STREAMS);
    assert.equal(new Set(all).size, STREAMS);

    // And a real rehash: new keys written between pages make the table grow; every stream present the whole time is
    // still listed once.
    const listing = new StreamListing(t);
    const seen: string[] = [];
    let n = 0;
    while (!listing.done) {
      seen.push(...(await listing.next(200)));
      const p = raw.pipeline();
      for (let j = 0; j < 5_000; j++) p.set(`grow:${n}:${j}`, '1');
      await p.exec();
      n++;
    }
    assert.equal(new Set(seen).size, seen.length, 'no stream twice');
    for (const s of streams) assert.ok(seen.includes(s), `${s} listed`);
  });

  it('reads each listed stream\'s info, leaving out one deleted in between; streamPage is the first page', async () => {
    const listing = new StreamListing(t);
    const keys = await listing.next(50);
    await raw.del(keys[3]!);
    const infos = await streamInfos(t, keys);
    assert.equal(infos.length, 49);
    assert.ok(infos.every((s) => s.info.length === 1));
    assert.ok(!infos.some((s) => s.key === keys[3]));
    await raw.xadd(keys[3]!, '*', 'event', '{}');
    const page = await streamPage(t, 200);
    assert.equal(page.streams.length, 200);
    assert.equal(page.more, true);
  });
});

// The store sees every event in its stream, whoever wrote it: entries other apps XADD the guide's way (no index)
// are indexed behind a watermark before a read through an index, several indexers never index an entry twice, and
// appends carry a producer sequence so a resent chunk is not stored twice.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventStore } from '../../src/core/store/event-store';
import { replay } from '../../src/core/replay/replay';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';

/** What an app written from the guide does: `XADD event_store * event <json>`, nothing else. */
async function guideSave(t: Transport, stream: string, event: Record<string, unknown>): Promise<string> {
  return (await t.xadd(stream, { event: JSON.stringify(event) }))!;
}

function guideEvent(i: number, entity: string, type = 'order_created'): Record<string, unknown> {
  return {
    event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    event_type: type,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    version: '1.0',
    entity_id: entity,
    user_id: 5,
    data: { order_id: entity, total: 12.5, n: i },
  };
}

for (const target of transportTargets('store-foreign')) {
  describe(`store: events other apps appended [${target.name}]`, () => {
    let t: Transport;
    let done: () => Promise<void>;
    let seq = 0;
    const fresh = () => `foreign-${++seq}`;

    before(async () => ({ transport: t, done } = await target.make()));
    after(async () => done());

    it('finds guide-written events by entity, by type and in replay', async () => {
      const stream = fresh();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push(await guideSave(t, stream, guideEvent(i, `order:${i % 3}`, i % 2 ? 'order_paid' : 'order_created')));
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const order0 = await store.get({ entity: 'order:0' });
      assert.deepEqual(order0.map((e) => e.id), [ids[0], ids[3], ids[6], ids[9]]);
      assert.equal(order0[0].event.event_type, 'order_created');
      const paid = await store.get({ types: ['order_paid'] });
      assert.deepEqual(paid.map((e) => e.id), [ids[1], ids[3], ids[5], ids[7], ids[9]]);
      const sent: number[] = [];
      const target2 = fresh();
      const r = await replay(t, { stream, entity: 'order:0', indexed: true }, { kind: 'stream', stream: target2 });
      assert.equal(r.sent, 4);
      for (const e of await t.xrange(target2, '-', '+')) sent.push(JSON.parse(e.fields.event).data.n);
      assert.deepEqual(sent, [0, 3, 6, 9]);
    });

    it('keeps interleaved foreign and own appends in stream order, indexed once', async () => {
      const stream = fresh();
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const expected: string[] = [];
      for (let round = 0; round < 5; round++) {
        expected.push(await guideSave(t, stream, guideEvent(round * 2, 'order:x')));
        expected.push((await store.append({ event_type: 'order_paid', entity_id: 'order:x', data: { n: round * 2 + 1 } })).id);
      }
      // Nothing was caught up by a read yet: our own appends indexed the foreign entries before theirs.
      assert.equal(await t.xlen(`${stream}:idx:entity:order:x`), 10);
      assert.deepEqual((await store.get({ entity: 'order:x' })).map((e) => e.id), expected);
      assert.deepEqual((await store.get({ entity: 'order:x', reverse: true, limit: 3 })).map((e) => e.id), expected.slice(-3).reverse());
      assert.equal(await t.xlen(`${stream}:idx:entity:order:x`), 10, 'no entry indexed twice');
      assert.equal(await t.xlen(`${stream}:idx:type:order_created`), 5);
    });

    it('skips and counts malformed entries and entries without an entity, never fails on them', async () => {
      const stream = fresh();
      await t.xadd(stream, { other: 'no event field' });
      await t.xadd(stream, { event: 'not json {' });
      await t.xadd(stream, { event: '[1,2,3]' });
      await t.xadd(stream, { event: '"a string"' });
      await t.xadd(stream, { event: JSON.stringify({ data: { x: 1 } }) });
      await t.xadd(stream, { event: JSON.stringify({ event_type: 't', entity_id: 5 }) });
      await t.xadd(stream, { event: JSON.stringify({ event_type: 't', entity_id: 1.5 }) });
      await t.xadd(stream, { event: JSON.stringify({ event_type: 't', entity_id: 'x'.repeat(5000) }) });
      await t.xadd(stream, { event: '{"event_type":"t","entity_id":"é日本😀","data":' + '['.repeat(2000) + ']'.repeat(2000) + '}' });
      await t.xadd(stream, { event: JSON.stringify({ event_type: 't', entity_id: 'é日本😀' }) });
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const r = await store.catchUpIndexes();
      // Malformed: no event field, not JSON, a JSON string, nesting deeper than Redis's cjson reads (1000).
      // Without an index: an array, an object with neither event_type nor entity_id.
      assert.deepEqual({ ...r, batches: 0 }, { indexed: 4, malformed: 4, without: 2, done: true, batches: 0 });
      assert.equal((await store.get({ entity: '5' })).length, 1);
      assert.equal((await store.get({ entity: 'é日本😀' })).length, 1, 'the deeply nested one is not JSON cjson reads; the plain one is found');
      assert.equal((await store.get({ types: ['t'] })).length, 4);
      assert.equal((await store.length()), 10);
    });

    it('several indexers at once index each entry exactly once', async () => {
      const stream = fresh();
      const n = 6000;
      for (let i = 0; i < n; i += 500) {
        await t.xaddBatch(Array.from({ length: 500 }, (_, k) => ({ key: stream, fields: { event: JSON.stringify(guideEvent(i + k, `e:${(i + k) % 7}`)) } })));
      }
      const stores = Array.from({ length: 4 }, () => new EventStore(t, { streamKey: stream, publishChannel: null }));
      const results = await Promise.all(stores.map((s) => s.catchUpIndexes()));
      assert.equal(results.reduce((a, r) => a + r.indexed, 0), n, 'the entries were shared out, none indexed by two');
      let total = 0;
      for (let e = 0; e < 7; e++) total += await t.xlen(`${stream}:idx:entity:e:${e}`);
      assert.equal(total, n);
      assert.equal(await t.xlen(`${stream}:idx:type:order_created`), n);
      const e3 = await stores[0].get({ entity: 'e:3', limit: 100_000 });
      assert.equal(e3.length, Math.floor(n / 7) + (n % 7 > 3 ? 1 : 0));
    });

    it('reports progress on a backlog and can be cancelled', async () => {
      const stream = fresh();
      for (let i = 0; i < 3000; i += 500) {
        await t.xaddBatch(Array.from({ length: 500 }, (_, k) => ({ key: stream, fields: { event: JSON.stringify(guideEvent(i + k, 'p')) } })));
      }
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      const controller = new AbortController();
      const seen: number[] = [];
      await assert.rejects(store.catchUpIndexes({
        signal: controller.signal,
        onProgress: (p) => { seen.push(p.done); controller.abort(); },
      }), { code: 'ABORTED' });
      assert.deepEqual(seen, [1000]);
      const rest = await store.catchUpIndexes();
      assert.equal(rest.indexed, 2000, 'picks up where the cancelled one stopped');
    });

    it('skips foreign entries deleted after they were indexed, and trimmed ones before', async () => {
      const stream = fresh();
      const a = await guideSave(t, stream, guideEvent(1, 'd'));
      const b = await guideSave(t, stream, guideEvent(2, 'd'));
      const store = new EventStore(t, { streamKey: stream, publishChannel: null });
      assert.equal((await store.get({ entity: 'd' })).length, 2);
      await t.xdel(stream, [a]);
      assert.deepEqual((await store.get({ entity: 'd' })).map((e) => e.id), [b]);
      const c = await guideSave(t, stream, guideEvent(3, 'd'));
      await guideSave(t, stream, guideEvent(4, 'd'));
      await t.xtrim(stream, 1, false);
      assert.equal((await store.get({ entity: 'd' })).length, 1);
      assert.ok(!(await store.get({ entity: 'd' })).some((e) => e.id === c));
    });

    it('stores a resent chunk once: the same producer and sequence return the first ids', async () => {
      const stream = fresh();
      const first = new EventStore(t, { streamKey: stream, publishChannel: null, producerId: 'cli-1' });
      const events = Array.from({ length: 450 }, (_, i) => ({ event_type: 'x', entity_id: `r:${i % 5}`, data: { i } }));
      const stored = await first.appendBatch(events);
      // Another process resuming the same producer from the start: every chunk is a duplicate.
      const again = new EventStore(t, { streamKey: stream, publishChannel: null, producerId: 'cli-1' });
      const resent = await again.appendBatch(events);
      assert.deepEqual(resent.map((e) => e.id), stored.map((e) => e.id));
      assert.equal(await t.xlen(stream), 450);
      // Resuming from the third chunk (sequence 401) with the rest of the events: only what is new is stored.
      const resumed = new EventStore(t, { streamKey: stream, publishChannel: null, producerId: 'cli-1', firstSequence: 401 });
      const more = events.slice(400).concat([{ event_type: 'x', entity_id: 'r:9', data: { i: 999 } }]);
      await resumed.appendBatch(more.slice(0, 50));
      assert.equal(await t.xlen(stream), 450);
      const other = new EventStore(t, { streamKey: stream, publishChannel: null, producerId: 'cli-2' });
      await other.appendBatch(events.slice(0, 10));
      assert.equal(await t.xlen(stream), 460, 'another producer is another producer');
      assert.equal((await first.get({ entity: 'r:0', limit: 1000 })).length, 92);
    });

    it('refuses a sequence that goes back to a chunk never applied', async () => {
      const stream = fresh();
      const late = new EventStore(t, { streamKey: stream, publishChannel: null, producerId: 'p', firstSequence: 1000 });
      await late.append({ event_type: 'x' });
      const early = new EventStore(t, { streamKey: stream, publishChannel: null, producerId: 'p', firstSequence: 5 });
      await assert.rejects(early.append({ event_type: 'x' }), /UCORE_SEQUENCE/);
      assert.equal(await t.xlen(stream), 1);
    });

    it('a partitioned store also reads the plain stream other apps write', async () => {
      const stream = fresh();
      const store = new EventStore(t, { streamKey: stream, publishChannel: null, partitions: 4 });
      // Streams are merged by id, that is by append time: events a millisecond apart are in order across streams.
      const tick = () => new Promise((r) => setTimeout(r, 3));
      await store.append({ event_type: 'order_created', entity_id: 'order:p', data: { n: 1 } });
      await tick();
      const foreignId = await guideSave(t, stream, guideEvent(2, 'order:p', 'order_paid'));
      await tick();
      await store.append({ event_type: 'order_shipped', entity_id: 'order:p', data: { n: 3 } });
      const got = await store.get({ entity: 'order:p' });
      assert.deepEqual(got.map((e) => e.event.event_type), ['order_created', 'order_paid', 'order_shipped']);
      assert.equal(got[1].id, foreignId);
      assert.equal(got[1].stream, stream);
      assert.equal((await store.get({ types: ['order_paid'] })).length, 1);
      assert.equal(await store.length(), 3);
    });
  });
}

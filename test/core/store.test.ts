import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BadInputError } from '../../src/core/errors';
import { EventStore } from '../../src/core/store/event-store';
import { EventText } from '../../src/core/envelope/envelope';
import { countAfter } from '../../src/core/store/consumer-groups';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';
import { MessageRecorder } from '../support/message-recorder';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const target of transportTargets('store')) {
  describe(`event store [${target.name}]`, () => {
    let t: Transport;
    let done: () => Promise<void>;
    let seq = 0;
    /** A store on a stream no other test touches (publishing off unless asked). */
    const freshStore = (o: { publish?: boolean; maxLen?: number } = {}) =>
      new EventStore(t, { streamKey: `st-${++seq}`, publishChannel: o.publish ? `ch-${seq}` : null, maxLen: o.maxLen });

    before(async () => ({ transport: t, done } = await target.make()));
    after(async () => done());

    it('writes the guide format: stream event_store, one field `event` with the JSON text, also published on `events`', async () => {
      const store = new EventStore(t);
      const rec = await MessageRecorder.start(t, ['events']);
      const stored = await store.append({ event_type: 'order_created', entity_id: 'order-1', user_id: 7, data: { total: 99.5 } });

      const raw = await t.xrange('event_store', '-', '+');
      assert.equal(raw.length, 1);
      assert.equal(raw[0].id, stored.id);
      assert.deepEqual(Object.keys(raw[0].fields), ['event']);
      const onWire = JSON.parse(raw[0].fields.event);
      assert.equal(onWire.event_type, 'order_created');
      assert.equal(onWire.entity_id, 'order-1');
      assert.equal(onWire.user_id, 7);
      assert.deepEqual(onWire.data, { total: 99.5 });
      // completeEvent filled in what the caller left out
      assert.match(onWire.event_id, /^[0-9a-f-]{36}$/);
      assert.ok(!Number.isNaN(Date.parse(onWire.timestamp)));
      assert.equal(onWire.version, '1.0');
      assert.equal(stored.raw, raw[0].fields.event);

      await rec.waitFor(1, 'events');
      assert.equal(rec.on('events')[0].payload, stored.raw);
      await rec.stop();
      await t.del(['event_store']);
    });

    it('keeps the caller\'s own envelope fields', async () => {
      const store = freshStore();
      const s = await store.append({ event_id: 'my-id', event_type: 'x', timestamp: '2025-01-02T03:04:05Z', version: '2.0', extra: [1, 2] });
      const [back] = await store.get();
      assert.equal(back.id, s.id);
      assert.deepEqual(back.event, { event_id: 'my-id', event_type: 'x', timestamp: '2025-01-02T03:04:05Z', version: '2.0', extra: [1, 2], data: {}, metadata: { source: 'ucore' } });
      assert.equal(back.error, undefined);
    });

    it('names the publisher in metadata.source (the option, else ucore), keeps a source the event names, writes none with null', async () => {
      const key = `src-${Math.random().toString(16).slice(2)}`;
      const named = new EventStore(t, { streamKey: key, publishChannel: null, source: 'billing' });
      const metadata = { region: 'eu' };
      await named.append({ event_type: 'a', entity_id: 'o:1', metadata });
      await named.append({ event_type: 'b', entity_id: 'o:1', metadata: { source: 'their-service' } });
      // Text keeps its bytes: a source is added only where the text has no metadata at all.
      await named.append(new EventText('{"event_type":"c","entity_id":"o:1","data":{"v":12.0}}'));
      await named.append(new EventText('{"event_type":"d","entity_id":"o:1","metadata":{"x":1.0}}'));
      await new EventStore(t, { streamKey: key, publishChannel: null, source: null }).append({ event_type: 'e', entity_id: 'o:1' });
      const got = await named.get();
      assert.deepEqual(got.map((g) => (g.event.metadata as Record<string, unknown>).source), ['billing', 'their-service', 'billing', undefined, undefined]);
      assert.deepEqual((got[0].event.metadata as Record<string, unknown>).region, 'eu');
      assert.deepEqual(metadata, { region: 'eu' }, "the caller's metadata object is not changed");
      assert.match(got[2].raw, /"data":\{"v":12\.0\}/);
      assert.match(got[3].raw, /"metadata":\{"x":1\.0\}/);
      assert.throws(() => new EventStore(t, { source: '' }), /source must be a non-empty text/);
      await t.del([key]);
    });

    it('reads by entity through the index, in order, reversed, limited, with a type filter', async () => {
      const store = freshStore();
      const events = [];
      for (let i = 0; i < 30; i++) {
        events.push({ event_type: i % 3 === 0 ? 'order_paid' : 'order_updated', entity_id: `order-${i % 5}`, data: { i } });
      }
      await store.appendBatch(events);

      const o2 = await store.getByEntity('order-2');
      assert.deepEqual(o2.map((e) => (e.event.data as { i: number }).i), [2, 7, 12, 17, 22, 27]);
      const rev = await store.getByEntity('order-2', { reverse: true, limit: 2 });
      assert.deepEqual(rev.map((e) => (e.event.data as { i: number }).i), [27, 22]);
      const paid = await store.getByEntity('order-2', { types: ['order_paid'] });
      assert.deepEqual(paid.map((e) => (e.event.data as { i: number }).i), [12, 27]);
      assert.deepEqual(await store.getByEntity('nobody'), []);
      // Numeric entity ids are indexed as their text.
      await store.append({ event_type: 'n', entity_id: 42 });
      assert.equal((await store.getByEntity('42')).length, 1);
    });

    it('reads by one type (index), by several types (scan), newest first and by id range', async () => {
      const store = freshStore();
      const stored = await store.appendBatch(['a', 'b', 'c', 'a', 'b', 'a'].map((type, i) => ({ event_type: type, data: { i } })));
      const ix = (list: Array<{ event: { data?: unknown } }>) => list.map((e) => (e.event.data as { i: number }).i);
      assert.deepEqual(ix(await store.getByType('a')), [0, 3, 5]);
      assert.deepEqual(ix(await store.get({ types: ['a', 'c'] })), [0, 2, 3, 5]);
      assert.deepEqual(ix(await store.get({ types: ['a', 'c'], reverse: true, limit: 3 })), [5, 3, 2]);
      assert.deepEqual(ix(await store.newest(2)), [5, 4]);
      assert.deepEqual(ix(await store.get({ fromId: stored[1].id, toId: stored[3].id })), [1, 2, 3]);
      assert.deepEqual(ix(await store.get({ predicate: (e) => (e.data as { i: number }).i % 2 === 1 })), [1, 3, 5]);
      assert.deepEqual(ix(await store.get({ limit: 2 })), [0, 1]);
      assert.equal(await store.length(), 6);
    });

    it('a time range reads the event\'s timestamp by default: events appended a day after they happened (guide-style XADD, a backfill) are found by it, not by the append clock', async () => {
      const store = freshStore();
      const dayAgo = Date.now() - 86_400_000;
      // The guide's Python: datetime.utcnow().isoformat(), no offset (UTC) and six fraction digits.
      const pythonIso = (ms: number) => new Date(ms).toISOString().replace('Z', '123');
      const guide = [0, 1, 2].map((i) => ({ event_id: `g${i}`, event_type: 'order_created', entity_id: 'order:old', timestamp: pythonIso(dayAgo + i * 1000), data: { i } }));
      for (const e of guide) await t.xadd(store.streamKey, { event: JSON.stringify(e) });
      await t.xadd(store.streamKey, { event: JSON.stringify({ event_type: 'order_created', entity_id: 'order:old', data: { i: 'no timestamp' } }) });
      await t.xadd(store.streamKey, { event: JSON.stringify({ event_type: 'order_created', timestamp: 'yesterday', data: { i: 'bad timestamp' } }) });
      await t.xadd(store.streamKey, { event: '{not json' });
      // A backfill through our own store keeps the events' own timestamps, and indexes them.
      await store.appendBatch([3, 4].map((i) => ({ event_type: 'order_paid', entity_id: 'order:back', timestamp: new Date(dayAgo + i * 1000).toISOString(), data: { i } })));
      await store.appendBatch([{ event_type: 'order_paid', entity_id: 'order:back', data: { i: 'now' } }]);

      const around = { since: new Date(dayAgo - 60_000).toISOString(), until: new Date(dayAgo + 60_000).toISOString() };
      const is = (list: Array<{ event: { data?: unknown } }>) => list.map((e) => (e.event.data as { i: unknown }).i);
      assert.deepEqual(is(await store.get(around)), [0, 1, 2, 3, 4], 'the event clock is the default');
      assert.deepEqual(is(await store.get({ ...around, clock: 'event' })), [0, 1, 2, 3, 4]);
      assert.deepEqual(await store.get({ ...around, clock: 'append' }), [], 'they were appended now, not a day ago');
      assert.equal((await store.get({ since: new Date(Date.now() - 60_000), clock: 'append' })).length, 9, 'the append clock: every entry written in the last minute');
      // Bounds at microsecond precision, both inclusive; a bound without an offset is UTC like the guide's timestamps.
      assert.deepEqual(is(await store.get({ since: guide[1].timestamp, until: guide[2].timestamp })), [1, 2]);
      assert.deepEqual(is(await store.get({ since: guide[1].timestamp.replace(/123$/, '124') })), [2, 3, 4, 'now']);
      // Through the entity index (bounded by that entity's events) and the type index.
      assert.deepEqual(is(await store.get({ ...around, entity: 'order:back' })), [3, 4]);
      assert.deepEqual(is(await store.get({ ...around, types: ['order_paid'] })), [3, 4]);
      assert.deepEqual(is(await store.get({ ...around, reverse: true, limit: 2 })), [4, 3]);
    });

    it('selects by time range on either clock (they agree on events appended as they happen) and rejects bad dates clearly', async () => {
      const store = freshStore();
      await store.appendBatch([{ event_type: 'early', data: { i: 0 } }, { event_type: 'early', data: { i: 1 } }]);
      await wait(15);
      const cut = new Date();
      await wait(15);
      await store.appendBatch([{ event_type: 'late', data: { i: 2 } }]);
      for (const clock of [undefined, 'event', 'append'] as const) {
        assert.deepEqual((await store.get({ since: cut, clock })).map((e) => e.event.event_type), ['late'], String(clock));
        assert.deepEqual((await store.get({ since: cut.toISOString(), clock })).map((e) => e.event.event_type), ['late']);
        assert.deepEqual((await store.get({ until: cut, clock })).map((e) => e.event.event_type), ['early', 'early']);
        assert.deepEqual(await store.get({ since: cut, until: new Date(cut.getTime() - 1), clock }), []);
        assert.deepEqual((await store.getByType('early', { until: cut.toISOString(), clock })).length, 2);
      }
      await assert.rejects(store.get({ since: cut, clock: 'wall' as never }), (e: Error) => e instanceof BadInputError && /clock must be "event"/.test(e.message));
      await assert.rejects(store.get({ since: 'yesterday-ish' }), (e: Error) => e instanceof BadInputError && /since: "yesterday-ish" is not a date/.test(e.message));
      await assert.rejects(store.get({ until: new Date('nope') }), BadInputError);
      await assert.rejects(store.get({ fromId: 'abc' }), (e: Error) => e instanceof BadInputError && /fromId/.test(e.message));
      await assert.rejects(store.get({ limit: -1 }), BadInputError);
      await assert.rejects(store.getByEntity(''), BadInputError);
    });

    it('get() defaults to 1000 events; scan() pages through everything with no duplicates', async () => {
      const store = freshStore();
      const stored = await store.appendBatch(Array.from({ length: 1234 }, (_, i) => ({ event_type: 'tick', entity_id: i % 2 ? 'odd' : 'even', data: { i } })));
      // Three chunks of ≤500, ids strictly increasing in the caller's order.
      assert.equal(stored.length, 1234);
      assert.deepEqual(stored.map((s) => (s.event.data as { i: number }).i), Array.from({ length: 1234 }, (_, i) => i));
      assert.equal((await store.get()).length, 1000);
      const pages: number[] = [];
      const seen: number[] = [];
      for await (const page of store.scan({ pageSize: 100 })) {
        pages.push(page.length);
        for (const e of page) seen.push((e.event.data as { i: number }).i);
      }
      assert.equal(pages.length, 13);
      assert.deepEqual(seen, Array.from({ length: 1234 }, (_, i) => i));
      const odd: number[] = [];
      for await (const page of store.scan({ entity: 'odd', pageSize: 100, reverse: true })) for (const e of page) odd.push((e.event.data as { i: number }).i);
      assert.equal(odd.length, 617);
      assert.equal(odd[0], 1233);
      assert.equal(odd[616], 1);
    });

    it('reads events a guide app XADDed directly (no index), and returns malformed entries with `error` set', async () => {
      const store = freshStore();
      await store.append({ event_type: 'ours', entity_id: 'g1' });
      await t.xadd(store.streamKey, { event: JSON.stringify({ event_type: 'order_created', entity_id: 'g1', data: { total: 5 } }) });
      await t.xadd(store.streamKey, { event: 'not json' });
      await t.xadd(store.streamKey, { other: 'field' });
      await t.xadd(store.streamKey, { event: '[1,2]' });
      const all = await store.get();
      assert.deepEqual(all.map((e) => e.event.event_type ?? null), ['ours', 'order_created', null, null, null]);
      assert.equal(all[1].error, undefined);
      assert.equal(all[2].raw, 'not json');
      assert.match(all[2].error ?? '', /not JSON/);
      assert.deepEqual(all[2].event, {});
      assert.match(all[3].error ?? '', /no "event" field/);
      assert.match(all[4].error ?? '', /JSON object/);
      // A filter never sees malformed entries; a two-type read scans the stream and so finds the guide's event.
      const typed = await store.get({ types: ['order_created', 'ours'] });
      assert.deepEqual(typed.map((e) => e.event.event_type), ['ours', 'order_created']);
      assert.deepEqual((await store.newest(1))[0].event, {});
    });

    it('survives hostile events: __proto__ names, a 1 MB event, deeply nested JSON', async () => {
      const store = freshStore();
      await store.append({ event_type: 'constructor', entity_id: '__proto__', data: { ['__proto__']: 1 } });
      const p = await store.getByEntity('__proto__');
      assert.equal(p.length, 1);
      assert.equal(p[0].event.event_type, 'constructor');
      assert.equal((await store.getByType('constructor')).length, 1);

      const big = 'x'.repeat(1024 * 1024);
      await store.append({ event_type: 'big', entity_id: 'b', data: { big } });
      assert.equal(((await store.getByEntity('b'))[0].event.data as { big: string }).big.length, big.length);

      const deep = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
      await t.xadd(store.streamKey, { event: deep });
      await t.xadd(store.streamKey, { event: '['.repeat(100_000) });
      const newest = await store.newest(2);
      assert.equal(newest.length, 2);
      assert.match(newest[0].error ?? '', /not JSON/);

      await assert.rejects(store.append(null as never), BadInputError);
      const circular: Record<string, unknown> = { event_type: 'loop' };
      circular.self = circular;
      await assert.rejects(store.append(circular), (e: Error) => e instanceof BadInputError && /cannot be stored as JSON/.test(e.message));
      const before = await store.length();
      await assert.rejects(store.appendBatch([{ event_type: 'ok' }, { event_type: 'x', entity_id: 'e'.repeat(600) }]), /event #2/);
      assert.equal(await store.length(), before, 'a batch with one bad event writes nothing');
    });

    it('appendBatch publishes every event in order, or none with publish: false', async () => {
      const store = freshStore({ publish: true });
      const rec = await MessageRecorder.start(t, [store.publishChannel as string]);
      const stored = await store.appendBatch(Array.from({ length: 1100 }, (_, i) => ({ event_type: 'p', data: { i } })));
      await rec.waitFor(1100, store.publishChannel as string, 5000);
      assert.deepEqual(rec.on(store.publishChannel as string).map((m) => m.payload), stored.map((s) => s.raw));
      await store.appendBatch([{ event_type: 'quiet' }], { publish: false });
      await rec.settle(100);
      assert.equal(rec.messages.length, 1100);
      await rec.stop();
    });

    it('the entity index holds copies: reads need no lookups, yet an event deleted from the stream is gone from them', async () => {
      const store = freshStore();
      const stored = await store.appendBatch(Array.from({ length: 6 }, (_, i) => ({ event_type: 'cp', entity_id: 'c', data: { i } })));
      const copies = await t.xrange(`${store.streamKey}:idx:entity:c`, '-', '+');
      assert.deepEqual(copies.map((e) => e.fields.event), stored.map((e) => e.raw));
      assert.deepEqual((await t.xrange(`${store.streamKey}:idx:type:cp`, '-', '+', 1))[0]!.fields, Object.assign(Object.create(null), { i: '' }));
      assert.deepEqual((await store.getByEntity('c')).map((e) => e.id), stored.map((e) => e.id));
      // Another app deletes one event from the guide's stream: the entity read no longer returns it.
      assert.equal(await t.xdel(store.streamKey, [stored[2]!.id]), 1);
      const left = stored.filter((_, i) => i !== 2).map((e) => e.id);
      assert.deepEqual((await store.getByEntity('c')).map((e) => e.id), left);
      assert.deepEqual((await store.getByEntity('c', { reverse: true, limit: 2 })).map((e) => e.id), [left[4], left[3]]);
      await store.append({ event_type: 'cp', entity_id: 'c', data: { i: 6 } });
      assert.equal((await store.getByEntity('c')).length, 6);
    });

    it('trims: exactly, approximately on append, and index reads skip trimmed events', async () => {
      const store = freshStore();
      await store.appendBatch(Array.from({ length: 50 }, (_, i) => ({ event_type: 'tr', entity_id: 'e', data: { i } })));
      assert.equal(await store.trim(10, false), 40);
      assert.equal(await store.length(), 10);
      const left = await store.getByEntity('e');
      assert.deepEqual(left.map((e) => (e.event.data as { i: number }).i), [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
      assert.equal((await store.getByEntity('e', { limit: 3 })).length, 3);
      // Pruning removes the index entries of the 40 trimmed events, from the entity and the type index.
      assert.equal(await t.xlen(`${store.streamKey}:idx:entity:e`), 50);
      const pruned = await store.pruneIndexes({ scanCount: 1 });
      assert.deepEqual(pruned, { keys: 2, removed: 80, aborted: false });
      assert.equal(await t.xlen(`${store.streamKey}:idx:entity:e`), 10);
      assert.equal(await t.xlen(`${store.streamKey}:idx:type:tr`), 10);
      assert.equal((await store.getByEntity('e')).length, 10);
      assert.deepEqual(await store.pruneIndexes(), { keys: 2, removed: 0, aborted: false });

      const capped = freshStore({ maxLen: 100 });
      for (let i = 0; i < 4; i++) await capped.appendBatch(Array.from({ length: 250 }, () => ({ event_type: 'cap' })));
      const len = await capped.length();
      assert.ok(len >= 100 && len <= 350, `MAXLEN ~ 100 left ${len} of 1000 entries`);
    });

    it('consumer groups: create, read, ack, pending summary and detail, claim, autoclaim', async () => {
      const store = freshStore();
      assert.equal(await store.createGroup('g', '0'), true);
      assert.equal(await store.createGroup('g', '0'), false);
      const stored = await store.appendBatch(Array.from({ length: 10 }, (_, i) => ({ event_type: 'work', data: { i } })));

      const a = await store.readGroup('g', 'alice', { count: 4 });
      assert.deepEqual(a.map((e) => e.id), stored.slice(0, 4).map((s) => s.id));
      assert.equal(a[0].event.event_type, 'work');
      const b = await store.readGroup('g', 'bob', { count: 3 });
      assert.deepEqual(b.map((e) => e.id), stored.slice(4, 7).map((s) => s.id));
      assert.equal(await store.ack('g', [a[0].id, a[1].id]), 2);

      const summary = await store.pendingSummary('g');
      assert.equal(summary.count, 5);
      assert.equal(summary.minId, a[2].id);
      assert.equal(summary.maxId, b[2].id);
      assert.deepEqual(summary.consumers.map((c) => [c.name, c.count]).sort(), [['alice', 2], ['bob', 3]]);

      const detail = await store.pendingEntries('g', { count: 10, consumer: 'bob' });
      assert.deepEqual(detail.map((p) => p.id), b.map((e) => e.id));
      assert.ok(detail.every((p) => p.consumer === 'bob' && p.deliveries === 1));

      // alice's own pending entries, re-read with id 0 (crash recovery)
      const again = await store.readGroup('g', 'alice', { id: '0' });
      assert.deepEqual(again.map((e) => e.id), [a[2].id, a[3].id]);

      await wait(30);
      const claimed = await store.claim('g', 'carol', 20, [a[2].id]);
      assert.deepEqual(claimed.map((e) => e.id), [a[2].id]);
      assert.equal(claimed[0].event.event_type, 'work');
      assert.deepEqual(await store.claim('g', 'dave', 60_000, [a[3].id]), [], 'not idle long enough');

      const auto = await store.autoclaim('g', 'carol', 20, { count: 10 });
      assert.deepEqual(auto.events.map((e) => e.id).sort(), [a[3].id, ...b.map((e) => e.id)].sort());
      assert.equal(auto.next, '0-0');
      assert.deepEqual(auto.deletedIds, []);
      const after = await store.pendingSummary('g');
      assert.deepEqual(after.consumers.map((c) => [c.name, c.count]), [['carol', 5]]);
      assert.deepEqual((await store.pendingEntries('g', { count: 10, minIdleMs: 60_000 })), []);
    });

    it('reports each group\'s lag, counting it where Redis cannot tell', async () => {
      const store = freshStore();
      assert.deepEqual(await store.groups(), [], 'no stream yet: no groups, no error');
      const stored = await store.appendBatch(Array.from({ length: 10 }, (_, i) => ({ event_type: 'lag', data: { i } })));
      await store.createGroup('fresh', '0');
      await store.createGroup('caught-up', '$');
      await store.createGroup('half', '0');
      await store.readGroup('half', 'h', { count: 3 });
      let groups = await store.groups();
      const lag = (name: string) => groups.find((g) => g.name === name)?.lag;
      assert.equal(lag('fresh'), 10);
      assert.equal(lag('caught-up'), 0);
      assert.equal(lag('half'), 7);
      // Deleting an undelivered entry makes Redis report the lag as unknown; the store counts it instead.
      await t.xdel(store.streamKey, [stored[5].id]);
      groups = await store.groups();
      assert.equal(lag('half'), 6);
      assert.equal(lag('fresh'), 9);
      assert.equal(lag('caught-up'), 0);
      assert.equal(groups.find((g) => g.name === 'half')?.pending, 3);
    });

    it('counts lag only up to its bound', async () => {
      const stream = `st-${++seq}`;
      for (let i = 0; i < 11; i++) await t.xaddBatch(Array.from({ length: 1000 }, () => ({ key: stream, fields: { event: '{}' } })));
      assert.equal(await countAfter(t, stream, '0-0', 10_000), null);
      assert.equal(await countAfter(t, stream, '0-0', 11_000), 11_000);
    });
  });
}

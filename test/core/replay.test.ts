import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BadInputError } from '../../src/core/errors';
import { replay, type ReplayProgress } from '../../src/core/replay/replay';
import { EventStore } from '../../src/core/store/event-store';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';
import { MessageRecorder } from '../support/message-recorder';

for (const target of transportTargets('replay')) {
  describe(`replay [${target.name}]`, () => {
    let t: Transport;
    let done: () => Promise<void>;
    let other: Transport;
    let otherDone: () => Promise<void>;
    let seq = 0;
    const fresh = (prefix: string) => `${prefix}-${++seq}`;
    /** A store with `n` events: types a/b/c in turn, entities e0..e4, data.i = position. */
    async function seeded(n: number): Promise<EventStore> {
      const store = new EventStore(t, { streamKey: fresh('src'), publishChannel: null });
      const types = ['a', 'b', 'c'];
      for (let i = 0; i < n; i += 2000) {
        await store.appendBatch(Array.from({ length: Math.min(2000, n - i) }, (_, k) => ({
          event_type: types[(i + k) % 3], entity_id: `e${(i + k) % 5}`, data: { i: i + k },
        })));
      }
      return store;
    }
    const positions = (raws: string[]) => raws.map((r) => JSON.parse(r).data.i as number);

    before(async () => {
      ({ transport: t, done } = await target.make());
      // A second, independent server (or embedded instance) to replay into.
      ({ transport: other, done: otherDone } = await target.make());
    });
    after(async () => { await done(); await otherDone(); });

    it('sends 1000 events to a stream in stored order, the stored text untouched, in the guide format', async () => {
      const store = await seeded(1000);
      const dest = fresh('dst');
      const r = await replay(t, { stream: store.streamKey }, { kind: 'stream', stream: dest });
      assert.deepEqual([r.scanned, r.matched, r.sent, r.skippedMalformed, r.aborted, r.dryRun], [1000, 1000, 1000, 0, false, false]);
      const src = await t.xrange(store.streamKey, '-', '+');
      const out = await t.xrange(dest, '-', '+');
      assert.equal(out.length, 1000);
      assert.ok(out.every((e) => Object.keys(e.fields).length === 1));
      assert.deepEqual(out.map((e) => e.fields.event), src.map((e) => e.fields.event));
      assert.deepEqual(positions(out.map((e) => e.fields.event)), Array.from({ length: 1000 }, (_, i) => i));
    });

    it('replays one entity to a channel, in order (through the index)', async () => {
      const store = await seeded(100);
      const channel = fresh('ch');
      const rec = await MessageRecorder.start(t, [channel]);
      const r = await replay(t, { stream: store.streamKey, indexed: true, entity: 'e3' }, { kind: 'channel', channel });
      assert.equal(r.sent, 20);
      assert.equal(r.scanned, 20, 'the index read touches only that entity\'s events');
      await rec.waitFor(20, channel);
      assert.deepEqual(positions(rec.on(channel).map((m) => m.payload)), Array.from({ length: 20 }, (_, k) => 3 + 5 * k));
      await rec.stop();
    });

    it('selects by several types, a predicate, a time and an id range; skips malformed entries', async () => {
      const store = await seeded(30);
      await t.xadd(store.streamKey, { event: 'not json' });
      await t.xadd(store.streamKey, { nope: '1' });
      await t.xadd(store.streamKey, { event: JSON.stringify({ event_type: 'a', data: { i: 30 } }) });
      const dest = fresh('dst');
      const r = await replay(t, { stream: store.streamKey, types: ['a', 'c'], predicate: (e) => (e.data as { i: number }).i >= 10 }, { kind: 'stream', stream: dest });
      assert.equal(r.scanned, 33);
      assert.equal(r.skippedMalformed, 2);
      const got = positions((await t.xrange(dest, '-', '+')).map((e) => e.fields.event));
      assert.deepEqual(got, [11, 12, 14, 15, 17, 18, 20, 21, 23, 24, 26, 27, 29, 30]);
      assert.equal(r.sent, got.length);

      // No filter to parse for: garbage is still kept out, by the cheap brace check.
      const all = await replay(t, { stream: store.streamKey }, { kind: 'stream', stream: fresh('dst') });
      assert.deepEqual([all.sent, all.skippedMalformed], [31, 2]);

      const ids = (await t.xrange(store.streamKey, '-', '+')).map((e) => e.id);
      const ranged = await replay(t, { stream: store.streamKey, fromId: ids[5], toId: ids[9] }, { kind: 'stream', stream: fresh('dst') }, { dryRun: true });
      assert.equal(ranged.matched, 5);
      const future = await replay(t, { stream: store.streamKey, since: new Date(Date.now() + 60_000), clock: 'append' }, { kind: 'stream', stream: fresh('dst') });
      assert.deepEqual([future.scanned, future.clock], [0, 'append'], 'an append-clock range is an id range: nothing read');
      const futureEvents = await replay(t, { stream: store.streamKey, since: new Date(Date.now() + 60_000) }, { kind: 'stream', stream: fresh('dst') });
      assert.deepEqual([futureEvents.scanned, futureEvents.matched, futureEvents.clock], [33, 0, 'event'], 'the event clock (default) reads the range and filters');
      const limited = await replay(t, { stream: store.streamKey, reverse: true, limit: 3 }, { kind: 'stream', stream: fresh('dst') }, { dryRun: true, preview: 5 });
      assert.deepEqual(limited.preview.map((p) => p.event.data), [{ i: 30 }, { i: 29 }, { i: 28 }]);
    });

    it('dry run sends nothing and previews the first matches', async () => {
      const store = await seeded(200);
      const dest = fresh('dst');
      const channel = fresh('ch');
      const rec = await MessageRecorder.start(t, [channel]);
      const r = await replay(t, { stream: store.streamKey, types: ['b'] }, { kind: 'stream', stream: dest }, { dryRun: true });
      assert.deepEqual([r.dryRun, r.matched, r.sent, r.preview.length], [true, 67, 0, 20]);
      assert.deepEqual(r.preview.slice(0, 3).map((p) => p.event.data), [{ i: 1 }, { i: 4 }, { i: 7 }]);
      assert.equal(r.preview[0].raw, (await t.xrange(store.streamKey, r.preview[0].id, r.preview[0].id))[0].fields.event);
      assert.equal(await t.exists([dest]), 0);
      const c = await replay(t, { stream: store.streamKey }, { kind: 'channel', channel }, { dryRun: true, preview: 0 });
      assert.deepEqual([c.matched, c.sent, c.preview.length], [200, 0, 0]);
      await rec.settle(50);
      assert.equal(rec.messages.length, 0);
      await rec.stop();
    });

    it('holds the rate limit: 60 events at 100/s take at least ~0.5 s, in small batches', async () => {
      const store = await seeded(60);
      const dest = fresh('dst');
      const progress: ReplayProgress[] = [];
      const t0 = performance.now();
      const r = await replay(t, { stream: store.streamKey }, { kind: 'stream', stream: dest }, { ratePerSecond: 100, onProgress: (p) => progress.push(p) });
      const ms = performance.now() - t0;
      assert.equal(r.sent, 60);
      assert.ok(ms >= 450, `60 events at 100/s took only ${ms.toFixed(0)} ms`);
      assert.ok(r.durationMs >= 450);
      // Batches of 10 every ~100 ms: the progress never jumps by the whole batch size of 500.
      assert.ok(progress.length >= 4, `${progress.length} progress reports`);
      assert.ok(progress.every((p, i) => i === 0 || p.sent - progress[i - 1].sent <= 20));
      assert.ok(progress.at(-1)!.rate <= 130, `rate ${progress.at(-1)!.rate}`);
      assert.equal(await t.xlen(dest), 60);
    });

    it('reports progress with increasing numbers and a final report matching the result', async () => {
      const store = await seeded(3000);
      const progress: ReplayProgress[] = [];
      const r = await replay(t, { stream: store.streamKey }, { kind: 'stream', stream: fresh('dst') }, { ratePerSecond: 10_000, onProgress: (p) => progress.push(p) });
      assert.ok(progress.length >= 3, `${progress.length} reports`);
      for (let i = 1; i < progress.length; i++) {
        assert.ok(progress[i].sent >= progress[i - 1].sent);
        assert.ok(progress[i].scanned >= progress[i - 1].scanned);
      }
      const last = progress.at(-1)!;
      assert.deepEqual([last.scanned, last.matched, last.sent], [r.scanned, r.matched, r.sent]);
      assert.equal(last.lastId, (await t.xrevrange(store.streamKey, '+', '-', 1))[0].id);
      assert.ok(progress.length <= 5 + r.durationMs / 100, 'about 10 reports a second at most');
    });

    it('stops on abort midway and returns the counts so far without throwing', async () => {
      const store = await seeded(1000);
      const dest = fresh('dst');
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 150);
      const r = await replay(t, { stream: store.streamKey }, { kind: 'stream', stream: dest }, { ratePerSecond: 1000, signal: ac.signal });
      assert.equal(r.aborted, true);
      assert.ok(r.sent > 0 && r.sent < 1000, `sent ${r.sent}`);
      assert.equal(await t.xlen(dest), r.sent);
      assert.deepEqual(positions((await t.xrange(dest, '-', '+')).map((e) => e.fields.event)), Array.from({ length: r.sent }, (_, i) => i));

      const pre = new AbortController();
      pre.abort();
      const none = await replay(t, { stream: store.streamKey }, { kind: 'stream', stream: fresh('dst') }, { signal: pre.signal });
      assert.deepEqual([none.aborted, none.sent], [true, 0]);
    });

    it('replays to another connection', async () => {
      const store = await seeded(1500);
      const dest = fresh('dst');
      const r = await replay(t, { stream: store.streamKey, entity: 'e1', indexed: true }, { kind: 'stream', stream: dest, transport: other });
      assert.equal(r.sent, 300);
      assert.equal(await t.exists([dest]), 0, 'nothing written to the source');
      const out = await other.xrange(dest, '-', '+');
      assert.deepEqual(positions(out.map((e) => e.fields.event)), Array.from({ length: 300 }, (_, k) => 1 + 5 * k));

      const channel = fresh('ch');
      const rec = await MessageRecorder.start(other, [channel]);
      const c = await replay(t, { stream: store.streamKey, types: ['c'], limit: 7 }, { kind: 'channel', channel, transport: other });
      assert.equal(c.sent, 7);
      await rec.waitFor(7, channel);
      assert.deepEqual(positions(rec.on(channel).map((m) => m.payload)), [2, 5, 8, 11, 14, 17, 20]);
      await rec.stop();
    });

    it('replays to a shard channel with SPUBLISH: a shard subscriber gets them in order, a plain subscriber on the same name nothing', async () => {
      const store = await seeded(30);
      const channel = fresh('shard');
      const rec = await MessageRecorder.start(t, [channel], { shard: true });
      try {
        const r = await replay(t, { stream: store.streamKey, types: ['b'] }, { kind: 'shard', channel });
        assert.equal(r.sent, 10);
        await rec.waitFor(10, channel);
        await rec.settle();
        assert.deepEqual(positions(rec.payloads(channel, true)), Array.from({ length: 10 }, (_, k) => 1 + 3 * k));
        assert.deepEqual(rec.payloads(channel, false), [], 'PUBLISH subscribers of the same name get nothing');
        // And the other way round: a plain channel target reaches the plain subscriber only.
        await replay(t, { stream: store.streamKey, limit: 2 }, { kind: 'channel', channel });
        await rec.waitFor(12, channel);
        await rec.settle();
        assert.deepEqual([rec.payloads(channel, true).length, positions(rec.payloads(channel, false))], [10, [0, 1]]);
      } finally {
        await rec.stop();
      }
      await assert.rejects(replay(t, {}, { kind: 'shard', channel: '' }), BadInputError);
    });

    it('a time range on the event clock finds events by their timestamp (appended a day later the guide\'s way) and counts those without one', async () => {
      const src = fresh('guide');
      const dayAgo = Date.now() - 86_400_000;
      for (let i = 0; i < 4; i++) {
        await t.xadd(src, { event: JSON.stringify({ event_type: 'order_created', entity_id: `order:${i}`, timestamp: new Date(dayAgo + i).toISOString().replace('Z', ''), data: { i } }) });
      }
      await t.xadd(src, { event: JSON.stringify({ event_type: 'order_created', data: { i: 'untimed' } }) });
      const around = { stream: src, since: new Date(dayAgo - 1000), until: new Date(dayAgo + 1000).toISOString() };
      const dest = fresh('dst');
      const r = await replay(t, around, { kind: 'stream', stream: dest });
      assert.deepEqual([r.matched, r.sent, r.skippedUntimed, r.clock], [4, 4, 1, 'event']);
      assert.deepEqual(positions((await t.xrange(dest, '-', '+')).map((e) => e.fields.event)), [0, 1, 2, 3]);
      const byAppend = await replay(t, { ...around, clock: 'append' }, { kind: 'stream', stream: fresh('dst') });
      assert.deepEqual([byAppend.matched, byAppend.scanned, byAppend.skippedUntimed], [0, 0, 0]);
      const none = await replay(t, { stream: src }, { kind: 'stream', stream: fresh('dst') }, { dryRun: true });
      assert.deepEqual([none.matched, none.clock], [5, null], 'no range, no clock');
    });

    it('a selection of time, types and entity reads those fields from the bytes with the same answer as a full parse', async () => {
      // Read the fast way (event fields from the bytes, on Redis) and, with a predicate that accepts all, the parsed way.
      const src = fresh('fields-src');
      const inRange = '2026-03-01T10:00:00.500000';
      const texts = [
        `{"event_type":"a","entity_id":"e1","timestamp":"${inRange}","data":{"timestamp":"1999-01-01T00:00:00"}}`,
        `{"event_type":"a","entity_id":"e1","timestamp":"2026-03-02T00:00:00Z"}`,
        '{"event_type":"b","entity_id":"e1","data":{"timestamp":"2026-03-01T10:00:00"}}',
        `{"event_type":"a","entity_id":"e1","timestamp":"1999-01-01T00:00:00","timestamp":"${inRange}"}`,
        `{"event_type":"a","entity_id":"e1","timestamp":"${inRange}","timestamp":"1999-01-01T00:00:00"}`,
        `{"event_type":"a","entity_id":"e1","time\\u0073tamp":"${inRange}"}`,
        `{"event_\\u0074ype":"b","entity_id":"e1","timestamp":"${inRange}"}`,
        '{"event_type":"a","entity_id":"e1","timestamp":1772359200000}',
        `{"event_type":"a","entity_id":"e1","timestamp":"${inRange}",`,
        `{"event_type":"a","entity_id":"e1","timestamp":"${inRange}"} x`,
        `{"event_type":{"x":1},"entity_id":"e1","timestamp":"${inRange}"}`,
        `{"event_type":"c","entity_id":"e1","timestamp":"${inRange}"}`,
        `{"event_type":"b","entity_id":"e2","timestamp":"${inRange}"}`,
        `{"event_type":"b","entity_id":1,"timestamp":"${inRange}"}`,
        `{"event_type":"b","timestamp":"${inRange}","entity_id":"e1","data":${'['.repeat(70)}${']'.repeat(70)}}`,
        `{"event_type":"b","entity_id":"e1","timestamp":"2026-03-01T12:00:00+02:00","note":"é 🚀"}`,
        `[{"event_type":"a","entity_id":"e1","timestamp":"${inRange}"}]`,
      ];
      for (const event of texts) await t.xadd(src, { event });
      await t.xadd(src, { other: 'field' });
      const selections = [
        { since: '2026-03-01T00:00:00', until: '2026-03-01T23:59:59' },
        { since: '2026-03-01T00:00:00', types: ['a', 'b'] },
        { until: '2026-03-01T23:59:59', entity: 'e1' },
        { types: ['b'], entity: '1' },
      ];
      for (const selection of selections) {
        const fast = fresh('fields-fast');
        const parsed = fresh('fields-parsed');
        const a = await replay(t, { stream: src, ...selection }, { kind: 'stream', stream: fast });
        const b = await replay(t, { stream: src, ...selection, predicate: () => true }, { kind: 'stream', stream: parsed });
        const counts = (r: typeof a) => [r.scanned, r.matched, r.sent, r.skippedMalformed, r.skippedUntimed];
        assert.deepEqual(counts(a), counts(b), JSON.stringify(selection));
        const sent = async (stream: string) => (await t.xrange(stream, '-', '+')).map((e) => e.fields.event);
        assert.deepEqual(await sent(fast), await sent(parsed), JSON.stringify(selection));
        assert.ok(a.sent > 0, `something matched ${JSON.stringify(selection)}`);
      }
    });

    it('a replay into its own stream ends (the end is fixed at the start)', async () => {
      const store = await seeded(1200);
      const r = await replay(t, { stream: store.streamKey }, { kind: 'stream', stream: store.streamKey });
      assert.equal(r.sent, 1200);
      assert.equal(await t.xlen(store.streamKey), 2400);
    });

    it('the default source is the store\'s event_store, read through its index', async () => {
      const store = new EventStore(t, { publishChannel: null });
      await store.appendBatch([{ event_type: 'x', entity_id: 'def' }, { event_type: 'y', entity_id: 'other' }, { event_type: 'z', entity_id: 'def' }]);
      const r = await replay(t, { entity: 'def' }, { kind: 'stream', stream: fresh('dst') }, { dryRun: true });
      assert.deepEqual(r.preview.map((p) => p.event.event_type), ['x', 'z']);
      await t.del(['event_store']);
    });

    it('rejects bad input before sending anything', async () => {
      await assert.rejects(replay(t, { since: 'soon' }, { kind: 'channel', channel: 'x' }), BadInputError);
      await assert.rejects(replay(t, {}, { kind: 'channel', channel: '' }), BadInputError);
      await assert.rejects(replay(t, {}, { kind: 'queue' } as never), /unknown replay target/);
      await assert.rejects(replay(t, {}, { kind: 'channel', channel: 'x' }, { ratePerSecond: 0 }), BadInputError);
      await assert.rejects(replay(t, {}, { kind: 'channel', channel: 'x' }, { batchSize: 0 }), BadInputError);
    });
  });
}

// The store's append script takes an event field alone in a compact form (one argument per event, issue 13) and any
// other entry in the full form: both must store, index, publish and de-duplicate alike.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventStore } from '../../src/core/store/event-store';
import type { StoreAppendItem, Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';
import { MessageRecorder } from '../support/message-recorder';

for (const target of transportTargets('store-forms')) {
  describe(`storeAppend: an event field alone, or more fields [${target.name}]`, () => {
    let t: Transport;
    let done: () => Promise<void>;
    before(async () => ({ transport: t, done } = await target.make()));
    after(async () => done());

    it('stores, indexes, publishes and de-duplicates both forms alike, in one stream', async () => {
      const stream = 'forms';
      const layout = new EventStore(t, { streamKey: stream }).layoutOf(stream);
      const key = (k: string) => `${layout.base}${k}`;
      const rec = await MessageRecorder.start(t, ['forms-ch']);
      const producer = (sequence: number) => ({ id: 'p1', sequence, ttlMs: 60_000, remember: 32 });
      const compact: StoreAppendItem[] = [
        { fields: { event: '{"event_type":"a","entity_id":"e1","n":1.0}' }, indexKeys: [key('type:a')], copyKeys: [key('entity:e1')] },
        { fields: { event: '{"event_type":"b","n":2}' }, indexKeys: [key('type:b')], copyKeys: [] },
      ];
      const full: StoreAppendItem[] = [
        { fields: { event: '{"event_type":"a","entity_id":"e1","n":3}', extra: 'x' }, indexKeys: [key('type:a')], copyKeys: [key('entity:e1')] },
      ];
      const options = { catchUpBudget: 500, publishChannel: 'forms-ch' };
      const r1 = await t.storeAppend(stream, layout, compact, { ...options, producer: producer(1) });
      const r2 = await t.storeAppend(stream, layout, full, { ...options, producer: producer(3) });
      assert.deepEqual([r1.duplicate, r1.indexed, r1.ids.length, r2.duplicate, r2.indexed, r2.ids.length], [false, true, 2, false, true, 1]);
      const ids = [...r1.ids, ...r2.ids];

      const entries = await t.xrange(stream, '-', '+');
      assert.deepEqual(entries.map((e) => e.id), ids);
      assert.deepEqual(entries.map((e) => ({ ...e.fields })), [...compact, ...full].map((it) => it.fields), 'each text as written (1.0 stays 1.0)');
      const typeA = await t.xrange(key('type:a'), '-', '+');
      assert.deepEqual(typeA.map((e) => [e.id, { ...e.fields }]), [[ids[0], { i: '' }], [ids[2], { i: '' }]], 'pointers');
      assert.deepEqual((await t.xrange(key('type:b'), '-', '+')).map((e) => e.id), [ids[1]]);
      const entity = await t.xrange(key('entity:e1'), '-', '+');
      assert.deepEqual(entity.map((e) => [e.id, { ...e.fields }]), [[ids[0], compact[0].fields], [ids[2], full[0].fields]], 'copies');
      assert.equal(await t.get(key('indexed-to')), ids[2], 'the watermark at the last entry');
      await rec.waitFor(3, 'forms-ch');
      assert.deepEqual(rec.on('forms-ch').map((m) => m.payload), [compact[0].fields.event, compact[1].fields.event, full[0].fields.event]);

      // A resent chunk (a lost reply): the same ids, nothing written twice, in either form.
      const again1 = await t.storeAppend(stream, layout, compact, { ...options, producer: producer(1) });
      const again2 = await t.storeAppend(stream, layout, full, { ...options, producer: producer(3) });
      assert.deepEqual([again1.duplicate, again1.ids, again2.duplicate, again2.ids], [true, r1.ids, true, r2.ids]);
      assert.equal(await t.xlen(stream), 3);
      assert.equal((await t.xrange(key('entity:e1'), '-', '+')).length, 2);
      await rec.stop();
    });

    it('appends an event field alone with MAXLEN and without indexes', async () => {
      const stream = 'forms-trim';
      const layout = new EventStore(t, { streamKey: stream }).layoutOf(stream);
      const items: StoreAppendItem[] = Array.from({ length: 300 }, (_, i) => ({ fields: { event: `{"n":${i}}` }, indexKeys: [], copyKeys: [] }));
      const r = await t.storeAppend(stream, layout, items, { catchUpBudget: -1, maxLen: 10 });
      assert.equal(r.ids.length, 300);
      assert.equal(r.indexed, false, 'a store without indexes leaves the watermark alone');
      const len = await t.xlen(stream);
      assert.ok(len < 300, `trimmed (MAXLEN ~ 10 keeps about 10, whole nodes): ${len}`);
      const last = await t.xrevrange(stream, '+', '-', 1);
      assert.deepEqual({ ...last[0].fields }, { event: '{"n":299}' });
      assert.equal(await t.get(`${layout.base}indexed-to`), null);
    });
  });
}

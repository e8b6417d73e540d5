import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EventCapture, readNdjson, readNdjsonBatches, readNdjsonCheckedText, writeNdjson, type CapturedEvent, type NdjsonLine } from '../../src/core/capture/index';
import { AbortedError, BadInputError, TimeoutError } from '../../src/core/errors';
import { createEvent } from '../../src/core/envelope/envelope';
import type { Transport } from '../../src/core/transport/types';
import { transportTargets } from '../support/each-transport';

async function collect(it: AsyncIterable<NdjsonLine>): Promise<NdjsonLine[]> {
  const out: NdjsonLine[] = [];
  for await (const l of it) out.push(l);
  return out;
}

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ucore-capture-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

describe('NDJSON files', () => {
  it('round-trips values and reports a malformed line by its number without stopping', async () => {
    const file = join(dir, 'events.ndjson');
    const values = [{ event_type: 'a', data: { text: 'line\nbreak \u2028 ünïcödé 🚀' } }, [1, 2], 'text', 42, null];
    assert.equal(await writeNdjson(file, values), 5);
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 6, 'five lines and a final newline');
    appendFileSync(file, '\n   \n{"event_type": "broken",\r\n{"event_type":"after"}\r\n');
    const lines = await collect(readNdjson(file));
    assert.deepEqual(lines.slice(0, 5).map((l) => [l.line, l.value]), values.map((v, i) => [i + 1, v]));
    assert.equal(lines[5]!.line, 8);
    assert.equal(lines[5]!.value, undefined);
    assert.match(lines[5]!.error!, /^line 8 is not JSON/);
    assert.deepEqual([lines[6]!.line, lines[6]!.value], [9, { event_type: 'after' }]);
    assert.equal(lines.length, 7);
  });

  it('appends, reads a last line without newline, a BOM, and chunks split anywhere', async () => {
    const file = join(dir, 'append.ndjson');
    await writeNdjson(file, [{ n: 1 }]);
    await writeNdjson(file, (async function* () { yield { n: 2 }; yield { n: 3 }; })(), { append: true });
    assert.deepEqual((await collect(readNdjson(file))).map((l) => l.value), [{ n: 1 }, { n: 2 }, { n: 3 }]);
    writeFileSync(file, '\ufeff{"a":1}\n{"b":"é"}');
    assert.deepEqual((await collect(readNdjson(file))).map((l) => l.value), [{ a: 1 }, { b: 'é' }]);
    const bytes = Buffer.from('{"x":"é"}\n\n{"y":2}\n');
    const oneByteChunks = Readable.from(Array.from(bytes, (b) => Buffer.from([b])));
    assert.deepEqual((await collect(readNdjson(oneByteChunks))).map((l) => [l.line, l.value]), [[1, { x: 'é' }], [3, { y: 2 }]]);
  });

  it('reports over-long lines as errors and goes on', async () => {
    const file = join(dir, 'long.ndjson');
    writeFileSync(file, `{"ok":1}\n"${'x'.repeat(300_000)}"\n{"ok":2}\n"${'y'.repeat(300_000)}"`);
    const lines = await collect(readNdjson(file, { maxLineBytes: 100_000 }));
    assert.deepEqual(lines.map((l) => [l.line, l.value ?? l.error]), [
      [1, { ok: 1 }], [2, 'line 2 is longer than 100000 bytes'], [3, { ok: 2 }], [4, 'line 4 is longer than 100000 bytes'],
    ]);
  });

  it('reads a chunk\'s lines at a time (readNdjsonBatches) exactly as line by line, wherever the chunks are cut', async () => {
    const file = join(dir, 'batches.ndjson');
    const lines = Array.from({ length: 5000 }, (_, i) => (i % 997 === 5 ? `{"broken": ${i}` : i % 1999 === 7 ? '   ' : JSON.stringify({ i, pad: 'é'.repeat(i % 300) })));
    lines[3] = `"${'z'.repeat(2000)}"`;
    const text = `\ufeff${lines.join('\r\n')}`;
    writeFileSync(file, text);
    const byLine = await collect(readNdjson(file, { maxLineBytes: 1500 }));
    const batches: NdjsonLine[][] = [];
    for await (const b of readNdjsonBatches(file, { maxLineBytes: 1500 })) batches.push(b);
    assert.ok(batches.length > 1 && batches.every((b) => b.length > 0), 'several batches, none empty');
    assert.deepEqual(batches.flat(), byLine);
    assert.equal(byLine.length, lines.filter((l) => l.trim() !== '').length);
    assert.deepEqual(byLine[0].value, { i: 0, pad: '' }, 'the BOM is not part of the first line');
    assert.match(byLine[3].error!, /^line 4 is longer than 1500 bytes/);
    assert.match(byLine.find((l) => l.line === 6)!.error!, /^line 6 is not JSON/);
    // The same bytes in chunks cut at random places (a line across many chunks, a CR apart from its LF).
    const bytes = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let at = 0, k = 1; at < bytes.length; k++) {
      const size = 1 + ((k * 7919) % 4001);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    const cut: NdjsonLine[] = [];
    for await (const b of readNdjsonBatches(Readable.from(chunks), { maxLineBytes: 1500 })) cut.push(...b);
    assert.deepEqual(cut, byLine);
  });

  it('checks lines on their bytes (readNdjsonCheckedText) with the same answer and error as JSON.parse', async () => {
    const deep = `${'{"a":'.repeat(80)}1${'}'.repeat(80)}`;
    const lines = [
      '{"event_type":"a","data":{"x":[1,2.5e3,-0,true,null],"s":"é\\u00e9\\n"}}', ' {"spaced": 1} ', '{"a":1}\r', '[1,2]', '"text"', '42',
      '{"a":1', '{"a":1}}', '{"a":01}', '{"a":"\u0001"}', '{"a":tru}', '{"a":1,}', '{\'a\':1}', deep, `${deep}x`, '{"a":"\\x"}', 'null',
    ];
    const file = join(dir, 'checked.ndjson');
    writeFileSync(file, `\ufeff${lines.join('\n')}\n`);
    const parsed = await collect(readNdjson(file));
    const checked: Array<{ line: number; text?: string; error?: string }> = [];
    for await (const b of readNdjsonCheckedText(file)) checked.push(...b);
    assert.deepEqual(checked.map((l) => [l.line, l.text, l.error]), parsed.map((l) => [l.line, l.text, l.error]));
    assert.deepEqual(checked.filter((l) => l.error).map((l) => l.line), [7, 8, 9, 10, 11, 12, 13, 15, 16], 'the broken lines, each by its number');
  });

  it('refuses values with no JSON form and fails on a missing file', async () => {
    await assert.rejects(writeNdjson(join(dir, 'bad.ndjson'), [{ ok: 1 }, undefined]), BadInputError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await assert.rejects(writeNdjson(join(dir, 'bad.ndjson'), [circular]), BadInputError);
    await assert.rejects(collect(readNdjson(join(dir, 'missing.ndjson'))), /ENOENT/);
  });
});

const transports = transportTargets('capture-test');

for (const t of transports) {
  describe(`EventCapture on the ${t.name} transport`, () => {
    let transport: Transport;
    let done: () => Promise<void>;
    before(async () => ({ transport, done } = await t.make()));
    after(async () => done?.());

    it('captures what the guide\'s test asserts on, and round-trips it through NDJSON', async () => {
      const capture = new EventCapture(transport, { channels: ['ecommerce_events'], patterns: ['user_*'] });
      await capture.start();
      const order = createEvent({ event_type: 'order_created', user_id: 123, data: { order_id: 'o-1', items: [{ product_id: 456, quantity: 2 }], total_price: 59.98 } });
      await transport.publish('ecommerce_events', JSON.stringify(order));
      await transport.publish('user_events', JSON.stringify(createEvent({ event_type: 'user_registered', user_id: 7 })));
      await transport.publish('ecommerce_events', 'not json');
      await transport.publish('other', JSON.stringify(createEvent({ event_type: 'ignored' })));
      await capture.waitFor((e) => e.raw === 'not json', 5000);

      const events = capture.events('ecommerce_events');
      const orders = events.filter((e) => (e.event as { data?: { order_id?: string } } | null)?.data?.order_id === 'o-1');
      assert.equal(orders.length, 1);
      assert.equal((orders[0]!.event as { event_type: string }).event_type, 'order_created');
      assert.equal((orders[0]!.event as { user_id: number }).user_id, 123);
      assert.equal(events[1]!.event, null);
      assert.equal(events[1]!.raw, 'not json');
      const all = capture.events();
      assert.deepEqual(all.map((e) => [e.channel, e.pattern]), [['ecommerce_events', undefined], ['user_events', 'user_*'], ['ecommerce_events', undefined]]);

      const file = join(dir, `capture-${t.name}.ndjson`);
      await writeNdjson(file, all);
      appendFileSync(file, '{"channel": "x", oops}\n');
      const back = await collect(readNdjson(file));
      assert.deepEqual(back.slice(0, 3).map((l) => l.value as CapturedEvent), JSON.parse(JSON.stringify(all)));
      assert.equal(back[3]!.line, 4);
      assert.match(back[3]!.error!, /not JSON/);
      await capture.stop();
    });

    it('waits for an event that arrives later, times out, and can be aborted', async () => {
      const capture = new EventCapture(transport, { channels: ['orders'] });
      await capture.start();
      const waiting = capture.waitFor((e) => (e.event as { event_type?: string } | null)?.event_type === 'order_shipped', 5000);
      setTimeout(() => void transport.publish('orders', JSON.stringify({ event_type: 'order_shipped', entity_id: 'o-9' })), 30);
      const got = await waiting;
      assert.equal((got.event as { entity_id: string }).entity_id, 'o-9');
      assert.ok(got.receivedAt <= Date.now() && got.receivedAt > Date.now() - 5000);
      await assert.rejects(capture.waitFor(() => false, 50), TimeoutError);
      const ac = new AbortController();
      const aborted = capture.waitFor(() => false, 5000, { signal: ac.signal });
      ac.abort();
      await assert.rejects(aborted, AbortedError);
      const stopped = capture.waitFor(() => false, 5000);
      await capture.stop();
      await assert.rejects(stopped, AbortedError);
    });

    it('keeps only the newest `capacity` events', async () => {
      const capture = new EventCapture(transport, { patterns: ['bounded:*'], capacity: 100 });
      await capture.start();
      await transport.publishBatch(Array.from({ length: 1000 }, (_, i) => [`bounded:${i % 7}`, JSON.stringify({ i })] as const));
      await capture.waitFor((e) => (e.event as { i: number }).i === 999, 5000);
      const kept = capture.events();
      assert.equal(kept.length, 100);
      assert.equal(capture.dropped, 900);
      assert.deepEqual([(kept[0]!.event as { i: number }).i, (kept[99]!.event as { i: number }).i], [900, 999]);
      capture.clear();
      assert.equal(capture.events().length, 0);
      await capture.stop();
      assert.throws(() => new EventCapture(transport, {}), BadInputError);
      assert.throws(() => new EventCapture(transport, { channels: ['a'], capacity: 0 }), BadInputError);
    });
  });
}

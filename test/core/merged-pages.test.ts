// The merge that reads a partitioned store as one: id order across partitions, stable ties, early stop closes
// every partition's reader; and its allocation-free id comparison agrees with the parsing one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareEntryIds, mergePages } from '../../src/core/store/merged-pages';
import { compareIds } from '../../src/core/store/stream-ids';
import type { StreamEntry } from '../../src/core/transport/types';

const id = fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([ms, seq]) => `${ms}-${seq}`);

async function* pagesOf(entries: StreamEntry[], size: number, closed: { n: number }): AsyncGenerator<StreamEntry[]> {
  try {
    for (let i = 0; i < entries.length; i += size) yield entries.slice(i, i + size);
  } finally {
    closed.n++;
  }
}

describe('merged partition pages', () => {
  it('compareEntryIds orders like compareIds for any two ids', () => {
    fc.assert(fc.property(id, id, (a, b) => Math.sign(compareEntryIds(a, b)) === Math.sign(compareIds(a, b))), { numRuns: 5000 });
  });

  it('merges sorted partitions into one id order, oldest or newest first, ties to the lower partition', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.uniqueArray(fc.nat(50), { maxLength: 30 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 7 }), fc.boolean(),
      async (parts, size, reverse) => {
        const closed = { n: 0 };
        const sources = parts.map((ms, p) => {
          const entries = ms.sort((a, b) => a - b).map((m) => ({ id: `${m}-0`, fields: { p: String(p) } }));
          if (reverse) entries.reverse();
          return { stream: `s:{${p}}`, pages: pagesOf(entries, size, closed) };
        });
        const out: Array<{ stream: string; entry: StreamEntry }> = [];
        for await (const page of mergePages(sources, reverse, size)) {
          assert.ok(page.length <= size);
          out.push(...page);
        }
        assert.equal(out.length, parts.reduce((a, p) => a + p.length, 0));
        for (let i = 1; i < out.length; i++) {
          const c = compareIds(out[i - 1].entry.id, out[i].entry.id);
          assert.ok(reverse ? c >= 0 : c <= 0, 'id order');
          if (c === 0) assert.ok(out[i - 1].stream < out[i].stream, 'ties go to the lower partition');
        }
        for (const o of out) assert.equal(o.stream, `s:{${o.entry.fields.p}}`);
        assert.equal(closed.n, parts.length);
      },
    ), { numRuns: 300 });
  });

  it('stopping early closes every partition reader', async () => {
    const closed = { n: 0 };
    const sources = [0, 1, 2].map((p) => ({ stream: `s${p}`, pages: pagesOf(Array.from({ length: 100 }, (_, i) => ({ id: `${i}-${p}`, fields: {} })), 10, closed) }));
    for await (const page of mergePages(sources, false, 5)) {
      assert.equal(page.length, 5);
      break;
    }
    assert.equal(closed.n, 3);
  });
});

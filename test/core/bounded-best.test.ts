// BoundedBest keeps the k best of what is offered: the same as sorting everything and taking the first k.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BoundedBest } from '../../src/core/flows/bounded-best';

describe('BoundedBest', () => {
  it('keeps what a stable sort and a slice would, best first, for any values and k', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), fc.integer({ min: 0, max: 40 }), (ages, k) => {
      const items = ages.map((age, order) => ({ age, order }));
      const better = (a: { age: number; order: number }, b: { age: number; order: number }) => a.age > b.age || (a.age === b.age && a.order < b.order);
      const kept = new BoundedBest(k, better);
      for (const x of items) kept.offer(x);
      assert.deepStrictEqual(kept.best(), [...items].sort((a, b) => b.age - a.age).slice(0, k));
    }), { numRuns: 2000 });
  });
});

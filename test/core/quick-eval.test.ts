// The filter fast path against cel-js itself: wherever the quick closures answer, cel-js must give the same answer
// (and not an error); where they cannot tell, they must say so. Random expressions of the subset over random events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Environment } from '@marcbachmann/cel-js';
import { EventFilter } from '../../src/core/search/expression';
import { PARSE_LIMITS } from '../../src/core/search/expression-limits';
import { BAIL, compileQuick } from '../../src/core/search/quick-eval';

const cel = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false, limits: PARSE_LIMITS });

type Outcome = boolean | 'error' | 'not bool';
function celOutcome(text: string, ctx: Record<string, unknown>): Outcome {
  try {
    const v = cel.parse(text)(ctx);
    return v === true || v === false ? v : 'not bool';
  } catch {
    return 'error';
  }
}

const FIELDS = ['a', 'b', 's', 'n', 't', 'l', 'm', 'a', 'b', 's', 'missing'];
const scalar = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom('x', 'y', 'xy', '', '😀', 'é'), fc.boolean(), fc.constant(null));
// Mostly the kind a field usually holds, sometimes any scalar (the events other people write).
const usually = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: arb, weight: 4 }, { arbitrary: scalar, weight: 1 });
const num = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -10, max: 10, noNaN: true }));
const event = fc.record({
  a: usually(num), b: usually(num), s: usually(fc.constantFrom('x', 'y', 'xy', '', '😀', 'é')), n: scalar, t: usually(fc.boolean()),
  l: usually(fc.array(scalar, { maxLength: 3 })),
  m: usually(fc.record({ k: usually(num), j: scalar })),
}, { requiredKeys: ['a', 'b', 's', 't', 'l', 'm'] });

const literal = fc.oneof(fc.constantFrom('0', '1', '-2', '3', '1.5', '0.0', '-2.5', '"x"', '"xy"', '""', '"😀"', 'true', 'false', 'null', '2u'));
const field = fc.oneof(fc.constantFrom(...FIELDS), fc.constantFrom('m.k', 'm.j', 'm.z', 'a.k'));
const operand = fc.oneof(field, literal, field.map((f) => `size(${f})`), fc.constantFrom('size("ab")'));
const comparison = fc.tuple(operand, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), operand).map(([x, op, y]) => `${x} ${op} ${y}`);
const stringTest = fc.tuple(field, fc.constantFrom('contains', 'startsWith', 'endsWith'), fc.oneof(literal, field)).map(([f, m, a]) => `${f}.${m}(${a})`);
const atom = fc.oneof(comparison, comparison, stringTest, field, literal);
const expression: fc.Arbitrary<string> = fc.letrec((tie) => ({
  expr: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('expr'), fc.constantFrom('&&', '||'), tie('expr')).map(([x, op, y]) => `(${x} ${op} ${y})`),
    tie('expr').map((x) => `!(${x})`)),
})).expr as fc.Arbitrary<string>;

describe('filter fast path (quick-eval)', () => {
  it('answers as cel-js does wherever it answers', () => {
    let answered = 0;
    let tried = 0;
    const answers = new Set<boolean>();
    fc.assert(fc.property(expression, fc.array(event, { minLength: 1, maxLength: 8 }), (text, events) => {
      const quick = compileQuick(cel.parse(text).ast);
      for (const e of events) {
        tried++;
        const expected = celOutcome(text, e);
        if (quick === null) continue;
        const got = quick(e);
        if (got === BAIL) continue;
        answered++;
        answers.add(got);
        assert.equal(got, expected, `${text} on ${JSON.stringify(e)}: quick ${String(got)}, cel-js ${String(expected)}`);
      }
    }), { numRuns: 10000 });
    // The property must be able to fail: many random pairs get a quick answer, both ways. (Most of the rest mix kinds
    // or read a missing key on purpose: those are cel-js's to answer.)
    assert.ok(answered > 500, `quick answered ${answered} of ${tried}`);
    assert.deepEqual([...answers].sort(), [false, true]);
  });

  it('takes the common search filters and gives EventFilter the same outcomes as before', () => {
    for (const text of ['data.total_price > 50 && size(data.items) > 0', 'event_type == "order_created" && data.total_price > 100', 'event_type.startsWith("order_") || !(data.paid == true)']) {
      assert.notEqual(compileQuick(cel.parse(text).ast), null, text);
    }
    const f = EventFilter.compile('data.total_price > 50 && size(data.items) > 0');
    assert.equal(f.evaluate({ data: { total_price: 51, items: [1] } }), true);
    assert.equal(f.evaluate({ data: { total_price: 51, items: [] } }), false);
    assert.equal(f.evaluate({ data: { total_price: 49 } }), false, 'false && error is false in CEL');
    // What the quick path leaves to cel-js keeps cel-js's message.
    assert.match((f.evaluate({ data: { items: [1] } }) as { error: string }).error, /^No such key: total_price/);
    assert.match((EventFilter.compile('size(data.items) == 2.0').evaluate({ data: { items: [1, 2] } }) as { error: string }).error, /^no such overload: int == double/);
    // Not in the subset (macros, ternaries): cel-js alone.
    assert.equal(compileQuick(cel.parse('data.items.exists(i, i.quantity > 1)').ast), null);
    assert.equal(compileQuick(cel.parse('a ? b : c').ast), null);
  });
});

// The quicker uuid and date-time checks the live contract check uses must answer exactly as ajv-formats' full formats:
// compared on strings built near both forms (valid ones, and ones broken at every place: days that do not exist,
// leap years and leap seconds, time zones out of range, other separators, long fractions, case, extra characters).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { dateTimeCommonForm, isUuid, useFastFormats } from '../../src/core/contracts/fast-formats';

function checkers(fast: boolean): { uuid: (s: string) => boolean; dateTime: (s: string) => boolean } {
  const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false, validateSchema: false });
  addFormats(ajv);
  if (fast) useFastFormats(ajv);
  const uuid = ajv.compile({ type: 'string', format: 'uuid' });
  const dateTime = ajv.compile({ type: 'string', format: 'date-time' });
  return { uuid: (s) => uuid(s) as boolean, dateTime: (s) => dateTime(s) as boolean };
}

const original = checkers(false);
const fast = checkers(true);

const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
/** Usually `good`, one time in ten `bad`: most strings are well formed but for one place. */
const mostly = (good: fc.Arbitrary<string>, bad: fc.Arbitrary<string>) => fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 });
const nearDateTime = fc.tuple(
  mostly(fc.oneof(digits(4), pick('2024', '2023', '1900', '2000', '0000', '9999')), pick('202', '20245', '２０２４')),
  mostly(pick('-'), pick('/', '')),
  mostly(fc.oneof(pick('01', '02', '04', '12'), digits(2)), pick('1', '123', '1a')),
  mostly(pick('-'), pick('/', '')),
  mostly(fc.oneof(pick('01', '28', '29', '30', '31', '00'), digits(2)), pick('1', '311')),
  mostly(pick('T', 't'), pick(' ', '\t', '\u00a0', '\u2028', 'x', 'TT', '')),
  mostly(fc.oneof(pick('00', '12', '23', '24'), digits(2)), pick('1', '123')),
  mostly(pick(':'), pick('.', '')),
  mostly(fc.oneof(pick('00', '59', '60'), digits(2)), pick('1')),
  mostly(pick(':'), pick('')),
  mostly(fc.oneof(pick('00', '59', '60', '61'), digits(2)), pick('1', '6x')),
  mostly(fc.oneof(pick('', '.0', '.123', '.999999999999999999999'), digits(3).map((d) => `.${d}`)), pick('.', '.5x', '..1')),
  mostly(fc.oneof(pick('Z', 'z', '+00:00', '-00:00', '+01:00', '-01:00', '+0100', '+01', '+24:00', '+01:60', '-23:59', '+23:59'),
    fc.tuple(pick('+', '-'), digits(2), pick(':', ''), digits(2)).map((a) => a.join(''))), pick('', '+1', '+01:0', '+01::00', 'Zz', 'Z ', 'UTC')),
  mostly(pick(''), fc.string({ maxLength: 2 })),
).map((parts) => parts.join(''));

const hex = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const nearUuid = fc.tuple(
  mostly(pick('', '', 'urn:uuid:', 'URN:UUID:', 'Urn:Uuid:'), pick('urn:uuid', 'urn-uuid:', 'urn:uuıd:', 'urn:uuİd:')),
  mostly(hex(8), fc.oneof(hex(7), pick('g0000000'))), mostly(pick('-'), pick('_', '')), mostly(hex(4), pick('ffgf', 'ｆｆｆｆ')), mostly(pick('-'), pick('')),
  hex(4), pick('-'), hex(4), mostly(pick('-'), pick('+')), mostly(hex(12), hex(13)),
  mostly(pick(''), pick(' ', '\n', 'x')),
).map((parts) => parts.join(''));

describe('contracts: quicker formats', () => {
  it('date-time: the same answer as ajv-formats on strings near the common form', () => {
    const known = ['2026-12-02T20:10:17Z', '2026-12-02T20:10:17.123456Z', '2024-02-29T00:00:00+01:00', '2023-02-29T00:00:00Z',
      '2026-12-31T23:59:60Z', '2026-12-31T22:59:60-01:00', '2026-12-31T23:59:60.5Z', '2026-12-02t20:10:17z', '2026-12-02 20:10:17Z',
      '2026-12-02T20:10:17', '2026-12-02T20:10:59.99999999999999999999Z', '2026-13-02T20:10:17Z', '2026-04-31T20:10:17Z'];
    let accepted = 0;
    for (const s of known) {
      assert.equal(fast.dateTime(s), original.dateTime(s), s);
      if (original.dateTime(s)) accepted++;
    }
    assert.ok(accepted >= 6, 'the known list has valid ones');
    let common = 0;
    fc.assert(fc.property(nearDateTime, (s) => {
      if (dateTimeCommonForm(s) !== undefined) common++;
      assert.equal(fast.dateTime(s), original.dateTime(s), JSON.stringify(s));
    }), { numRuns: 20_000 });
    assert.ok(common > 2000, `the common form was read quickly for ${common} of the strings`);
  });

  it('uuid: the same answer as ajv-formats on strings near a uuid', () => {
    let accepted = 0;
    fc.assert(fc.property(nearUuid, (s) => {
      const want = original.uuid(s);
      if (want) accepted++;
      assert.equal(fast.uuid(s), want, JSON.stringify(s));
      assert.equal(isUuid(s), want, JSON.stringify(s));
    }), { numRuns: 20_000 });
    assert.ok(accepted > 200, `${accepted} valid ones were generated`);
  });
});

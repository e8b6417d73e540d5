// Reading the times a range compares: ISO-8601 as the guide's Python and our envelope write it, UTC without an offset.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadInputError } from '../../src/core/errors';
import { planQuery } from '../../src/core/store/query-plan';
import { parseIsoMicros, timeBoundMicros } from '../../src/core/store/time-range';

const utc = (iso: string) => Date.parse(iso) * 1000;

describe('event time (parseIsoMicros)', () => {
  it('reads the envelope\'s and the guide\'s forms, a time without an offset as UTC, whatever the local zone', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      assert.equal(parseIsoMicros('2025-09-12T10:30:00Z'), utc('2025-09-12T10:30:00Z'));
      assert.equal(parseIsoMicros('2025-09-12T10:30:00.123456'), utc('2025-09-12T10:30:00.123Z') + 456, 'Python utcnow().isoformat()');
      assert.equal(parseIsoMicros('2025-09-12T10:30:00.123456789Z'), utc('2025-09-12T10:30:00.123Z') + 456, 'nanoseconds cut to microseconds');
      assert.equal(parseIsoMicros('2025-09-12T12:30:00+02:00'), utc('2025-09-12T10:30:00Z'));
      assert.equal(parseIsoMicros('2025-09-12T05:00:00-0530'), utc('2025-09-12T10:30:00Z'));
      assert.equal(parseIsoMicros('2025-09-12 10:30'), utc('2025-09-12T10:30:00Z'));
      assert.equal(parseIsoMicros('2025-09-12'), utc('2025-09-12T00:00:00Z'));
      assert.equal(parseIsoMicros('2024-02-29T00:00:00Z'), utc('2024-02-29T00:00:00Z'));
      assert.equal(parseIsoMicros('0050-01-01T00:00:00Z'), Date.parse('0050-01-01T00:00:00Z') * 1000, 'a two-digit year is not 19xx');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('the same day many times over (the last day is kept), then other days, impossible ones among them', () => {
    const times = ['2025-09-12T10:30:00Z', '2025-09-12T23:59:59.999999Z', '2025-09-12T00:00:00Z', '2024-02-29T12:00:00Z', '2025-02-29T12:00:00Z',
      '2025-02-28T12:00:00Z', '2025-02-29T13:00:00Z', '0050-01-01T00:00:01Z', '2025-09-12T10:30:00+02:00', '2025-09-12T10:30:00.5Z'];
    for (const t of [...times, ...times]) {
      const got = parseIsoMicros(t);
      if (t.startsWith('2025-02-29')) assert.equal(got, null, t);
      else assert.equal(got, Math.floor(Date.parse(t) * 1000) + (t.endsWith('.999999Z') ? 999 : 0), t);
    }
  });

  it('never reads anything else as a time', () => {
    for (const bad of ['yesterday', 'Sep 12 2025', '2025-02-29T00:00:00Z', '2025-13-01', '2025-09-31', '2025-09-12T24:00:00Z', '2025-09-12T10:60',
      '2025-09-12T10:30:00+25:00', '1757673000', '', ' ', 'x'.repeat(100), 1757673000000, null, undefined, {}, ['2025-09-12']]) {
      assert.equal(parseIsoMicros(bad), null, JSON.stringify(bad));
    }
  });

  it('bounds: ISO text, other text Date.parse reads, or a Date; anything else is a clear error', () => {
    assert.equal(timeBoundMicros('2025-09-12T10:30:00.5', 'since'), utc('2025-09-12T10:30:00.500Z'));
    assert.equal(timeBoundMicros(new Date('2025-09-12T10:30:00Z'), 'since'), utc('2025-09-12T10:30:00Z'));
    assert.equal(timeBoundMicros('Fri, 12 Sep 2025 10:30:00 GMT', 'since'), utc('2025-09-12T10:30:00Z'));
    assert.equal(timeBoundMicros(undefined, 'since'), undefined);
    assert.throws(() => timeBoundMicros('soon', 'until'), (e: Error) => e instanceof BadInputError && /until: "soon" is not a date/.test(e.message));
    assert.throws(() => timeBoundMicros(new Date('nope'), 'since'), BadInputError);
  });

  it('plans: the event clock filters (an empty range reads nothing), the append clock bounds the ids', () => {
    const q = { since: '2025-09-12T10:30:00Z', until: '2025-09-12T11:00:00Z' };
    const ev = planQuery('s', q, { indexed: false });
    assert.deepEqual([ev.read.start, ev.read.end, ev.clock, typeof ev.filter], ['-', '+', 'event', 'function']);
    assert.equal(ev.filter!({ timestamp: '2025-09-12T10:45:00.000001' }), true);
    assert.equal(ev.filter!({ timestamp: '2025-09-12T11:00:00.000001' }), false);
    assert.equal(ev.filter!({}), false);
    assert.equal(ev.counts.untimed, 1);
    const ap = planQuery('s', { ...q, clock: 'append' }, { indexed: false });
    assert.deepEqual([ap.read.start, ap.read.end, ap.clock, ap.filter], [`${Date.parse(q.since)}-0`, `${Date.parse(q.until)}-18446744073709551615`, 'append', null]);
    assert.equal(planQuery('s', { since: q.until, until: q.since }, { indexed: false }).empty, true);
    assert.equal(planQuery('s', {}, { indexed: false }).clock, null);
  });
});

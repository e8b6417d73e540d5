// Server killed, the full run (`npm run soak`): 100,000 events appended by an at-least-once producer and processed by
// eight consumer-group workers with the Deduplicator, while redis-server (appendonly yes, appendfsync always) is
// SIGKILLed and restarted on the same port and dir three times (at 25 %, 50 % and 75 % of the acknowledged events).
// Asserts 0 lost, every effect applied exactly once, 0 false duplicates (a mark whose reply the kill lost is
// recognised by its token), nothing pending at the end; prints FIGURE: lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { printServerKilledFigures, runServerKilled } from '../support/fault-runs';

describe('soak: redis-server killed three times during a 100,000-event run', () => {
  it('0 lost, effects exactly once, recovery per kill', { timeout: 15 * 60_000 }, async () => {
    const f = await runServerKilled({ events: 100_000, batch: 100, kills: 3, downtimeMs: 500, consumers: 8, maxLag: 20_000, deadlineMs: 12 * 60_000 }, (l) => console.log(l));
    printServerKilledFigures('server-killed (soak)', f);
    assert.equal(f.acknowledged, 100_000);
    assert.equal(f.lost, 0, 'every acknowledged event reached a worker');
    assert.equal(f.lostEffects, 0, 'every acknowledged event was applied');
    assert.equal(f.doubleEffects, 0, 'no event was applied twice');
    assert.equal(f.falseDuplicates, 0, 'no event was called a duplicate because of its own mark (token marks survive lost replies)');
    assert.equal(f.duplicatesSeen, f.duplicatesSkipped + f.handlerFailures, 'every repeat delivery was skipped or failed (and came again)');
    assert.equal(f.pendingAtEnd, 0, 'nothing left pending');
    assert.equal(f.recoveries.length, 3);
    for (const r of f.recoveries) {
      assert.ok(r.producerRecoveredMs !== null && r.consumerRecoveredMs !== null, 'both sides recovered');
      assert.ok(r.producerRecoveredMs < r.downMs + 5000, `producer recovered ${r.producerRecoveredMs} ms after the kill`);
      assert.ok(r.consumerRecoveredMs < r.downMs + 5000, `consumers recovered ${r.consumerRecoveredMs} ms after the kill`);
    }
  });
});

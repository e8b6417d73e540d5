// Server killed (short version; the 100,000-event run is test/soak/server-killed.test.ts): redis-server with
// appendonly yes + appendfsync always is SIGKILLed mid-run and restarted on the same port and dir while a producer
// appends and two consumer-group workers process. Every event whose append the producer saw acknowledged is
// processed at least once (lost = 0); with the Deduplicator its effect is applied exactly once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { printServerKilledFigures, runServerKilled } from '../support/fault-runs';

describe('faults: redis-server killed during a producer + consumer-group run', () => {
  it('5,000 events, one SIGKILL + restart: 0 lost, effects exactly once, recovery measured', { timeout: 60_000 }, async () => {
    const f = await runServerKilled({ events: 5000, batch: 50, kills: 1, downtimeMs: 300, consumers: 8, maxLag: 3000, deadlineMs: 45_000 }, (l) => console.log(l));
    printServerKilledFigures('server-killed (short)', f);
    assert.equal(f.acknowledged, 5000);
    assert.equal(f.lost, 0, 'every acknowledged event reached a worker');
    assert.equal(f.lostEffects, 0, 'every acknowledged event was applied');
    assert.equal(f.doubleEffects, 0, 'no event was applied twice');
    assert.equal(f.falseDuplicates, 0, 'no event was called a duplicate because of its own mark (token marks survive lost replies)');
    assert.equal(f.duplicatesSeen, f.duplicatesSkipped + f.handlerFailures, 'every repeat delivery was skipped or failed (and came again)');
    assert.equal(f.pendingAtEnd, 0, 'nothing left pending');
    assert.equal(f.recoveries.length, 1);
    for (const r of f.recoveries) {
      assert.ok(r.producerRecoveredMs !== null && r.consumerRecoveredMs !== null, 'both sides recovered');
      assert.ok(r.producerRecoveredMs < r.downMs + 5000, `producer recovered ${r.producerRecoveredMs} ms after the kill`);
      assert.ok(r.consumerRecoveredMs < r.downMs + 5000, `consumers recovered ${r.consumerRecoveredMs} ms after the kill`);
    }
  });
});

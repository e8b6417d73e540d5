// Pub/sub across ten crashes: redis-server is SIGKILLed and restarted on the same port ten times, each outage a
// different length (100 ms to 6 s), while a publisher publishes every 5 ms. A subscriber with a channel and a pattern
// handler must get messages again within 2 s of every restart, with nothing done by the caller; its status must go
// through "reconnecting" each time and end "ready". Prints the time per restart and the worst.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventAdapter } from '../../src/core/adapter';
import { startRedisServer } from '../support/redis-server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('soak: pub/sub across ten server crashes', () => {
  it('resubscribed within 2 s of each restart', { timeout: 10 * 60_000 }, async () => {
    let srv = await startRedisServer();
    const sub = await EventAdapter.connect(srv.url);
    const pub = await EventAdapter.connect(srv.url);
    let reconnects = 0;
    sub.onStatus((s) => { if (s === 'reconnecting') reconnects++; });
    let lastChannelAt = 0;
    let lastPatternAt = 0;
    await sub.subscribe('soak:orders', () => { lastChannelAt = Date.now(); });
    await sub.psubscribe('soak:*', () => { lastPatternAt = Date.now(); });
    let publishing = true;
    let sent = 0;
    let failed = 0;
    const publisher = (async () => {
      while (publishing) {
        try { await pub.publishJson('soak:orders', { n: sent }); sent++; } catch { failed++; }
        await sleep(5);
      }
    })();
    const downtimes = [100, 300, 600, 1000, 1500, 2000, 3000, 4000, 5000, 6000];
    const results: Array<{ downMs: number; channelMs: number; patternMs: number }> = [];
    try {
      for (const downMs of downtimes) {
        await sleep(500);
        await srv.kill();
        await sleep(downMs);
        srv = await srv.restart();
        const restarted = Date.now();
        while ((lastChannelAt < restarted || lastPatternAt < restarted) && Date.now() - restarted < 15_000) await sleep(5);
        const r = { downMs, channelMs: lastChannelAt - restarted, patternMs: lastPatternAt - restarted };
        results.push(r);
        console.log(`down ${downMs} ms: channel back ${r.channelMs} ms, pattern back ${r.patternMs} ms after the restart`);
      }
    } finally {
      publishing = false;
      await publisher;
      await sub.close();
      await pub.close();
      await srv.stop();
    }
    const worst = Math.max(...results.flatMap((r) => [r.channelMs, r.patternMs]));
    const sorted = results.map((r) => Math.max(r.channelMs, r.patternMs)).sort((a, b) => a - b);
    console.log(`FIGURE: pubsub soak: ${results.length} restarts (down 100 ms–6 s): resubscribed after median ${sorted[Math.floor(sorted.length / 2)]} ms, worst ${worst} ms (includes the publisher's own reconnect); ${sent} published, ${failed} publishes failed while down; ${reconnects} reconnecting phases`);
    for (const r of results) {
      assert.ok(r.channelMs >= 0 && r.channelMs < 2000, `down ${r.downMs}: channel back after ${r.channelMs} ms`);
      assert.ok(r.patternMs >= 0 && r.patternMs < 2000, `down ${r.downMs}: pattern back after ${r.patternMs} ms`);
    }
    assert.ok(reconnects >= downtimes.length);
  });
});

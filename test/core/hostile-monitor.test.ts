// Hostile input, the monitor: EventMonitor.ingest never throws whatever the channel name (64 KiB, control
// characters, script, lone surrogates), the pattern or the payload (hostile JSON, broken JSON, binary, 10 MB,
// 100,000 levels); snapshots stay serialisable; memory stays bounded: tracked channels and types never exceed their
// caps, the ring never holds more than its capacity, kept payloads are truncated (and flagged), names are capped.
// 10,000 cases per property, then a 10 MB and a deep-nesting round, and the prototype check.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventMonitor } from '../../src/core/monitor/index';
import { EmbeddedTransport } from '../../src/core/transport/embedded/transport';
import {
  NUM_RUNS, assertNoPollution, deepNesting, hostilePayload, hostileString, hugePayloads, invalidUtf8, prototypeSnapshot,
} from '../support/hostile';
import { cpuMs } from '../support/cpu-time';

const CAPS = { maxChannels: 40, maxTypes: 40, recentCapacity: 64, recentPayloadChars: 512, maxCounterKeys: 100 };
/** limitName caps tracked names at 256 chars + '…'; the recent ring caps labels at 1024 + '…'. */
const MAX_NAME = 257;
const MAX_LABEL = 1025;

const channelName = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom('orders', 'user_events', 'events', '__proto__', 'constructor') },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 1024, max: 65536 })).map(([s, n]) => (s || 'x').repeat(Math.ceil(n / Math.max(1, s.length || 1))).slice(0, n)) },
);

let ingested = 0;

function checkBounded(m: EventMonitor): void {
  const snap = m.snapshot({ top: 1000, recent: 1000 });
  assert.ok(snap.trackedChannels <= CAPS.maxChannels, `tracked channels ${snap.trackedChannels}`);
  assert.ok(snap.trackedTypes <= CAPS.maxTypes, `tracked types ${snap.trackedTypes}`);
  assert.ok(snap.recent.length <= CAPS.recentCapacity);
  assert.ok(m.recentCount <= CAPS.recentCapacity);
  for (const r of [...snap.channels, ...snap.types]) assert.ok(r.name.length <= MAX_NAME, `a name of ${r.name.length} chars`);
  for (const e of snap.recent) {
    assert.ok(e.payload.length <= CAPS.recentPayloadChars, `kept ${e.payload.length} chars`);
    assert.ok(e.channel.length <= MAX_LABEL && e.type.length <= MAX_LABEL && (e.entity ?? '').length <= MAX_LABEL);
    assert.equal(typeof e.truncated, 'boolean');
  }
  assert.ok(snap.counters === null || snap.counters.pendingKeys <= CAPS.maxCounterKeys + 1, `pending counter keys ${snap.counters?.pendingKeys}`);
  JSON.stringify(snap); // what the webview gets
}

describe('hostile input: the monitor', () => {
  let protoBefore: string;
  let transport: EmbeddedTransport;
  let clock = Date.UTC(2026, 0, 1);
  before(async () => {
    protoBefore = prototypeSnapshot();
    transport = new EmbeddedTransport({ name: `hostile-monitor-${process.pid}` });
    await transport.connect();
  });
  after(async () => {
    await transport.close();
    assertNoPollution(protoBefore);
    console.log(`FIGURE: hostile monitor: ${ingested} messages ingested, 0 throws, caps held (channels ${CAPS.maxChannels}, types ${CAPS.maxTypes}, ring ${CAPS.recentCapacity}, payload ${CAPS.recentPayloadChars} chars)`);
  });

  const make = () => new EventMonitor(transport, { ...CAPS, counters: true, now: () => clock, alerts: [{ id: 'a', scope: 'channel', match: '*', eventsPerSecond: 5 }] });

  it('ingest of hostile channels, patterns and payloads: never throws, stays bounded', () => {
    const m = make();
    let n = 0;
    fc.assert(fc.property(channelName, fc.option(hostileString, { nil: undefined }), hostilePayload, (channel, pattern, payload) => {
      m.ingest(channel, payload, pattern);
      ingested++;
      const e = m.recent(1)[0];
      assert.equal(e.sizeBytes, Buffer.byteLength(payload, 'utf8'));
      assert.equal(e.truncated, payload.length > CAPS.recentPayloadChars);
      if (++n % 50 === 0) {
        clock += 700;
        m.tick();
        checkBounded(m);
      }
    }), { numRuns: NUM_RUNS });
    checkBounded(m);
    const snap = m.snapshot();
    assert.equal(snap.total.total, n, 'the grand total is exact');
  });

  it('binary payloads (invalid UTF-8 decoded as text) and non-string payloads', () => {
    const m = make();
    fc.assert(fc.property(channelName, invalidUtf8, (channel, buf) => {
      m.ingest(channel, buf.toString('utf8'));
      m.ingest(channel, buf.toString('latin1'));
      m.ingest(channel, buf as unknown as string); // a caller passing a Buffer by mistake
      ingested += 3;
    }), { numRuns: NUM_RUNS });
    checkBounded(m);
  });

  it('10 MB payloads are kept truncated; 100,000 levels of nesting are counted', () => {
    const m = make();
    for (const text of [...hugePayloads(10 * 1024 * 1024), ...deepNesting(1000), ...deepNesting(100_000)]) {
      const started = process.cpuUsage();
      m.ingest('big', text);
      ingested++;
      assert.ok(cpuMs(started) < 5000, `ingest took ${cpuMs(started)} ms of CPU`);
      const e = m.recent(1)[0];
      assert.equal(e.truncated, text.length > CAPS.recentPayloadChars);
      assert.ok(e.payload.length <= CAPS.recentPayloadChars);
    }
    assert.ok(m.recent(100).some((e) => e.type === 'huge'), 'the type of a 10 MB event is still found');
    checkBounded(m);
  });

  it('event_type values String() cannot convert (found by the properties above) are counted, not thrown', () => {
    const m = make();
    for (const text of ['{"event_type":{"toString":""}}', '{"event_type":{"toString":1,"valueOf":2}}', '{"event_type":{"__proto__":null}}', '{"event_type":[{"toString":0}]}']) {
      m.ingest('c', text);
      ingested++;
      assert.equal(typeof m.recent(1)[0].type, 'string');
    }
  });

  it('a flood of distinct names is capped; (other) takes the rest', () => {
    const m = make();
    for (let i = 0; i < 20_000; i++) m.ingest(`ch-${i}-<script>`, `{"event_type":"t-${i}"}`);
    ingested += 20_000;
    const snap = m.snapshot({ top: 1000 });
    assert.equal(snap.trackedChannels, CAPS.maxChannels);
    assert.equal(snap.trackedTypes, CAPS.maxTypes);
    assert.ok(snap.channels.some((c) => c.name === '(other)' && c.total === 20_000 - CAPS.maxChannels));
    checkBounded(m);
  });
});

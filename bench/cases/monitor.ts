// Monitor ingest: how fast a subscriber takes in pub/sub traffic that Redis produces faster than any Node client
// reads (a Lua script publishes the events from a list, so the publisher costs this process nothing). Ours: the
// EventMonitor (psubscribe `*`, per-second counts per channel and type, recent-event ring); baseline: a raw ioredis
// psubscribe handler that only parses the JSON. Rate = events ÷ time from the first PUBLISH until the last arrives.
import Redis from 'ioredis';
import { EventMonitor } from '../../src/core/monitor/monitor';
import { RedisTransport } from '../../src/core/transport/redis';
import type { BenchContext } from '../lib/context';
import { benchEvent, channelOf } from '../lib/events';
import { collectGarbage, measurePairs } from '../lib/pairs';
import { caseResult, figure, type CaseResult } from '../lib/report';
import { withContractChecks } from './monitor-contracts';

const MESSAGES = 'bench:monitor:messages';
const DISTINCT = 2000;
const PER_SCRIPT = 5000;
/** Publishes ARGV[1] messages from the list (channel, payload pairs), starting at pair ARGV[2], round-robin. */
const PUBLISH_FROM_LIST = `
local list = redis.call('LRANGE', KEYS[1], 0, -1)
local pairs = #list / 2
local n, off = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 0, n - 1 do
  local j = ((off + i) % pairs) * 2 + 1
  redis.call('PUBLISH', list[j], list[j + 1])
end
return n`;

async function publishFromRedis(raw: Redis, count: number): Promise<void> {
  const p = raw.pipeline();
  for (let i = 0; i < count; i += PER_SCRIPT) p.eval(PUBLISH_FROM_LIST, 1, MESSAGES, Math.min(PER_SCRIPT, count - i), i);
  await p.exec();
}

/** Waits for `check`, looking after every turn of the event loop (a timer would add up to a few ms per slice). */
async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for the subscriber');
    await new Promise((r) => setImmediate(r));
  }
}

function heapAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

export async function monitorCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 30_000 : 300_000;
  await ctx.flush();
  for (let i = 0; i < DISTINCT; i += 500) {
    const args: string[] = [];
    for (let j = i; j < i + 500; j++) args.push(channelOf(j), JSON.stringify(benchEvent(j)));
    await ctx.raw.rpush(MESSAGES, ...args);
  }
  const publisher = ctx.raw;

  // ---- baseline: a raw psubscribe handler that parses the JSON and counts
  const rawSub = new Redis({ host: '127.0.0.1', port: ctx.server.port });
  let rawCount = 0;
  let parsedTypes = 0;
  rawSub.on('pmessage', (_pattern: string, _channel: string, message: string) => {
    const e = JSON.parse(message);
    if (e.event_type) parsedTypes++;
    rawCount++;
  });
  await rawSub.psubscribe('*');

  // ---- ours: the monitor on its own transport, default options
  const transport = new RedisTransport({ url: ctx.server.url, commandTimeoutMs: 120_000 });
  await transport.connect();
  const heapBefore = heapAfterGc();
  const monitor = new EventMonitor(transport);
  await monitor.start();
  // Only one subscriber is subscribed while its side is measured.
  await rawSub.punsubscribe('*');

  /** Pairs of (raw psubscribe, `m` counting) over n events; `m` is started before and left started after. */
  const measure = async (m: EventMonitor) => {
    const ours = async (count: number) => {
      const from = m.eventsSeen;
      const t = performance.now();
      await publishFromRedis(publisher, count);
      await until(() => m.eventsSeen - from >= count, 120_000);
      return performance.now() - t;
    };
    const baseline = async (count: number) => {
      await m.stop();
      await rawSub.psubscribe('*');
      const from = rawCount;
      const t = performance.now();
      await publishFromRedis(publisher, count);
      await until(() => rawCount - from >= count, 120_000);
      const ms = performance.now() - t;
      await rawSub.punsubscribe('*');
      await m.start();
      return ms;
    };
    // Slices of at least 30,000 events: shorter ones would mostly time the subscription switch.
    const slices = Math.max(1, Math.min(ctx.slices, Math.floor(n / 30_000)));
    const per = n / slices;
    return measurePairs({
      runs: ctx.runs,
      slices,
      redisPid: ctx.redisPid,
      warmup: async () => { await baseline(n / 10); await ours(n / 10); },
      baseline: () => baseline(per),
      ours: () => ours(per),
    });
  };

  const times = await measure(monitor);
  const heapAfter = heapAfterGc();
  const snapshot = monitor.snapshot();
  const seen = monitor.eventsSeen;
  await monitor.stop();

  // ---- ours with contracts: the same monitor, every channel covered by a contract, checked up to the default rate
  const contracted = await withContractChecks(transport, n, measure);
  await transport.close();
  rawSub.disconnect();
  await ctx.flush();
  if (parsedTypes !== rawCount) throw new Error('baseline parsed fewer events than it counted');

  return [
    caseResult({
      id: 'monitor', title: 'monitor ingest (psubscribe *)', count: n, times,
      baselineLabel: 'raw psubscribe handler, JSON.parse only', goal: 0.8,
      notes: [
        `memory: heap ${(heapBefore / 1048576).toFixed(1)} MiB before the monitor, ${(heapAfter / 1048576).toFixed(1)} MiB after ${seen.toLocaleString('en-US')} events (after GC); recent buffer holds ${monitor.recentCount}`,
        `tracked ${snapshot.trackedChannels} channels, ${snapshot.trackedTypes} types; total counted ${snapshot.total.total.toLocaleString('en-US')}`,
      ],
      extra: { heapBeforeBytes: heapBefore, heapAfterBytes: heapAfter, eventsSeen: seen, oursMsPerRun: figure(times.oursMs) },
    }),
    ...contracted,
  ];
}

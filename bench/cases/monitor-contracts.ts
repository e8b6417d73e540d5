// Monitor ingest with contract checks: the monitor case's traffic on the same monitor, every channel covered by an
// AsyncAPI contract (the bench events' envelope and data, one message per type; totals above 25 break it, about one
// event in four), checked by a LiveContractWatch as the extension runs it. Two figures against the same raw
// psubscribe baseline: at the default rate (every event up to 5,000/s, one in k above, the share shown) — the goal,
// ≥ 0.7× — and with every event checked (no goal: what checking costs per event, ajv on the parsed payload).
import { createContractSet, loadContract } from '../../src/core/contracts/load';
import { LiveContractChecker } from '../../src/core/contracts/live-checker';
import { LiveContractWatch } from '../../src/core/contracts/live-watch';
import { EventMonitor } from '../../src/core/monitor/monitor';
import type { RedisTransport } from '../../src/core/transport/redis';
import { benchAsyncApi } from '../lib/contract';
import { CHANNELS, TYPES } from '../lib/events';
import type { PairTimes } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';

/** The bench traffic's contract: every channel, every type; `total_price` above 25 and other data rules break it. */
export function benchContract(): string {
  const channels = Object.fromEntries(CHANNELS.map((c) => [c, TYPES]));
  return benchAsyncApi('bench', channels, {
    entityPattern: '^order-[0-9]+$',
    userIdType: 'string',
    data: `          type: object
          required: [order_id, items, total_price]
          properties:
            order_id: { type: integer, minimum: 0 }
            total_price: { type: number, exclusiveMinimum: 0, maximum: 25 }
            items:
              type: array
              items:
                type: object
                required: [product_id, quantity]
                properties:
                  product_id: { type: integer }
                  quantity: { type: integer, minimum: 1, maximum: 10 }`,
  });
}

type Measure = (m: EventMonitor) => Promise<PairTimes>;

export async function withContractChecks(transport: RedisTransport, n: number, measure: Measure): Promise<CaseResult[]> {
  const contract = await loadContract('bench-asyncapi.yaml', benchContract());
  if (contract.problems.length) throw new Error(`bench contract: ${contract.problems.map((p) => p.message).join('; ')}`);
  const set = await createContractSet([contract]);
  const results: CaseResult[] = [];
  for (const [id, title, maxChecksPerSecond, goal] of [
    ['monitor-contracts', 'monitor ingest with contract checks (default rate)', 5000, 0.7],
    ['monitor-contracts-all', 'monitor ingest, every event checked', Number.POSITIVE_INFINITY, undefined],
  ] as const) {
    const monitor = new EventMonitor(transport);
    const checker = new LiveContractChecker(set, { maxChecksPerSecond });
    const watch = new LiveContractWatch(monitor, transport, checker);
    await monitor.start();
    await watch.start();
    const times = await measure(monitor);
    watch.stop();
    await monitor.stop();
    const s = checker.snapshot();
    if (s.covered < monitor.eventsSeen * 0.99) throw new Error(`only ${s.covered} of ${monitor.eventsSeen} events reached the checker`);
    results.push(caseResult({
      id, title, count: n, times,
      baselineLabel: 'raw psubscribe handler, JSON.parse only',
      ...(goal !== undefined ? { goal } : {}),
      notes: [
        `checked ${s.checked.toLocaleString('en-US')} of ${s.covered.toLocaleString('en-US')} events on contract channels (${(s.sampledShare * 100).toFixed(1)}%${maxChecksPerSecond === 5000 ? ', up to 5,000/s then sampled' : ''}); ${s.violating.toLocaleString('en-US')} violating, ${s.violations.length} kept in the list`,
      ],
      extra: { covered: s.covered, checked: s.checked, violating: s.violating, sampledShare: s.sampledShare },
    }));
  }
  return results;
}

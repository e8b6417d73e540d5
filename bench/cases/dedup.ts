// Dedup checks: our Deduplicator (the guide's Python-exact fingerprint + SET NX EX) against a hand-written check:
// a SHA-256 of JSON.stringify of the same four fields, and pipelined SET key 1 NX EX 3600.
import { createHash } from 'node:crypto';
import { Deduplicator } from '../../src/core/dedup/deduplicator';
import type { EventEnvelope } from '../../src/core/envelope/envelope';
import type { BenchContext } from '../lib/context';
import { benchEvent } from '../lib/events';
import { measurePairs, timed } from '../lib/pairs';
import { caseResult, type CaseResult } from '../lib/report';

const BATCH = 1000;

function handKey(e: EventEnvelope): string {
  const text = JSON.stringify({ data: e.data, entity_id: e.entity_id ?? null, event_type: e.event_type, user_id: e.user_id ?? null });
  return `event_idempotent:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

export async function dedupCase(ctx: BenchContext): Promise<CaseResult[]> {
  const n = ctx.quick ? 20_000 : 200_000;
  const per = n / ctx.slices;
  const dedup = new Deduplicator(ctx.transport);

  const baseline = (count: number) => timed(async () => {
    let dups = 0;
    for (let i = 0; i < count; i += BATCH) {
      const p = ctx.raw.pipeline();
      for (let j = i; j < Math.min(count, i + BATCH); j++) p.set(handKey(benchEvent(j)), '1', 'EX', 3600, 'NX');
      for (const [, r] of (await p.exec())!) if (r !== 'OK') dups++;
    }
    if (dups) throw new Error(`baseline: ${dups} duplicates on a fresh server`);
  });
  const batched = (count: number) => timed(async () => {
    let dups = 0;
    for (let i = 0; i < count; i += BATCH) {
      const events = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) events.push(benchEvent(j));
      for (const d of await dedup.checkBatch(events)) if (d) dups++;
    }
    if (dups) throw new Error(`ours: ${dups} duplicates on a fresh server`);
  });
  const single = (count: number) => timed(async () => {
    for (let i = 0; i < count; i += BATCH) {
      const calls: Array<Promise<boolean>> = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) calls.push(dedup.isDuplicate(benchEvent(j)));
      await Promise.all(calls);
    }
  });

  const common = { runs: ctx.runs, slices: ctx.slices, redisPid: ctx.redisPid, reset: () => ctx.flush(), baseline: () => baseline(per) };
  const warmup = async () => { await baseline(n / 10); await ctx.flush(); await batched(n / 10); await ctx.flush(); await single(n / 10); };
  const a = await measurePairs({ ...common, warmup, ours: () => batched(per) });
  const b = await measurePairs({ ...common, ours: () => single(per) });
  await ctx.flush();
  const note = 'both sides fingerprint every event; ours is the guide\'s Python-exact canonical JSON, the baseline JSON.stringify';
  return [
    caseResult({ id: 'dedup', title: 'dedup checkBatch, 1000 per call', count: n, times: a, baselineLabel: 'hand-written SHA-256 + pipelined SET NX EX', goal: 0.9, notes: [note] }),
    caseResult({ id: 'dedup-single', title: 'dedup isDuplicate, 1000 calls in flight', count: n, times: b, baselineLabel: 'hand-written SHA-256 + pipelined SET NX EX' }),
  ];
}

// `ucore contract lint FILE` and `ucore contract check FILE`: a contract's own errors with line and column, and live
// traffic (plus, with --history, what its streams already hold) checked against it, for CI and terminals. Exit 1
// when the document has errors (lint) or any event violates (check), 0 when none, 2 for wrong usage.
import { readFile } from 'node:fs/promises';
import {
  createContractSet, lintContract, loadContract, LiveContractChecker, pointerOf, describeIssue, entryEventText, isRedisGlob, streamKeysOf,
  type Contract, type ContractCheck, type ContractProblem, type EventTarget, type Transport,
} from '../../core/index';
import { type CliCommand, int, num, UsageError } from '../command';
import type { CliContext } from '../context';
import { safeText, timeOfDay } from '../output';

const HISTORY_PAGE = 500;

export async function readContractFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function problemLine(p: ContractProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.severity}: ${safeText(p.message, 300)}`;
}

export const contractLintCommand: CliCommand = {
  name: 'contract lint',
  usage: 'ucore contract lint <asyncapi.yaml>',
  summary: "the contract's own errors and warnings, one per line with line and column; exit 1 when it has errors",
  options: {},
  positionals: [1, 1],
  async run(ctx, [file]) {
    const problems = await lintContract(file!, await readContractFile(file!));
    for (const p of problems) ctx.out.record(p, problemLine(p));
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (!ctx.out.json) ctx.out.note(`${file}: ${errors} error${errors === 1 ? '' : 's'}, ${problems.length - errors} warning${problems.length - errors === 1 ? '' : 's'}`);
    return errors ? 1 : 0;
  },
};

export const contractCheckCommand: CliCommand = {
  name: 'contract check',
  usage: 'ucore contract check <asyncapi.yaml> [--for SECONDS] [--count N] [--history]',
  summary: "checks events on the contract's channels and streams against it: live for --for seconds or --count events, " +
    'and with --history the entries its streams already hold; one line per violation, then a summary; exit 1 when any event violates',
  options: {
    for: { type: 'string' },
    count: { type: 'string', short: 'n' },
    history: { type: 'boolean' },
  },
  positionals: [1, 1],
  async run(ctx, [file], values) {
    const seconds = num(values, 'for', { min: 0 });
    const count = int(values, 'count', { min: 1 });
    const history = values.history === true;
    if (seconds === undefined && count === undefined && !history) throw new UsageError('say how much to check: --for SECONDS, --count N and/or --history');
    const contract = await loadContract(file!, await readContractFile(file!));
    for (const p of contract.problems) ctx.out.note(problemLine(p));
    if (contract.channels.length === 0) throw new UsageError(`${file} has no channels to check`);
    const set = await createContractSet([contract]);
    const checker = new LiveContractChecker(set, { maxChecksPerSecond: Number.POSITIVE_INFINITY, maxViolations: 1 });
    const transport = await ctx.connect();
    let checkedEvents = 0;
    const report = (target: EventTarget, text: string, entryId?: string) => {
      if (count !== undefined && checkedEvents >= count) return;
      const r = checker.offer(target, text);
      if (!r) return;
      checkedEvents++;
      printViolations(ctx, target, r, text, entryId);
    };
    if (history) await checkHistory(ctx, transport, contract, report, () => count !== undefined && checkedEvents >= count);
    const live = seconds !== undefined || (count !== undefined && checkedEvents < count);
    if (live && !ctx.signal.aborted) await checkLive(ctx, transport, contract, report, seconds, () => count !== undefined && checkedEvents >= count);
    const s = checker.snapshot();
    const summary = { checked: s.checked, violating: s.violating, channels: s.counts.length ? new Set(s.counts.map((c) => c.channel)).size : 0 };
    ctx.out.record({ summary }, `checked ${s.checked} event${s.checked === 1 ? '' : 's'} on ${summary.channels} channel${summary.channels === 1 ? '' : 's'}/stream${summary.channels === 1 ? '' : 's'}: ${s.violating} violating`);
    return s.violating ? 1 : 0;
  },
};

function printViolations(ctx: CliContext, target: EventTarget, r: ContractCheck, text: string, entryId?: string) {
  if (!r.issues.length) return;
  let eventId: string | undefined;
  try { const e = JSON.parse(text) as { event_id?: unknown }; if (typeof e?.event_id === 'string') eventId = e.event_id; } catch { /* not JSON: the issue says so */ }
  for (const issue of r.issues) {
    const where = issue.schema ? `${issue.schema.file}:${issue.schema.line}:${issue.schema.column}` : '';
    ctx.out.record(
      { channel: target.name, kind: target.kind, event_type: r.eventType, event_id: eventId ?? null, entry_id: entryId, path: pointerOf(issue.path), code: issue.code, message: issue.message, schema: issue.schema },
      `${timeOfDay(Date.now())}  ${safeText(target.name, 80)}  ${safeText(r.eventType || '(no type)', 80)}  ${safeText(eventId ?? entryId ?? '-', 80)}  ${safeText(describeIssue(issue), 300)}${where ? `  (${safeText(where, 200)})` : ''}`,
    );
  }
}

type Report = (target: EventTarget, text: string, entryId?: string) => void;

/** The stream keys of the contract's stream channels: a glob address stands for the streams that match it now. */
async function streamKeys(contract: Contract, ctx: CliContext, transport: Transport): Promise<string[]> {
  const keys = new Set<string>();
  for (const ch of contract.channels.filter((c) => c.kind === 'stream')) {
    const found = await streamKeysOf(transport, ch.address, ctx.signal);
    if (isRedisGlob(ch.address)) ctx.out.note(`stream channel ${safeText(ch.address)}: ${found.length} stream${found.length === 1 ? '' : 's'} match${found.length === 1 ? 'es' : ''}`);
    for (const k of found) keys.add(k);
  }
  return [...keys];
}

async function checkHistory(ctx: CliContext, transport: Transport, contract: Contract, report: Report, done: () => boolean) {
  for (const key of await streamKeys(contract, ctx, transport)) {
    let start = '-';
    while (!done() && !ctx.signal.aborted) {
      const page = await transport.xrange(key, start, '+', HISTORY_PAGE);
      for (const e of page) { if (done()) return; report({ kind: 'stream', name: key }, entryEventText(e), e.id); }
      if (page.length < HISTORY_PAGE) break;
      start = `(${page.at(-1)!.id}`;
    }
  }
}

async function checkLive(ctx: CliContext, transport: Transport, contract: Contract, report: Report, seconds: number | undefined, done: () => boolean) {
  const literal = new Set<string>();
  const patterns = new Set<string>();
  const shards = new Set<string>();
  for (const ch of contract.channels) {
    if (ch.kind === 'pubsub') (isRedisGlob(ch.address) ? patterns : literal).add(ch.address);
    else if (ch.kind === 'shard') {
      if (isRedisGlob(ch.address)) ctx.out.note(`shard channel ${safeText(ch.address)} is a glob: shard channels have no patterns, it is not checked live`);
      else shards.add(ch.address);
    }
  }
  const sub = transport.onMessage((m) => {
    // A channel both named and matched by a pattern arrives twice: count it once, from the named subscription.
    if (m.pattern !== undefined && literal.has(m.channel)) return;
    report({ kind: m.sharded ? 'shard' : 'channel', name: m.channel }, m.payload);
  });
  const keys = await streamKeys(contract, ctx, transport);
  // Resolve "now" once per stream, before subscribing (so a subscriber seen means the streams are followed too):
  // `$` on every XREAD would miss entries added between two reads.
  const last = new Map<string, string>();
  for (const key of keys) last.set(key, (await transport.xrevrange(key, '+', '-', 1))[0]?.id ?? '0');
  try {
    if (literal.size) await transport.subscribe([...literal]);
    if (patterns.size) await transport.psubscribe([...patterns]);
    if (shards.size) await transport.ssubscribe([...shards]);
    const deadline = seconds === undefined ? Number.POSITIVE_INFINITY : Date.now() + seconds * 1000;
    ctx.out.note(`checking ${literal.size + patterns.size + shards.size} channel${literal.size + patterns.size + shards.size === 1 ? '' : 's'} and ${keys.length} stream${keys.length === 1 ? '' : 's'}${seconds !== undefined ? ` for ${seconds} s` : ''} (Ctrl+C to stop)`);
    while (!done() && !ctx.signal.aborted && Date.now() < deadline) {
      const wait = Math.max(1, Math.min(250, deadline - Date.now()));
      if (keys.length === 0) { await new Promise((r) => setTimeout(r, wait)); continue; }
      const batches = await transport.xread({ streams: keys.map((key) => ({ key, id: last.get(key)! })), count: 500, blockMs: wait });
      for (const b of batches ?? []) {
        for (const e of b.entries) { report({ kind: 'stream', name: b.key }, entryEventText(e), e.id); last.set(b.key, e.id); }
      }
    }
  } finally {
    sub.dispose();
  }
}

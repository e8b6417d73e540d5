// "Claim Pending for Consumer" (the stuck notification's button says "Claim Pending for…"): hands a (stuck)
// consumer's pending entries idle past the stuck threshold to another consumer of its group that the user picks (the
// one the lag watch saw reading is offered first), with XPENDING … IDLE + XCLAIM in pages of 500, at most 10,000 per
// run, and a summary. Safe to repeat: what was claimed is idle 0 for its new owner.
// Loaded on first use (src/extension/lag/index.ts).
import { BadInputError, claimStuck, type ConsumerInfo } from '../../core/index';
import * as vscode from 'vscode';
import type { CommandContext } from '../commands/context';
import { pickGroup, pickStream, required } from '../commands/pickers';
import type { ConsumerNode } from '../explorer/streamsTree';
import { formatDuration, plural, shorten } from '../format';
import { showInfo } from '../notify';

/** Entries claimed per run at most (pages of CLAIM_PAGE). */
export const CLAIM_MAX = 10_000;
export const CLAIM_PAGE = 500;

export interface ClaimPendingOptions {
  /** The consumer to hand the entries to (else picked). Must be a consumer of the group other than the source. */
  to?: string;
  /** Claim entries idle at least this long; default `ucore.lag.stuckAfterSeconds`. */
  minIdleMs?: number;
}

export interface ClaimPendingResult {
  stream: string;
  group: string;
  from: string;
  to: string;
  claimed: number;
  skipped: number;
  /** The run stopped at CLAIM_MAX with more entries old enough left. */
  more: boolean;
}

interface Source { stream: string; group: string; consumer: string }

function sourceOf(arg: unknown): Source | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Partial<ConsumerNode> & Partial<Source>;
  if (a.kind === 'consumer' && a.key && a.group && a.consumer) return { stream: a.key, group: a.group, consumer: a.consumer.name };
  if (typeof a.stream === 'string' && typeof a.group === 'string' && typeof a.consumer === 'string') return { stream: a.stream, group: a.group, consumer: a.consumer };
  return undefined;
}

export async function claimPendingCommand(ctx: CommandContext, arg: unknown, options: ClaimPendingOptions = {}): Promise<ClaimPendingResult | undefined> {
  const conn = await ctx.services.requireConnection();
  const t = conn.transport;
  const minIdleMs = options.minIdleMs ?? ctx.lag.stuckAfterMs;
  if (!(Number.isFinite(minIdleMs) && minIdleMs >= 0)) throw new BadInputError('minIdleMs must be a number ≥ 0.');
  const src = sourceOf(arg) ?? await pickSource(ctx);
  const consumers = await t.xinfoConsumers(src.stream, src.group);
  if (!consumers.some((c) => c.name === src.consumer)) throw new BadInputError(`${shorten(src.group, 80)} on ${shorten(src.stream, 80)} has no consumer ${shorten(src.consumer, 80)} (any more).`);
  const others = consumers.filter((c) => c.name !== src.consumer);
  if (others.length === 0) throw new BadInputError(`${shorten(src.consumer, 80)} is the only consumer of ${shorten(src.group, 80)}: no other consumer to claim its entries for (Autoclaim Idle Entries on the group can name a new one).`);
  const to = options.to ?? await pickTarget(others, minIdleMs, ctx.lag.stuck(src.stream, src.group, src.consumer)?.healthy);
  if (!others.some((c) => c.name === to)) throw new BadInputError(`${shorten(to, 80)} is not another consumer of ${shorten(src.group, 80)}.`);
  if (!(await ctx.services.guard(`claim the entries of ${shorten(src.consumer, 80)} idle ≥ ${formatDuration(minIdleMs)} for ${shorten(to, 80)} (group ${shorten(src.group, 80)})`, conn))) return undefined;
  const r = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Claiming pending entries of ${shorten(src.consumer, 60)} for ${shorten(to, 60)}` },
    () => claimStuck(t, { ...src, healthy: to }, minIdleMs, { max: CLAIM_MAX, pageSize: CLAIM_PAGE }),
  );
  const result: ClaimPendingResult = { ...src, from: src.consumer, to, claimed: r.claimed, skipped: r.skipped, more: r.more };
  void showInfo(summary(result, minIdleMs));
  ctx.explorer.streams.refresh();
  await ctx.lag.sampleNow().catch(() => undefined); // the episode ends now, not at the next sample
  return result;
}

function summary(r: ClaimPendingResult, minIdleMs: number): string {
  const where = `(group ${shorten(r.group, 80)} on ${shorten(r.stream, 80)})`;
  if (r.claimed === 0 && r.skipped === 0) return `Nothing to claim: ${shorten(r.from, 80)} has no pending entries idle ≥ ${formatDuration(minIdleMs)} ${where}.`;
  return [`Claimed ${plural(r.claimed, 'pending entry', 'pending entries')} of ${shorten(r.from, 80)} for ${shorten(r.to, 80)} ${where}.`,
    ...(r.skipped ? [`${r.skipped} not claimed: deleted from the stream or read again meanwhile.`] : []),
    ...(r.more ? [`Stopped at ${CLAIM_MAX}: run it again for the rest.`] : [])].join(' ');
}

async function pickSource(ctx: CommandContext): Promise<Source> {
  const stuck = ctx.lag.stuckConsumers();
  if (stuck.length) {
    const items = stuck.map((s) => ({ label: shorten(s.consumer), description: `${shorten(s.stream, 60)} › ${shorten(s.group, 60)}`, detail: `${s.pending} pending, oldest idle ${formatDuration(s.oldestPendingMs)}`, s }));
    const picked = await vscode.window.showQuickPick([...items, { label: 'Another consumer…', description: '', detail: undefined, s: undefined }], { placeHolder: 'Claim the pending entries of', ignoreFocusOut: true });
    if (required(picked).s) return picked!.s!;
  }
  const conn = await ctx.services.requireConnection();
  const stream = await pickStream(conn, 'Stream of the group');
  const group = await pickGroup(conn, stream);
  const consumers = (await conn.transport.xinfoConsumers(stream, group)).filter((c) => c.pending > 0);
  if (consumers.length === 0) throw new BadInputError(`No consumer of ${shorten(group, 80)} has pending entries.`);
  const items = consumers.map((c) => ({ label: shorten(c.name), description: `${c.pending} pending · idle ${formatDuration(c.idleMs)}`, name: c.name }));
  return { stream, group, consumer: required(await vscode.window.showQuickPick(items, { placeHolder: 'Claim the pending entries of', ignoreFocusOut: true })).name };
}

/** Consumers that read within the threshold first (the one the lag watch saw reading marked), then the rest. */
async function pickTarget(others: ConsumerInfo[], minIdleMs: number, seenReading: string | undefined): Promise<string> {
  const active = (c: ConsumerInfo) => c.inactiveMs ?? c.idleMs;
  const sorted = [...others].sort((a, b) => Number(b.name === seenReading) - Number(a.name === seenReading) || active(a) - active(b));
  const items = sorted.map((c) => ({
    label: shorten(c.name),
    description: `${active(c) < minIdleMs ? 'reading' : 'idle'} · last read ${formatDuration(active(c))} ago · ${c.pending} pending${c.name === seenReading ? ' · recommended' : ''}`,
    name: c.name,
  }));
  return required(await vscode.window.showQuickPick(items, { placeHolder: 'Claim them for consumer', ignoreFocusOut: true })).name;
}

// "Replay Events", step by step: selection → target → rate → dry-run preview → run with a cancellable progress
// notification → summary.
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import {
  BadInputError,
  type ReplaySelection,
  type ReplayResult,
  isTargetKind,
  type TargetKind,
  CLOCK_NAMES,
  DEFAULT_CLOCK,
  type TimeClock,
  timeBoundMicros,
} from '../../core/index';
import type { ReplayTo } from '../publishing/publisher';
import { formatDuration, plural, shorten } from '../format';
import type { ActiveConnection } from '../services';
import { Commands } from '../constants';
import type { CommandContext } from './context';
import { isStreamNode } from './publishCommands';
import { listStreams, nonEmpty, pickTarget, required } from './pickers';
import type { Registrar } from './registrar';
import { typesInStream } from './streamTypes';
import { mayReplay, replayViolationsFor } from '../contracts/replayCheck';

/** Scripted form (tests): every step given, nothing asked except the production confirmation. */
export interface ReplayArgs {
  selection: ReplaySelection;
  /**
   * An EventTarget (`shard`: a shard channel, SPUBLISH) and optionally another connection by name. The older forms
   * `{ kind: 'channel' | 'shard', channel }` and `{ kind: 'stream', stream }` are still accepted.
   */
  target: ({ kind: TargetKind; name: string } | { kind: 'channel' | 'shard'; channel: string } | { kind: 'stream'; stream: string }) & { connection?: string };
  ratePerSecond?: number;
}

/** The target name of a scripted replay, whichever form it came in. */
function scriptedName(t: ReplayArgs['target']): string {
  if ('name' in t) return t.name;
  return 'stream' in t ? t.stream : t.channel;
}

function isIsoOrEmpty(v: string): string | undefined {
  if (!v.trim()) return undefined;
  try {
    timeBoundMicros(v.trim(), 'time');
    return undefined;
  } catch {
    return 'An ISO-8601 time, e.g. 2025-09-12T10:30:00Z (UTC without an offset), or empty';
  }
}

async function askSelection(ctx: CommandContext, conn: ActiveConnection, streamArg?: string): Promise<ReplaySelection> {
  const storeKey = ctx.services.settings.get('storeStreamKey');
  let stream = streamArg;
  if (!stream) {
    const streams = await listStreams(conn, 100);
    if (!streams.includes(storeKey)) streams.unshift(storeKey);
    stream = required(await vscode.window.showQuickPick(streams.map((s) => ({ label: shorten(s), description: s === storeKey ? 'event store' : '', key: s })),
      { title: 'Replay (1/4): source stream', ignoreFocusOut: true })).key;
  }
  const selection: ReplaySelection = { stream, indexed: stream === storeKey };
  const how = required(await vscode.window.showQuickPick([
    { label: 'All events', id: 'all' },
    { label: 'By entity', description: 'entity_id', id: 'entity' },
    { label: 'By event type', id: 'type' },
    { label: 'Time range', description: 'since / until', id: 'time' },
  ], { title: 'Replay (1/4): which events', ignoreFocusOut: true })).id;
  if (how === 'entity') {
    selection.entity = required(await vscode.window.showInputBox({ prompt: 'entity_id', ignoreFocusOut: true, validateInput: nonEmpty })).trim();
  } else if (how === 'type') {
    selection.types = await pickTypesInStream(conn, stream);
  } else if (how === 'time') {
    const since = required(await vscode.window.showInputBox({ prompt: 'Since (ISO-8601, empty: from the start)', value: new Date(Date.now() - 3600_000).toISOString(), ignoreFocusOut: true, validateInput: isIsoOrEmpty })).trim();
    const until = required(await vscode.window.showInputBox({ prompt: 'Until (ISO-8601, empty: up to now)', ignoreFocusOut: true, validateInput: isIsoOrEmpty })).trim();
    if (since) selection.since = since;
    if (until) selection.until = until;
    if (since || until) selection.clock = await askClock();
  }
  return selection;
}

/** The types present in `stream` (its newest entries and the store's type index), several may be picked. */
async function pickTypesInStream(conn: ActiveConnection, stream: string): Promise<string[]> {
  const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading the event types in ${shorten(stream, 60)}…` },
    () => typesInStream(conn, stream));
  type Item = vscode.QuickPickItem & { type?: string };
  const items: Item[] = found.types.map((t) => ({
    label: shorten(t.type),
    description: t.sampled > 0 ? `${t.sampled} of the newest ${found.sampled}${t.indexed ? ' · indexed' : ''}` : 'indexed (older entries)',
    type: t.type,
  }));
  const other: Item = { label: '$(edit) Other type…', description: 'a type not in the list', alwaysShow: true };
  const where = found.types.length
    ? `${plural(found.types.length, 'type')} in ${shorten(stream, 60)} (its newest ${plural(found.sampled, 'entry', 'entries')} and the store's type index)`
    : `no event type found in the newest ${plural(found.sampled, 'entry', 'entries')} of ${shorten(stream, 60)}`;
  const picks = required(await vscode.window.showQuickPick([...items, other], {
    canPickMany: true, title: 'Replay (1/4): event types', placeHolder: `Pick one or more: ${where}`, ignoreFocusOut: true, matchOnDescription: true,
  }));
  const types = picks.filter((p) => p.type !== undefined).map((p) => p.type!);
  if (picks.includes(other)) {
    const typed = required(await vscode.window.showInputBox({ prompt: 'Event type(s), separated by commas', ignoreFocusOut: true, validateInput: nonEmpty }));
    types.push(...typed.split(',').map((t) => t.trim()).filter(Boolean));
  }
  if (types.length === 0) throw new BadInputError('pick at least one event type');
  return [...new Set(types)];
}

async function askTarget(ctx: CommandContext, conn: ActiveConnection): Promise<ReplayTo> {
  const where = required(await vscode.window.showQuickPick([
    { label: 'This connection', description: conn.name, id: 'same' },
    { label: 'Another connection…', id: 'other' },
  ], { title: 'Replay (2/4): target', ignoreFocusOut: true })).id;
  let targetConn = conn;
  if (where === 'other') {
    const others = ctx.services.connections.list().filter((e) => e.config.name !== conn.name);
    if (others.length === 0) throw new BadInputError('there is no other connection; add one first');
    const name = required(await vscode.window.showQuickPick(others.map((e) => ({ label: e.config.name, description: e.target })), { placeHolder: 'Target connection', ignoreFocusOut: true })).label;
    targetConn = await ctx.services.connections.connect(name);
  }
  const t = await pickTarget(ctx, targetConn, 'Replay to a channel or a stream');
  return { ...t, connection: targetConn };
}

/** Which time the range compares: the event's `timestamp` (first, the default) or the append time in the stream id. */
async function askClock(): Promise<TimeClock> {
  const items: Array<vscode.QuickPickItem & { clock: TimeClock }> = [
    { label: "Event time: the event's timestamp", description: 'default', detail: 'The time every view shows and the guide\'s replay filters on. Reads the whole range (or the entity/type index); events without an ISO-8601 timestamp never match.', clock: 'event' },
    { label: 'Append time: the stream id', detail: 'When Redis appended the entry: an id range, cheap. Imported, backfilled or replayed events are found by when they were written.', clock: 'append' },
  ];
  return required(await vscode.window.showQuickPick(items, { title: 'Replay (1/4): the range compares…', ignoreFocusOut: true, matchOnDetail: true })).clock;
}

/** "Time range on the event's timestamp." when the selection has a time range (and what it left out), else ''. */
function clockText(selection: ReplaySelection, r?: ReplayResult): string {
  if (!selection.since && !selection.until) return '';
  const untimed = r?.skippedUntimed ? ` (${plural(r.skippedUntimed, 'event')} without a readable timestamp left out)` : '';
  return ` Time range on ${CLOCK_NAMES[selection.clock ?? DEFAULT_CLOCK]}${untimed}.`;
}

function summary(r: ReplayResult, label: string): string {
  const secs = formatDuration(r.durationMs);
  const skipped = r.skippedMalformed ? ` (${r.skippedMalformed} malformed skipped)` : '';
  if (r.aborted) return `Replay cancelled after ${plural(r.sent, 'event')} of ${r.matched} to ${label}${skipped}.`;
  return `Replayed ${plural(r.sent, 'event')} to ${label} in ${secs}${skipped}.`;
}

export function registerReplayCommand(r: Registrar, ctx: CommandContext): void {
  r.register(Commands.eventReplay, 'Replay Events', async (arg?: unknown) => {
    const conn = await ctx.services.requireConnection();
    const scripted = arg && typeof arg === 'object' && 'selection' in arg ? arg as ReplayArgs : undefined;
    let selection: ReplaySelection;
    let target: ReplayTo;
    let rate: number | undefined;
    if (scripted) {
      selection = { ...scripted.selection };
      const storeKey = ctx.services.settings.get('storeStreamKey');
      selection.stream ??= storeKey;
      selection.indexed ??= selection.stream === storeKey;
      const st = scripted.target;
      if (!st || !isTargetKind(st.kind)) throw new BadInputError('a replay needs a target: { kind: "channel" | "shard" | "stream", name }');
      const connection = st.connection ? await ctx.services.connections.connect(st.connection) : conn;
      target = { kind: st.kind, name: scriptedName(st), connection };
      rate = scripted.ratePerSecond;
    } else {
      selection = await askSelection(ctx, conn, isStreamNode(arg) ? arg.key : undefined);
      target = await askTarget(ctx, conn);
      const rateText = required(await vscode.window.showInputBox({
        title: 'Replay (3/4): rate', prompt: 'Events per second (empty: as fast as possible)', ignoreFocusOut: true,
        validateInput: (v) => (!v.trim() || (Number(v) > 0 && Number.isFinite(Number(v))) ? undefined : 'A positive number, or empty'),
      })).trim();
      rate = rateText ? Number(rateText) : undefined;
    }
    const label = ctx.publisher.describeTarget(target, conn);
    const runOptions = { ratePerSecond: rate, logger: ctx.services.log.scoped('replay') };
    // The workspace contract for the target, if any: the events are checked before they are sent.
    const violations = await replayViolationsFor(ctx.services.contracts, target);

    let expected: number | undefined;
    if (!scripted) {
      const preview = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Counting matching events…', cancellable: true },
        (progress, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          let lastPct = 0;
          return ctx.publisher.replay(conn, selection, target, {
            ...runOptions, dryRun: true, preview: 5, signal: ac.signal, inspect: violations?.inspect,
            // Events other apps appended without indexes are indexed first: on a large backlog that takes a while.
            onIndexProgress: (p) => {
              const pct = Math.round(p.fraction * 100);
              progress.report({ message: `indexing events other apps appended: ${p.done} so far (${pct}%)`, increment: Math.max(0, pct - lastPct) });
              lastPct = Math.max(lastPct, pct);
            },
          }).catch((e: unknown) => {
            if (ac.signal.aborted) return { aborted: true } as ReplayResult;
            throw e;
          });
        });
      if (preview.aborted) return undefined;
      if (preview.matched === 0) {
        void showInfo(`No events match (scanned ${preview.scanned}).${clockText(selection, preview)}`);
        return preview;
      }
      const first = preview.preview.map((e) => `${e.id} ${String(e.event.event_type ?? '')}`).join(', ');
      const run = 'Run Replay';
      const pick = await showInfo(
        `Replay (4/4): ${plural(preview.matched, 'event')} match (of ${preview.scanned} scanned).${clockText(selection, preview)}${violations?.describe() ?? ''} Send them to ${label}${rate ? ` at ${rate}/s` : ''}?`,
        { modal: true, detail: `First: ${shorten(first, 400)}${preview.skippedMalformed ? `\n${preview.skippedMalformed} malformed entries will be skipped.` : ''}` },
        run,
      );
      if (pick !== run) return undefined;
      expected = preview.matched;
    } else if (violations) {
      // A scripted replay has no dry run: one dry pass counts what breaks the contract.
      await ctx.publisher.replay(conn, selection, target, { ...runOptions, dryRun: true, preview: 1, inspect: violations.inspect });
    }
    const targetConn = target.connection ?? conn;
    if (!(await mayReplay(ctx.services.contracts, violations, { name: targetConn.name, production: targetConn.production }))) {
      ctx.services.log.info(`[replay] not sent: ${violations!.violating} of ${violations!.total} events break the contract for ${label}`);
      return undefined;
    }
    if (!(await ctx.services.guard(`replay events to ${label}`, target.connection ?? conn))) return undefined;

    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Replaying to ${label}`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        let lastPct = 0;
        try {
          return await ctx.publisher.replay(conn, selection, target, {
            ...runOptions,
            signal: ac.signal,
            onProgress: (p) => {
              // Percent only when the dry run counted the events; new ones may have arrived since, hence the cap.
              const pct = expected ? Math.min(100, (p.sent / expected) * 100) : 0;
              progress.report({ message: `${p.sent} sent · ${p.matched} matched · ${p.rate.toFixed(0)}/s`, increment: Math.max(0, pct - lastPct) });
              lastPct = Math.max(lastPct, pct);
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
    const text = `${summary(result, label)}${clockText(selection, result)}`;
    ctx.services.log.info(`[replay] ${text}`);
    void showInfo(text);
    ctx.explorer.streams.refresh();
    return result;
  });
}

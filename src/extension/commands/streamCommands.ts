// Commands on streams, consumer groups and pending entries: inspect, copy, ack, claim, autoclaim, move to
// dead-letter, requeue from dead-letter, create group, trim, load more.
import {
  DEAD_LETTER_STREAM,
  BadInputError,
  DeadLetterQueue,
  requeueEventTarget,
  type RequeueTarget,
  describeEventTarget,
  type EventTarget,
  type StreamEntry,
  maskEventText,
  maskValue,
  parseJson,
} from '../../core/index';
import * as vscode from 'vscode';
import { showInfo } from '../notify';
import { Commands } from '../constants';
import { formatEntry } from '../documents/eventDocumentProvider';
import type { EntryNode, GroupNode, LoadMoreNode, PendingNode } from '../explorer/streamsTree';
import { entryText } from '../explorer/streamsTree';
import { plural, shorten } from '../format';
import type { ActiveConnection } from '../services';
import type { CommandContext } from './context';
import { nonEmpty, pickEntry, pickGroup, pickStream, pickTarget, required, wholeNumber } from './pickers';
import { isStreamNode } from './publishCommands';
import type { Registrar } from './registrar';

function is<K extends string>(x: unknown, kind: K): x is { kind: K } {
  return !!x && typeof x === 'object' && (x as { kind?: unknown }).kind === kind;
}

/** The entry a tree node (entry or pending) points at, or `{ stream, id }`, or one picked from the palette. */
async function resolveEntry(conn: ActiveConnection, arg: unknown): Promise<{ stream: string; entry: StreamEntry }> {
  if (is(arg, 'entry')) return { stream: (arg as EntryNode).key, entry: (arg as EntryNode).entry };
  let stream: string | undefined;
  let id: string | undefined;
  if (is(arg, 'pending')) ({ key: stream, pending: { id } } = arg as PendingNode);
  else if (arg && typeof arg === 'object' && typeof (arg as { stream?: unknown }).stream === 'string' && typeof (arg as { id?: unknown }).id === 'string') {
    ({ stream, id } = arg as { stream: string; id: string });
  }
  if (stream && id) {
    const [entry] = await conn.transport.xrange(stream, id, id, 1);
    if (!entry) throw new BadInputError(`entry ${id} is no longer in ${stream} (trimmed or deleted)`);
    return { stream, entry };
  }
  stream = await pickStream(conn, 'Stream to inspect');
  return { stream, entry: await pickEntry(conn, stream, 'Entry (newest first)') };
}

function pendingArg(arg: unknown, what: string): PendingNode {
  if (!is(arg, 'pending')) throw new BadInputError(`${what}: pick a pending entry in the Streams view (stream → group → consumer)`);
  return arg as PendingNode;
}

export function registerStreamCommands(r: Registrar, ctx: CommandContext): void {
  const { services } = ctx;
  const refresh = () => ctx.explorer.streams.refresh();

  r.register(Commands.eventInspect, 'Inspect Event', async (arg?: unknown) => {
    const conn = await services.requireConnection();
    const { stream, entry } = await resolveEntry(conn, arg);
    const { text, json } = formatEntry(entry);
    await ctx.eventDocuments.open(`${stream} ${entry.id}`, text, json);
    return text;
  });

  r.register(Commands.eventCopy, 'Copy Event as JSON', async (arg?: unknown) => {
    const conn = await services.requireConnection();
    const { entry } = await resolveEntry(conn, arg);
    const text = maskedEntryText(entry, ctx.masking.rulesFor(conn.name));
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(`Copied event ${entry.id} (${text.length} characters)`, 3000);
    return text;
  });

  r.register(Commands.streamLoadMore, 'Load More', async (arg?: unknown) => {
    if (is(arg, 'loadMore')) ctx.explorer.streams.loadMore(arg as LoadMoreNode);
  });

  r.register(Commands.pendingAck, 'Acknowledge', async (arg?: unknown) => {
    const p = pendingArg(arg, 'Acknowledge');
    const conn = await services.requireConnection();
    if (!(await services.guard(`acknowledge ${p.pending.id} in group ${shorten(p.group, 80)}`, conn))) return undefined;
    const n = await conn.transport.xack(p.key, p.group, [p.pending.id]);
    services.log.info(`[streams] XACK ${p.key} ${p.group} ${p.pending.id} → ${n}`);
    vscode.window.setStatusBarMessage(n ? `Acknowledged ${p.pending.id}` : `${p.pending.id} was no longer pending`, 3000);
    refresh();
    return n;
  });

  r.register(Commands.pendingClaim, 'Claim', async (arg?: unknown, consumerArg?: unknown) => {
    const p = pendingArg(arg, 'Claim');
    const conn = await services.requireConnection();
    let consumer = typeof consumerArg === 'string' ? consumerArg : undefined;
    if (!consumer) {
      const others = (await conn.transport.xinfoConsumers(p.key, p.group)).map((c) => c.name).filter((n) => n !== p.pending.consumer);
      const typeOwn = '$(edit) Another consumer…';
      const pick = others.length
        ? required(await vscode.window.showQuickPick([...others, typeOwn], { placeHolder: `Claim ${p.pending.id} for…`, ignoreFocusOut: true }))
        : typeOwn;
      consumer = pick === typeOwn
        ? required(await vscode.window.showInputBox({ prompt: 'Consumer name (created if new)', value: 'ucore-vscode', ignoreFocusOut: true, validateInput: nonEmpty })).trim()
        : pick;
    }
    if (!(await services.guard(`claim ${p.pending.id} for ${shorten(consumer, 80)}`, conn))) return undefined;
    const claimed = await conn.transport.xclaim(p.key, p.group, consumer, 0, [p.pending.id]);
    vscode.window.setStatusBarMessage(claimed.length ? `Claimed ${p.pending.id} for ${shorten(consumer, 80)}` : `${p.pending.id} was no longer pending`, 3000);
    refresh();
    return claimed.length;
  });

  r.register(Commands.groupAutoclaim, 'Autoclaim Idle Entries', async (arg?: unknown) => {
    const conn = await services.requireConnection();
    let stream: string;
    let group: string;
    if (is(arg, 'group')) ({ key: stream, group: { name: group } } = arg as GroupNode);
    else {
      stream = await pickStream(conn, 'Stream of the group');
      group = await pickGroup(conn, stream);
    }
    const minIdle = Number(required(await vscode.window.showInputBox({ prompt: 'Claim entries idle for at least (ms)', value: '60000', ignoreFocusOut: true, validateInput: wholeNumber(0) })));
    const consumer = required(await vscode.window.showInputBox({ prompt: 'Claim them for consumer', value: 'ucore-vscode', ignoreFocusOut: true, validateInput: nonEmpty })).trim();
    if (!(await services.guard(`claim entries of ${shorten(group, 80)} idle ≥ ${minIdle} ms for ${shorten(consumer, 80)}`, conn))) return undefined;
    let start = '0-0';
    let claimed = 0;
    let deleted = 0;
    for (let round = 0; round < 100; round++) {
      const res = await conn.transport.xautoclaim(stream, group, consumer, minIdle, start, 100);
      claimed += res.entries.length;
      deleted += res.deletedIds.length;
      start = res.nextStart;
      if (start === '0-0') break;
    }
    void showInfo(`Claimed ${plural(claimed, 'entry', 'entries')} for ${shorten(consumer, 80)}${deleted ? `; ${deleted} pending ids pointed at deleted entries and were dropped` : ''}.`);
    refresh();
    return claimed;
  });

  r.register(Commands.pendingMoveToDeadLetter, 'Move to Dead-Letter', async (arg?: unknown) => {
    const p = pendingArg(arg, 'Move to dead-letter');
    const conn = await services.requireConnection();
    if (!(await services.guard(`move ${p.pending.id} to ${DEAD_LETTER_STREAM} and acknowledge it`, conn))) return undefined;
    const [entry] = await conn.transport.xrange(p.key, p.pending.id, p.pending.id, 1);
    const dlq = new DeadLetterQueue(conn.transport, { stream: DEAD_LETTER_STREAM });
    const raw = entry ? entryText(entry) : JSON.stringify({ missing_entry: p.pending.id });
    const id = await dlq.add(raw, { error: 'moved by user', attempts: p.pending.deliveries, source: `${p.key}/${p.group}`, errorName: 'MovedByUser' });
    await conn.transport.xack(p.key, p.group, [p.pending.id]);
    void showInfo(`Moved ${p.pending.id} to ${DEAD_LETTER_STREAM} as ${id} and acknowledged it.`);
    refresh();
    return id;
  });

  r.register(Commands.deadLetterRequeue, 'Requeue from Dead-Letter', async (arg?: unknown, targetArg?: unknown) => {
    const conn = await services.requireConnection();
    let id: string;
    if (is(arg, 'entry') && (arg as EntryNode).key === DEAD_LETTER_STREAM) id = (arg as EntryNode).entry.id;
    else id = (await pickEntry(conn, DEAD_LETTER_STREAM, 'Dead letter to requeue')).id;
    const dlq = new DeadLetterQueue(conn.transport, { stream: DEAD_LETTER_STREAM });
    const letter = await dlq.get(id);
    if (!letter) throw new BadInputError(`${id} is no longer in ${DEAD_LETTER_STREAM}`);
    // Scripts may pass an EventTarget or the core's older requeue forms ({ channel }, { shardChannel }, { stream }).
    let target: EventTarget;
    if (targetArg && typeof targetArg === 'object') {
      const field = (targetArg as { field?: unknown }).field;
      if (field !== undefined && field !== 'event') throw new BadInputError('requeue from the editor writes the guide\'s format (field "event"); use ucore or the core for another field');
      target = requeueEventTarget(targetArg as RequeueTarget);
    } else {
      target = await pickTarget(ctx, conn, `Send ${id} back to… (it failed with: ${shorten(letter.error, 80)})`);
    }
    const where = shorten(describeEventTarget(target), 100);
    if (!(await services.guard(`requeue ${id} to ${where}`, conn))) return undefined;
    // Sent first (the stored text as it is), then deleted: a failure in between leaves a duplicate, never a lost event.
    const result = await ctx.publisher.send(conn, target, letter.raw);
    const removed = (await dlq.remove([id])) > 0;
    void showInfo(`Requeued ${id}: ${ctx.publisher.describe(result)}${removed ? '' : ` (it had left ${DEAD_LETTER_STREAM} meanwhile)`}`);
    refresh();
    ctx.explorer.channels.scheduleRefresh();
    return true;
  });

  r.register(Commands.streamCreateGroup, 'Create Consumer Group', async (arg?: unknown, groupArg?: unknown, startArg?: unknown) => {
    const conn = await services.requireConnection();
    const stream = isStreamNode(arg) ? arg.key : typeof arg === 'string' ? arg : await pickStream(conn, 'Stream for the new group');
    const group = typeof groupArg === 'string' ? groupArg : required(await vscode.window.showInputBox({ prompt: `New consumer group on ${shorten(stream, 80)}`, ignoreFocusOut: true, validateInput: nonEmpty })).trim();
    let start = typeof startArg === 'string' ? startArg : undefined;
    if (!start) {
      start = required(await vscode.window.showQuickPick(
        [{ label: 'New entries only', description: '$', id: '$' }, { label: 'From the beginning', description: '0', id: '0' }],
        { placeHolder: 'Where the group starts reading', ignoreFocusOut: true },
      )).id;
    }
    if (!(await services.guard(`create group ${shorten(group, 80)} on ${shorten(stream, 80)}`, conn))) return undefined;
    try {
      await conn.transport.xgroupCreate(stream, group, start, { mkStream: true });
    } catch (e) {
      if (/BUSYGROUP/.test((e as Error).message)) throw new BadInputError(`the group "${group}" exists already on ${stream}`);
      throw e;
    }
    void showInfo(`Created consumer group ${shorten(group, 80)} on ${shorten(stream, 80)}.`);
    refresh();
    return group;
  });

  r.register(Commands.streamTrim, 'Trim Stream', async (arg?: unknown) => {
    const conn = await services.requireConnection();
    const stream = isStreamNode(arg) ? arg.key : await pickStream(conn, 'Stream to trim');
    const length = await conn.transport.xlen(stream);
    const maxLen = Number(required(await vscode.window.showInputBox({
      prompt: `Keep the newest how many entries of ${shorten(stream, 80)}? (it has ${length})`,
      value: String(Math.max(0, Math.floor(length / 2))),
      ignoreFocusOut: true,
      validateInput: wholeNumber(0),
    })));
    const drop = Math.max(0, length - maxLen);
    const ok = await services.safety.confirmDestructive(
      `trim ${shorten(stream, 80)} to ${maxLen} entries`,
      `About ${drop} of ${length} entries will be deleted for good (XTRIM MAXLEN ${maxLen}). Consumer groups keep pending ids of deleted entries.`,
      conn, 'Trim',
    );
    if (!ok) return undefined;
    const removed = await conn.transport.xtrim(stream, maxLen, false);
    void showInfo(`Trimmed ${shorten(stream, 80)}: ${plural(removed, 'entry', 'entries')} removed.`);
    refresh();
    return removed;
  });

}

/** The entry as Copy Event as JSON gives it, with the connection's masking rules applied (an export leaves the editor). */
function maskedEntryText(entry: StreamEntry, rules: ReturnType<CommandContext['masking']['rulesFor']>): string {
  const text = entryText(entry);
  if (rules.length === 0) return text;
  if (Object.keys(entry.fields).length === 1 && entry.fields.event !== undefined) {
    const parsed = parseJson(text);
    return parsed.ok ? maskEventText(text, parsed.value, rules).text : '"(not JSON: not copied, this connection masks its traffic)"';
  }
  return JSON.stringify(maskValue(entry.fields, rules));
}

// Dead letters in the editor: "Show Dead Letters" groups them by error reason (numbers and ids blanked) in the Search
// Results view; a dead letter opens as an editable JSON document with envelope and contract diagnostics, and
// "Requeue Edited Dead Letter" sends the fixed text and marks the entry redriven. "Redrive Dead Letters" sends a
// whole group back: a dry run counts first, then a confirmation with count, target and rate, progress with cancel,
// and a summary; marked entries are never sent twice (the core claims each before sending).
// Loaded on first use. Scripts and tests pass arguments to skip the prompts.
import * as vscode from 'vscode';
import {
  DEAD_LETTER_STREAM,
  deadLetterReason,
  deadLetterText,
  describeEventTarget,
  groupDeadLetters,
  parseEvent,
  readEvent,
  reasonKey,
  redriveDeadLetters,
  redrivenKey,
  BadInputError,
  type EventTarget,
  type RedriveResult,
} from '../../core/index';
import type { CommandContext } from '../commands/context';
import { pickTarget, required } from '../commands/pickers';
import { plural, shorten } from '../format';
import { showInfo } from '../notify';
import { DeadLetterGroupNode, DeadLetterNode, type SearchResultsNode } from './searchResultsTree';

/** Dead letters listed under a reason at most (the rest: `ucore redrive` or a search of the stream). */
const MAX_LISTED = 200;
const DIAGNOSTIC_SOURCE = 'ucore-dead-letter';

interface OpenLetter {
  stream: string;
  id: string;
  /** Where it failed (its `source` field): the contract it is checked against. */
  source?: EventTarget;
}

/** Documents opened from dead letters, by URI. */
const opened = new Map<string, OpenLetter>();
let diagnostics: vscode.DiagnosticCollection | undefined;

export async function showDeadLetters(ctx: CommandContext, arg?: unknown): Promise<{ groups: Array<{ reason: string; count: number; redriven: number }> }> {
  const conn = await ctx.services.requireConnection();
  const stream = streamOf(arg);
  const results = ctx.searchResults;
  const run = results.begin(`dead letters · ${shorten(stream, 60)}`);
  void vscode.commands.executeCommand('ucore.searchResults.focus').then(undefined, () => undefined);
  const { groups, scanned, total } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading ${shorten(stream, 60)}…` },
    () => groupDeadLetters(conn.transport, { stream }));
  const load = async (node: DeadLetterGroupNode): Promise<SearchResultsNode[]> => {
    const [page, marks] = await Promise.all([conn.transport.xrange(stream, node.group.firstId, node.group.lastId, MAX_LISTED * 4), conn.transport.hgetall(redrivenKey(stream))]);
    return page.filter((e) => reasonKey(deadLetterReason(e.fields)) === node.group.reason).slice(0, MAX_LISTED)
      .map((e) => new DeadLetterNode(`${node.id}/${e.id}`, stream, e, marks[e.id]));
  };
  results.addRows(run, groups.map((g, i) => new DeadLetterGroupNode(`dl/${run}/${i}`, stream, g, load)));
  results.finish(run, total === 0 ? `No dead letters in ${shorten(stream, 60)}` : `${plural(total, 'dead letter')} · ${plural(groups.length, 'reason')}${scanned < total ? ` (the first ${scanned} read)` : ''}`);
  return { groups: groups.map((g) => ({ reason: g.reason, count: g.count, redriven: g.redriven })) };
}

export async function openDeadLetter(ctx: CommandContext, arg?: unknown): Promise<vscode.TextDocument> {
  const conn = await ctx.services.requireConnection();
  const a = (arg && typeof arg === 'object' ? arg : {}) as { stream?: unknown; id?: unknown; entry?: { id?: unknown }; key?: unknown };
  const stream = typeof a.stream === 'string' ? a.stream : typeof a.key === 'string' ? a.key : DEAD_LETTER_STREAM;
  const id = typeof a.id === 'string' && /^\d+-\d+$/.test(a.id) ? a.id : typeof a.entry?.id === 'string' ? a.entry.id : undefined;
  if (!id) throw new BadInputError('Open Dead Letter: pick a dead letter under "Show Dead Letters"');
  const [entry] = await conn.transport.xrange(stream, id, id, 1);
  if (!entry) throw new BadInputError(`${id} is no longer in ${stream}`);
  const text = deadLetterText(entry.fields);
  if (text === null) throw new BadInputError(`${id} holds no event (no event, original_event or payload field) to edit`);
  let content = text;
  try {
    content = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    /* shown as written: the diagnostics say it is not JSON */
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
  const source = entry.fields.source ?? entry.fields.channel ?? entry.fields.stream;
  opened.set(doc.uri.toString(), { stream, id, source: source ? sourceTarget(source) : undefined });
  watchDiagnostics(ctx);
  await vscode.window.showTextDocument(doc, { preview: false });
  await updateDiagnostics(ctx, doc);
  await vscode.commands.executeCommand('setContext', 'ucore.deadLetterEditor', true);
  return doc;
}

export async function requeueEdited(ctx: CommandContext, uriArg?: unknown, targetArg?: EventTarget): Promise<string | undefined> {
  const doc = uriArg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(uriArg) : vscode.window.activeTextEditor?.document;
  const letter = doc && opened.get(doc.uri.toString());
  if (!doc || !letter) throw new BadInputError('Requeue Edited Dead Letter works in an editor opened from a dead letter (Show Dead Letters → click one)');
  const parsed = readEvent(doc.getText());
  if (!parsed.ok) throw new BadInputError(`the edited dead letter is not a JSON object: ${parsed.error.message}`);
  const conn = await ctx.services.requireConnection();
  const target = targetArg ?? await pickTarget(ctx, conn, `Send the edited ${letter.id} to…`);
  if (!(await ctx.services.guard(`requeue the edited ${letter.id} to ${shorten(describeEventTarget(target), 100)}`, conn))) return undefined;
  // Through the Publisher: the contract check asks before an event that still breaks its contract goes out.
  const result = await ctx.publisher.send(conn, target, JSON.stringify(parsed.event));
  await conn.transport.hset(redrivenKey(letter.stream), { [letter.id]: `${new Date().toISOString()} ${result.target.kind} ${result.target.name} (edited)` });
  void showInfo(`Requeued the edited ${letter.id}: ${ctx.publisher.describe(result)} It is marked redriven in ${shorten(letter.stream, 60)}.`);
  return result.id ?? letter.id;
}

export interface RedriveArgs {
  target?: EventTarget;
  /** Events per second; 0 or absent: as fast as Redis takes them. */
  rate?: number;
  /** Only count: send nothing. */
  dryRun?: boolean;
}

export async function redriveGroup(ctx: CommandContext, arg?: unknown, args: RedriveArgs = {}): Promise<RedriveResult | undefined> {
  const conn = await ctx.services.requireConnection();
  const node = arg instanceof DeadLetterGroupNode ? arg : undefined;
  const stream = node?.stream ?? streamOf(arg);
  const reason = node?.group.reason ?? (arg && typeof (arg as { reason?: unknown }).reason === 'string' ? (arg as { reason: string }).reason : undefined);
  const what = reason ? `dead letters "${shorten(reason, 80)}"` : `all dead letters of ${shorten(stream, 60)}`;
  const target = args.target ?? await pickTarget(ctx, conn, `Redrive ${what} to…`);
  const rate = args.rate ?? (args.target ? undefined : rateInput(required(await vscode.window.showInputBox({
    prompt: 'Events per second at most (empty: as fast as Redis takes them)', value: '100', ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' || Number(v) > 0 ? null : 'a positive number, or empty'),
  }))));
  const base = { stream, reason, target, rate: rate || undefined };
  const dry = await redriveDeadLetters(conn.transport, { ...base, dryRun: true });
  if (args.dryRun) return dry;
  const where = `${target.kind} ${shorten(target.name, 80)}`;
  const summaryOf = (r: RedriveResult) => `${r.dryRun ? 'would send' : 'sent'} ${r.sent}${r.alreadyRedriven ? `, ${r.alreadyRedriven} already redriven (skipped)` : ''}${r.noEvent ? `, ${r.noEvent} without an event` : ''}`;
  if (dry.sent === 0) {
    void showInfo(`Nothing to redrive: ${summaryOf(dry)}.`);
    return dry;
  }
  if (!args.target) {
    const go = await vscode.window.showWarningMessage(`Redrive ${plural(dry.sent, 'dead letter')} (${what}) to ${where}${rate ? ` at ${rate}/s` : ''}?`,
      { modal: true, detail: `Dry run: ${summaryOf(dry)}. Each is marked redriven in ${redrivenKey(stream)} and never sent again.` }, 'Redrive');
    if (go !== 'Redrive') return undefined;
  }
  if (!(await ctx.services.guard(`redrive ${dry.sent} ${what} to ${where}`, conn))) return undefined;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Redriving to ${where}`, cancellable: true }, async (progress, token) => {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    let shown = 0;
    try {
      return await redriveDeadLetters(conn.transport, {
        ...base, signal: ac.signal,
        onProgress: (p) => {
          const pct = Math.min(100, Math.floor((p.sent / dry.sent) * 100));
          progress.report({ message: `${p.sent} of ${dry.sent} sent`, increment: Math.max(0, pct - shown) });
          shown = Math.max(shown, pct);
        },
      });
    } finally {
      sub.dispose();
    }
  });
  ctx.services.log.info(`[dead-letters] redrive ${what} → ${where}: ${summaryOf(result)}${result.aborted ? ' (cancelled)' : ''}`);
  void showInfo(`${result.aborted ? 'Redrive cancelled: ' : 'Redrive done: '}${summaryOf(result)} to ${where}.`);
  ctx.explorer.streams.refresh();
  return result;
}

function rateInput(v: string): number | undefined {
  return v.trim() === '' ? undefined : Number(v);
}

function streamOf(arg: unknown): string {
  if (typeof arg === 'string' && arg) return arg;
  const a = (arg && typeof arg === 'object' ? arg : {}) as { key?: unknown; stream?: unknown };
  if (typeof a.stream === 'string') return a.stream;
  if (typeof a.key === 'string') return a.key;
  return DEAD_LETTER_STREAM;
}

/** A dead letter's `source` names a channel or a stream (ours: "orders", "event_store/workers"). */
function sourceTarget(source: string): EventTarget {
  const stream = source.split('/')[0]!;
  return /store|stream/.test(stream) ? { kind: 'stream', name: stream } : { kind: 'channel', name: stream };
}

function watchDiagnostics(ctx: CommandContext): void {
  if (diagnostics) return;
  diagnostics = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  ctx.extension.subscriptions.push(
    diagnostics,
    vscode.workspace.onDidChangeTextDocument((e) => { if (opened.has(e.document.uri.toString())) void updateDiagnostics(ctx, e.document); }),
    vscode.workspace.onDidCloseTextDocument((d) => { opened.delete(d.uri.toString()); diagnostics?.delete(d.uri); }),
    vscode.window.onDidChangeActiveTextEditor((ed) => void vscode.commands.executeCommand('setContext', 'ucore.deadLetterEditor', !!ed && opened.has(ed.document.uri.toString()))),
  );
}

/** JSON problems and envelope issues (warnings: other apps' events often lack fields) and contract issues (errors). */
export async function updateDiagnostics(ctx: CommandContext, doc: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
  const letter = opened.get(doc.uri.toString());
  if (!letter || !diagnostics) return [];
  const text = doc.getText();
  const out: vscode.Diagnostic[] = [];
  const at = (path: readonly (string | number)[]) => rangeOf(doc, path);
  const parsed = readEvent(text);
  if (!parsed.ok) {
    out.push(new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), parsed.error.message, vscode.DiagnosticSeverity.Error));
  } else {
    const strict = parseEvent(parsed.event);
    if (!strict.ok) {
      for (const i of (strict.error as { issues?: Array<{ path: (string | number)[]; message: string }> }).issues ?? []) {
        out.push(new vscode.Diagnostic(at(i.path), `envelope: ${i.message}`, vscode.DiagnosticSeverity.Warning));
      }
    }
    const set = letter.source ? await ctx.services.contracts.current().catch(() => undefined) : undefined;
    if (set && letter.source) {
      const check = set.check(letter.source, parsed.event);
      for (const i of check.issues) out.push(new vscode.Diagnostic(at(i.path), `contract: ${i.message}`, vscode.DiagnosticSeverity.Error));
    }
  }
  for (const d of out) d.source = DIAGNOSTIC_SOURCE;
  diagnostics.set(doc.uri, out);
  return out;
}

/** The line of the last key of `path` in the pretty-printed document (good enough to point at a field). */
function rangeOf(doc: vscode.TextDocument, path: readonly (string | number)[]): vscode.Range {
  const key = [...path].reverse().find((p) => typeof p === 'string');
  if (key !== undefined) {
    const i = doc.getText().indexOf(`${JSON.stringify(key)}:`);
    if (i >= 0) {
      const start = doc.positionAt(i);
      return new vscode.Range(start, start.translate(0, JSON.stringify(key).length));
    }
  }
  return new vscode.Range(0, 0, 0, 1);
}

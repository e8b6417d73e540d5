// "UCore: Export Entries…", "Export Search Results…" and "UCore: Import NDJSON…": stream entries ↔ NDJSON fixture
// files (the line format Record Traffic writes, so an export replays, compares and makes scenario tests like a
// recording). Export applies the connection's masking rules (MaskingRules: a production connection masks by
// default) before anything reaches the file; import reads the file once as a dry run (how many, where, which lines
// are not events), asks, then sends at the chosen rate with progress and cancel. The core does the work
// (src/core/transfer); this file asks the questions. Loaded on first use (search/index.ts).
// Scripts and tests pass the answers as arguments and are asked nothing.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import {
  BadInputError, compareIds, EventFilter, type EventTarget, type ExportResult, type ExportSelection, exportEntries,
  fileSink, type ImportResult, importFixture,
} from '../../core/index';
import type { CommandContext } from '../commands/context';
import { pickStream, pickTarget, required } from '../commands/pickers';
import { plural, shorten } from '../format';
import { showInfo, showWarning } from '../notify';
import type { ActiveConnection } from '../services';
import { resolveInWorkspace } from '../fixtures/recording';
import { parseTimeInput } from './goToTime';
import { streamArg } from './searchStream';

export interface ExportArgs {
  /**
   * What to export: every entry, a time range (ISO or relative like "-1h"; `until` empty is now), the matches the
   * Search Results view shows, or every match of the search it shows.
   */
  range?: 'all' | 'results' | 'allMatches' | { since?: string; until?: string };
  /** The file to write (a path or a Uri); asked with a save dialog otherwise. */
  out?: string | vscode.Uri;
}

export interface ExportOutcome extends ExportResult {
  stream: string;
  file: string;
  /** The masking rules applied, described ("data.email (hashed)"), or "nothing". */
  maskedBy: string;
}

/** Export Entries (a stream row, a key or `{ stream }`; from the palette, asked) and Export Search Results. */
export async function exportCommand(ctx: CommandContext, arg?: unknown, args: ExportArgs = {}): Promise<ExportOutcome> {
  const conn = await ctx.services.requireConnection();
  const fromResults = args.range === 'results' || args.range === 'allMatches';
  const shown = ctx.searchResults.matches();
  const stream = fromResults ? resultsStream(ctx) : streamArg(arg) ?? await pickStream(conn, 'Stream to export');
  const range = args.range ?? await pickRange(ctx, stream);
  let selection: ExportSelection;
  let what: string;
  if (range === 'results') {
    if (!shown) throw new BadInputError('the Search Results view shows no matches to export: search a stream first');
    // Oldest first whatever the search's order, so the fixture's times count forward.
    selection = { stream: shown.stream, ids: [...shown.ids].sort(compareIds) };
    what = plural(shown.ids.length, 'search result');
  } else if (range === 'allMatches') {
    const query = ctx.searchResults.query;
    if (!query) throw new BadInputError('the Search Results view shows no search to export: search a stream first');
    selection = { stream: query.stream, filter: EventFilter.compile(query.expression) };
    what = `every match of ${shorten(query.expression, 80)}`;
  } else if (range === 'all') {
    selection = { stream };
    what = 'all entries';
  } else {
    const since = range.since ? timeOf(range.since) : undefined;
    const until = range.until ? timeOf(range.until) : undefined;
    selection = { stream, since, until };
    what = `entries ${since ? `from ${since.toISOString()}` : ''}${until ? ` until ${until.toISOString()}` : ''}`.trim();
  }
  const out = args.out instanceof vscode.Uri ? args.out : args.out !== undefined ? resolveInWorkspace(args.out) : await pickSaveFile(selection.stream);
  if (out.scheme !== 'file') throw new BadInputError(`export writes a local file, not ${shorten(out.toString(), 100)}`);
  await mkdir(dirname(out.fsPath), { recursive: true });
  const rules = ctx.masking.rulesFor(conn.name);
  const maskedBy = ctx.masking.describe(rules);
  const title = `Exporting ${shorten(selection.stream, 60)} (${shorten(what, 80)}) to ${shorten(vscode.workspace.asRelativePath(out), 80)}`;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    const sink = fileSink(out.fsPath);
    try {
      const r = await exportEntries(conn.transport, selection, sink, {
        mask: rules, signal: abort.signal,
        onProgress: (p) => progress.report({ message: `${p.written.toLocaleString('en-US')} written · ${p.scanned.toLocaleString('en-US')} scanned` }),
      });
      await sink.close();
      return r;
    } catch (e) {
      await sink.close().catch(() => undefined);
      throw e;
    } finally {
      sub.dispose();
    }
  });
  const name = vscode.workspace.asRelativePath(out);
  const masking = rules.length ? `; masked ${plural(result.masked, 'value')} (${maskedBy})` : '';
  const message = `${result.aborted ? 'Export cancelled after' : 'Exported'} ${plural(result.written, 'entry', 'entries')} of ${shorten(selection.stream, 60)} to ${shorten(name, 100)} (${result.scanned.toLocaleString('en-US')} scanned${masking}).`;
  ctx.services.log.info(`[export] ${message}`);
  const open = 'Open File';
  void (result.aborted ? showWarning(message) : showInfo(message, open)).then((pick) => {
    if (pick === open) void vscode.window.showTextDocument(out, { preview: false });
  });
  return { ...result, stream: selection.stream, file: out.fsPath, maskedBy };
}

/** The stream the Search Results view shows matches of. */
function resultsStream(ctx: CommandContext): string {
  const s = ctx.searchResults.query?.stream ?? ctx.searchResults.matches()?.stream;
  if (!s) throw new BadInputError('the Search Results view is empty: search a stream first');
  return s;
}

async function pickRange(ctx: CommandContext, stream: string): Promise<NonNullable<ExportArgs['range']>> {
  type Item = vscode.QuickPickItem & { range: 'all' | 'time' | 'results' | 'allMatches' };
  const shown = ctx.searchResults.matches();
  const query = ctx.searchResults.query;
  const items: Item[] = [
    { label: '$(list-flat) All entries', description: `every entry of ${shorten(stream, 60)}, oldest first`, range: 'all' },
    { label: '$(history) A time range…', description: 'from a date-time (or -1h, -2d) until another, or now', range: 'time' },
  ];
  if (shown && shown.stream === stream) items.push({ label: '$(search) The search results shown', description: plural(shown.ids.length, 'match', 'matches'), range: 'results' });
  if (query && query.stream === stream) items.push({ label: '$(filter) Every match of the search', description: shorten(query.expression, 100), range: 'allMatches' });
  const pick = required(await vscode.window.showQuickPick(items, { placeHolder: `Export which entries of ${shorten(stream, 60)}?`, ignoreFocusOut: true })).range;
  if (pick !== 'time') return pick;
  const ask = async (prompt: string, value: string, optional: boolean) => required(await vscode.window.showInputBox({
    prompt, value, ignoreFocusOut: true,
    validateInput: (v) => { if (optional && v.trim() === '') return null; const r = parseTimeInput(v); return typeof r === 'string' ? r : null; },
  })).trim();
  const since = await ask('Export from (UTC date-time, or relative: -1h, -30m, -2d)', '-1h', false);
  const until = await ask('Export until (UTC date-time or relative; empty: now)', '', true);
  return { since, until: until || undefined };
}

function timeOf(text: string): Date {
  const t = parseTimeInput(text);
  if (typeof t === 'string') throw new BadInputError(t);
  return t;
}

async function pickSaveFile(stream: string): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const base = `${stream.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'export'}.ndjson`;
  return required(await vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, base) : undefined,
    filters: { 'NDJSON fixtures': ['ndjson'] },
    saveLabel: 'Export',
    title: `Export ${shorten(stream, 60)} to`,
  }));
}

export interface ImportArgs {
  /** The file (a path or a Uri); the Uri a command was given, the open fixture, or asked otherwise. */
  file?: string | vscode.Uri;
  /** Where everything goes, or 'recorded': where each line was recorded. Asked when not given. */
  target?: EventTarget | 'recorded';
  /** Events a second at most; null: no limit. Asked when not given. */
  rate?: number | null;
  /** Only the dry run: count and return, send nothing. */
  dryRun?: boolean;
}

/**
 * Import NDJSON: from the palette, a `.ndjson` file in the Explorer (its Uri), or a stream row in the Streams tree
 * (the stream is the target).
 */
export async function importCommand(ctx: CommandContext, arg?: unknown, args: ImportArgs = {}): Promise<ImportResult | undefined> {
  const conn = await ctx.services.requireConnection();
  const rowStream = arg instanceof vscode.Uri ? undefined : streamArg(arg);
  const file = args.file instanceof vscode.Uri ? args.file : args.file !== undefined ? resolveInWorkspace(args.file)
    : arg instanceof vscode.Uri ? arg : openFixture() ?? await pickOpenFile();
  const name = vscode.workspace.asRelativePath(file);
  const chosen = args.target ?? (rowStream !== undefined ? { kind: 'stream' as const, name: rowStream } : await pickImportTarget(ctx, conn, name));
  const target = chosen === 'recorded' ? undefined : chosen;
  const dry = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading ${shorten(name, 80)} (dry run)`, cancellable: true }, async (_p, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      return await importFixture(file.fsPath, conn.transport, { target, dryRun: true, signal: abort.signal });
    } finally {
      sub.dispose();
    }
  });
  const where = describeTargets(dry);
  const problems = dry.problems ? `; ${plural(dry.problems, 'line')} not events (first: line ${dry.problemLines[0]?.line}: ${shorten(dry.problemLines[0]?.message ?? '', 120)})` : '';
  const dryText = `would send ${plural(dry.sent, 'event')} to ${where}${problems}`;
  ctx.services.log.info(`[import] ${name} dry run: ${dryText}`);
  if (args.dryRun || dry.aborted) return dry;
  if (dry.sent === 0) {
    void showWarning(`Nothing to import from ${shorten(name, 100)}: ${dryText}.`);
    return dry;
  }
  const rate = args.rate !== undefined ? args.rate ?? undefined : await askRate();
  const pace = rate ? ` at ${rate}/s` : '';
  if (args.target === undefined) {
    const go = await showWarning(`Import ${plural(dry.sent, 'event')} from ${shorten(name, 80)} into "${shorten(conn.name, 60)}"${pace}?`,
      { modal: true, detail: `Dry run: ${dryText}.` }, 'Import');
    if (go !== 'Import') return undefined;
  }
  if (!(await ctx.services.guard(`import ${dry.sent} events from ${name} to ${where}`, conn))) return undefined;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Importing ${shorten(name, 60)} into "${shorten(conn.name, 40)}"${pace}`, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    let shown = 0;
    try {
      return await importFixture(file.fsPath, conn.transport, {
        target, rate, signal: abort.signal,
        onProgress: (p) => {
          const pct = Math.min(100, Math.floor((p.sent / dry.sent) * 100));
          progress.report({ message: `${p.sent.toLocaleString('en-US')} of ${dry.sent.toLocaleString('en-US')} sent`, increment: Math.max(0, pct - shown) });
          shown = Math.max(shown, pct);
        },
      });
    } finally {
      sub.dispose();
    }
  });
  const message = `${result.aborted ? 'Import cancelled after sending' : 'Imported'} ${plural(result.sent, 'event')} from ${shorten(name, 80)} to ${describeTargets(result)} in ${(result.elapsedMs / 1000).toFixed(1)} s${result.problems ? `; ${plural(result.problems, 'line')} not events` : ''}.`;
  ctx.services.log.info(`[import] ${message}`);
  void (result.aborted || result.problems ? showWarning(message) : showInfo(message));
  ctx.explorer.streams.refresh();
  return result;
}

/** "stream copy: 25, channel orders: 3" (the first five). */
function describeTargets(r: ImportResult): string {
  const parts = Object.entries(r.byTarget).map(([k, n]) => `${shorten(k, 80)}: ${n.toLocaleString('en-US')}`);
  return parts.length ? `${parts.slice(0, 5).join(', ')}${parts.length > 5 ? `, and ${parts.length - 5} more` : ''}` : 'nowhere';
}

async function pickImportTarget(ctx: CommandContext, conn: ActiveConnection, name: string): Promise<EventTarget | 'recorded'> {
  const recorded = '$(references) Where each event was recorded';
  const pick = required(await vscode.window.showQuickPick([
    { label: recorded, description: 'each line names its channel or stream' },
    { label: '$(target) One stream or channel…', description: 'send every event of the file there' },
  ], { placeHolder: `Import ${shorten(name, 80)} into "${shorten(conn.name, 40)}": where?`, ignoreFocusOut: true })).label;
  return pick === recorded ? 'recorded' : pickTarget(ctx, conn, `Send the events of ${shorten(name, 80)} to`);
}

async function askRate(): Promise<number | undefined> {
  const text = required(await vscode.window.showInputBox({
    prompt: 'Events per second at most (empty: as fast as Redis takes them)', value: '', ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' || (Number(v) > 0 && Number.isFinite(Number(v))) ? null : 'a positive number, or empty'),
  })).trim();
  return text === '' ? undefined : Number(text);
}

function openFixture(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && doc.uri.scheme === 'file' && /\.ndjson$/i.test(doc.uri.path) ? doc.uri : undefined;
}

async function pickOpenFile(): Promise<vscode.Uri> {
  const chosen = required(await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'NDJSON fixtures': ['ndjson', 'jsonl'] }, openLabel: 'Import', title: 'Import which NDJSON file?' }));
  return required(chosen[0]);
}

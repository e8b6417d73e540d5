// "UCore: Search Stream": a CEL expression over a stream's history (event_type == "order_created" &&
// data.total_price > 100), scanned page by page with scanned / total in a cancellable notification, within the scan
// budget setting; matches appear in the Search Results view as they are found. Loaded on first use (the command
// handler imports this module), so the expression language is not parsed at activation.
// Scripts and tests pass `(stream, { expression, … })` to skip the prompts.
import * as vscode from 'vscode';
import { EventFilter, searchHistory, type SearchResult, type StreamEntry } from '../../core/index';
import { Setting } from '../constants';
import { plural, shorten } from '../format';
import type { CommandContext } from '../commands/context';
import { pickStream, required } from '../commands/pickers';
import type { SavedFilterSetting } from '../connections/settings';
import type { SearchResultsProvider } from './searchResultsTree';

export interface SearchArgs {
  expression?: string;
  maxScan?: number;
  limit?: number;
  /** Newest first. */
  reverse?: boolean;
  start?: string;
  end?: string;
}

export interface SearchOutcome extends SearchResult {
  stream: string;
  expression: string;
  ids: string[];
}

/** The stream a command was given: a Streams tree row (`{ key }`), a key, or `{ stream }`. */
export function streamArg(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  if (arg && typeof arg === 'object') {
    const a = arg as { key?: unknown; stream?: unknown; kind?: unknown };
    if (typeof a.key === 'string' && (a.kind === 'stream' || a.kind === 'entries')) return a.key;
    if (typeof a.stream === 'string') return a.stream;
  }
  return undefined;
}

/** Compiles or says why not, for an input box: null when valid. */
export function expressionProblem(text: string): string | null {
  try {
    EventFilter.compile(text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Asks for an expression, offering the saved filters of the workspace settings first. */
export async function askExpression(saved: readonly SavedFilterSetting[], prompt: string, last?: string): Promise<string> {
  let value = last ?? '';
  if (saved.length) {
    type Item = vscode.QuickPickItem & { expression?: string };
    const items: Item[] = [
      { label: '$(edit) New expression…', description: 'CEL, e.g. event_type == "order_created" && data.total_price > 100', alwaysShow: true },
      ...saved.map((f) => ({ label: shorten(f.name, 100), description: shorten(f.expression, 120), detail: f.description ? shorten(f.description, 200) : undefined, expression: f.expression })),
    ];
    const pick = required(await vscode.window.showQuickPick(items, { placeHolder: `${prompt}: a saved filter (${Setting.searchSavedFilters}) or a new expression`, matchOnDescription: true, ignoreFocusOut: true }));
    if (pick.expression !== undefined) value = pick.expression;
  }
  const text = required(await vscode.window.showInputBox({
    prompt: `${prompt} (CEL over the event's fields: event_type, data.…, entity_id; _id is the entry id)`,
    value: value || 'event_type == "order_created" && data.total_price > 100',
    ignoreFocusOut: true,
    validateInput: (t) => expressionProblem(t),
  }));
  return text.trim();
}

let lastExpression: string | undefined;

export async function searchStreamCommand(ctx: CommandContext, results: SearchResultsProvider, arg?: unknown, args: SearchArgs = {}): Promise<SearchOutcome> {
  const { services } = ctx;
  const conn = await services.requireConnection();
  const stream = streamArg(arg) ?? await pickStream(conn, 'Stream to search');
  const expression = args.expression ?? await askExpression(services.settings.get('searchSavedFilters'), `Search ${shorten(stream, 60)}`, lastExpression);
  const filter = EventFilter.compile(expression);
  lastExpression = expression;
  const maxScan = args.maxScan ?? services.settings.get('searchScanBudget');
  const limit = args.limit ?? services.settings.get('searchMaxResults');
  const run = results.begin(`${shorten(stream, 40)} · ${shorten(expression, 80)}`, { stream, expression });
  // Show the results view (its container may be closed when run from the palette).
  void vscode.commands.executeCommand('ucore.searchResults.focus').then(undefined, () => undefined);
  const ids: string[] = [];
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Searching ${shorten(stream, 60)}`, cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      let shownPct = 0;
      try {
        const it = searchHistory(conn.transport, stream, filter, { limit, maxScan, reverse: args.reverse, start: args.start, end: args.end, signal: ac.signal });
        for (;;) {
          const next = await it.next();
          if (next.done) return next.value;
          const { matches, progress: p } = next.value;
          const entries: StreamEntry[] = matches.map((m) => ({ id: m.id, fields: m.raw === null ? (m.event as Record<string, string>) : { event: m.raw } }));
          for (const m of matches) ids.push(m.id);
          results.add(run, stream, entries, limit);
          const of = Math.min(p.total, maxScan) || 1;
          const pct = Math.min(100, Math.floor((p.scanned / of) * 100));
          const message = `${p.scanned.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} scanned · ${plural(p.matched, 'match', 'matches')}`;
          progress.report({ message, increment: Math.max(0, pct - shownPct) });
          shownPct = Math.max(shownPct, pct);
          results.progress(run, `${message}…`);
        }
      } finally {
        sub.dispose();
      }
    },
  );
  const why = { end: 'searched to the end', limit: `stopped at ${limit} results (${Setting.searchMaxResults})`, budget: `stopped at the scan budget of ${maxScan.toLocaleString('en-US')} (${Setting.searchScanBudget})`, aborted: 'cancelled' }[result.ended];
  const status = `${plural(result.matched, 'match', 'matches')} · ${result.scanned.toLocaleString('en-US')} of ${result.total.toLocaleString('en-US')} scanned · ${why}`;
  results.finish(run, status);
  services.log.info(`[search] ${stream} where ${shorten(expression, 200)}: ${status}${result.errorSummary ? `; ${result.errorSummary}` : ''}`);
  if (result.errorSummary) void vscode.window.showWarningMessage(`Search: ${shorten(result.errorSummary, 300)}`);
  return { ...result, stream, expression, ids };
}

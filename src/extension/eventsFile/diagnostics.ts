// Problems of `.events` documents in the Problems view: checked when a document opens, ~300 ms after the last
// change, cleared when it closes.
import * as vscode from 'vscode';
import { type SchemaRegistry, type Logger, checkFile, checkEventsFileContracts, type ContractSet, type EventsProblem } from '../../core/index';
import { Disposable, toDisposable } from '../lifecycle';
import { type EventsDocuments, isEventsDocument } from './documents';

export const DIAGNOSTIC_SOURCE = 'ucore-events';
const DEBOUNCE_MS = 300;

export class EventsDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE));
  private readonly timers = new Map<string, NodeJS.Timeout>();

  // The registry is read on each check, not taken here: the services build it on first use (issue 13), and a
  // workspace with no .events file open never needs it.
  constructor(
    private readonly documents: EventsDocuments, private readonly services: { readonly registry: SchemaRegistry }, private readonly log: Logger,
    private readonly contracts?: { peek(): ContractSet | undefined; onDidChange: vscode.Event<void>; uriOf(file: string): vscode.Uri | undefined },
  ) {
    super();
    if (contracts) this.register(contracts.onDidChange(() => { for (const d of vscode.workspace.textDocuments) this.refresh(d); }));
    this.register(toDisposable(() => {
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
    }));
    this.register(vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    this.register(vscode.workspace.onDidCloseTextDocument((d) => this.clear(d)));
    for (const d of vscode.workspace.textDocuments) this.refresh(d);
  }

  /** Checks now (documents of other languages are ignored). */
  refresh(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (!isEventsDocument(doc) || doc.isClosed) return;
    try {
      const parsed = this.documents.get(doc);
      const problems = checkFile(parsed, this.services.registry);
      const set = this.contracts?.peek();
      if (set) problems.push(...checkEventsFileContracts(parsed, set));
      this.collection.set(doc.uri, problems.map((p) => toDiagnostic(doc, p, (f) => this.contracts?.uriOf(f))));
    } catch (e) {
      // A bug here must not take the editor down with it; the log has the detail.
      this.log.error(`checking ${doc.uri.toString(true)} failed: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isEventsDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => this.refresh(doc), DEBOUNCE_MS));
  }

  private clear(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.collection.delete(doc.uri);
    this.documents.forget(doc.uri);
  }
}

const SEVERITY: Record<EventsProblem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

function toDiagnostic(doc: vscode.TextDocument, p: EventsProblem, contractUri?: (file: string) => vscode.Uri | undefined): vscode.Diagnostic {
  const last = Math.max(0, doc.lineCount - 1);
  const line = Math.min(p.line, last);
  const range = p.wholeLine
    ? doc.lineAt(line).range
    : doc.validateRange(new vscode.Range(line, p.column, Math.min(p.endLine, last), p.endColumn));
  const d = new vscode.Diagnostic(range, p.message, SEVERITY[p.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = p.code;
  const rule = p.rule && contractUri?.(p.rule.file);
  if (rule && p.rule) {
    const at = new vscode.Position(p.rule.line - 1, p.rule.column - 1);
    d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(rule, at), 'the rule in the contract')];
  }
  return d;
}

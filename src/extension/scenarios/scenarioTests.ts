// Scenario `.events` files (those with `### test:` lines) in VS Code's Testing view: one item per file, one child per
// test at its `### test:` line. Run runs them against the active connection (where the user's services run); Debug
// runs them the same way with every step, expectation and nearby event written to the test output. A failure is a
// TestMessage at the failing step's line: what was expected, what arrived instead (the nearest events on that
// channel, with the paths that differ), and how long it waited; expected and actual JSON for the diff view. A file
// that does not parse errors at its first problem's line and runs nothing. Items follow edits of open documents and
// changes on disk (fixtures/index.ts feeds them). Created on first need, never at activation (fixtures/index.ts).
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { checkFile, describeError, type ParsedEventsFile, parseEventsFile, runScenarios, type ScenarioFailure, type ScenarioTestResult } from '../../core/index';
import { Disposable } from '../lifecycle';
import type { ExtensionServices } from '../services';

/** What one test's run came to (returned by "UCore: Run Scenario Tests" for scripts and tests). */
export interface ScenarioRunRecord {
  file: string;
  name: string;
  line: number;
  outcome: 'passed' | 'failed' | 'errored' | 'skipped';
  durationMs?: number;
  /** The TestMessage shown, and the line it is shown at (0-based). */
  message?: string;
  messageLine?: number;
}

const MAX_FILES = 1000;
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const TEST_LINE = /^###[ \t]*test:/m;

export function hasScenarioTests(text: string): boolean {
  return TEST_LINE.test(text);
}

export class ScenarioTestController extends Disposable {
  readonly controller = this.register(vscode.tests.createTestController('ucore.scenarios', 'UCore Scenarios'));
  private readonly debounce = new Map<string, NodeJS.Timeout>();

  constructor(private readonly services: ExtensionServices) {
    super();
    const c = this.controller;
    c.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    c.refreshHandler = async () => {
      c.items.replace([]);
      await this.discover();
    };
    c.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => void this.run(request, token, false), true);
    c.createRunProfile('Debug (verbose output)', vscode.TestRunProfileKind.Debug, (request, token) => void this.run(request, token, true), true);
    this.register(vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.scheme === 'file' && /\.events$/i.test(e.document.uri.path)) this.later(e.document.uri, () => this.update(e.document.uri, e.document.getText()));
    }));
    this.register({ dispose: () => { for (const t of this.debounce.values()) clearTimeout(t); } });
  }

  /** Every scenario file of the workspace (bounded). */
  async discover(): Promise<void> {
    const files = await vscode.workspace.findFiles('**/*.events', '**/{node_modules,.git}/**', MAX_FILES);
    for (const uri of files) await this.updateFromDisk(uri);
  }

  /** A file was created or changed on disk. */
  async updateFromDisk(uri: vscode.Uri): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.update(uri, open.getText());
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_FILE_BYTES) return this.remove(uri);
      this.update(uri, Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
    } catch {
      this.remove(uri);
    }
  }

  remove(uri: vscode.Uri): void {
    this.controller.items.delete(uri.toString());
  }

  /** The file's items from its text: none when it has no `### test:` line. */
  update(uri: vscode.Uri, text: string): void {
    if (!hasScenarioTests(text)) return this.remove(uri);
    const parsed = parseEventsFile(text);
    const c = this.controller;
    let fileItem = c.items.get(uri.toString());
    if (!fileItem) {
      fileItem = c.createTestItem(uri.toString(), vscode.workspace.asRelativePath(uri), uri);
      c.items.add(fileItem);
    }
    fileItem.range = new vscode.Range(0, 0, 0, 0);
    fileItem.children.replace(parsed.tests.map((t) => {
      const item = c.createTestItem(`${uri.toString()}#${t.line}`, t.name || `(unnamed, line ${t.line + 1})`, uri);
      item.range = new vscode.Range(t.line, 0, t.line, 0);
      return item;
    }));
  }

  /** Runs the tests of `uri` (every scenario file when not given), as the Run (or Debug) button would. */
  async runFile(uri: vscode.Uri | undefined, verbose = false): Promise<ScenarioRunRecord[]> {
    if (uri) await this.updateFromDisk(uri);
    else await this.discover();
    const include = uri ? [this.controller.items.get(uri.toString())].filter((i): i is vscode.TestItem => i !== undefined) : undefined;
    if (uri && !include?.length) throw new Error(`${vscode.workspace.asRelativePath(uri)} has no "### test:" lines`);
    const source = new vscode.CancellationTokenSource();
    try {
      return await this.run(new vscode.TestRunRequest(include), source.token, verbose);
    } finally {
      source.dispose();
    }
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken, verbose: boolean): Promise<ScenarioRunRecord[]> {
    const run = this.controller.createTestRun(request, verbose ? 'UCore scenarios (verbose)' : 'UCore scenarios');
    const records: ScenarioRunRecord[] = [];
    const out = (line: string) => run.appendOutput(`${line.replace(/\r?\n/g, '\r\n')}\r\n`);
    try {
      const byFile = this.requested(request);
      if (byFile.size === 0) return records;
      const conn = await this.services.requireConnection();
      if (!(await this.services.guard(`run scenario tests on "${conn.name}" (they send events)`, conn))) {
        for (const { items } of byFile.values()) for (const i of items) run.skipped(i);
        return records;
      }
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        for (const [uriText, { fileItem, items }] of byFile) {
          if (token.isCancellationRequested) break;
          const uri = vscode.Uri.parse(uriText);
          const file = vscode.workspace.asRelativePath(uri);
          const parsed = await this.parse(uri);
          const byLine = new Map(items.map((i) => [i.range?.start.line ?? -1, i]));
          const problem = firstProblem(parsed);
          if (problem) {
            const message = new vscode.TestMessage(`${file} cannot run: ${problem.message}`);
            message.location = new vscode.Location(uri, new vscode.Position(problem.line, problem.column));
            for (const i of items) {
              run.errored(i, message);
              records.push({ file: uri.fsPath, name: i.label, line: i.range?.start.line ?? 0, outcome: 'errored', message: message.message.toString(), messageLine: problem.line });
            }
            out(`✗ ${file}:${problem.line + 1}: ${problem.message}`);
            continue;
          }
          for (const i of items) run.enqueued(i);
          out(`${file} on "${conn.name}"`);
          await runScenarios(parsed, conn.transport, {
            signal: abort.signal,
            registry: this.services.registry,
            implicitName: basename(uri.fsPath),
            only: (t) => byLine.has(t.line),
            onTestStart: (t) => {
              const item = byLine.get(t.line);
              if (item) run.started(item);
              if (verbose) out(`▶ ${t.name} (line ${t.line + 1})`);
            },
            onTestEnd: (r) => {
              const item = byLine.get(r.line) ?? fileItem;
              records.push(this.report(run, item, uri, file, r, verbose, out));
            },
          });
        }
      } finally {
        sub.dispose();
      }
    } catch (e) {
      const message = new vscode.TestMessage(describeError(e));
      for (const { items } of this.requested(request).values()) for (const i of items) run.errored(i, message);
      out(`✗ ${describeError(e)}`);
      this.services.log.warn(`scenario run: ${describeError(e)}`);
    } finally {
      run.end();
    }
    return records;
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, uri: vscode.Uri, file: string, r: ScenarioTestResult, verbose: boolean, out: (l: string) => void): ScenarioRunRecord {
    const base = { file: uri.fsPath, name: r.name, line: r.line, durationMs: r.durationMs };
    if (r.passed) {
      run.passed(item, r.durationMs);
      out(`✓ ${r.name} (${r.durationMs} ms)`);
      return { ...base, outcome: 'passed' };
    }
    const f = r.failure!;
    const text = failureText(f);
    const message = new vscode.TestMessage(text);
    message.location = new vscode.Location(uri, new vscode.Position(f.line, 0));
    if (f.expectation) {
      message.expectedOutput = JSON.stringify(f.expectation.object, null, 2);
      message.actualOutput = f.nearest?.length ? f.nearest.map((n) => pretty(n.text)).join('\n\n') : `(nothing arrived on ${f.expectation.kind} ${f.expectation.name})`;
    }
    run.failed(item, message, r.durationMs);
    out(`✗ ${r.name}: ${f.message} (${file}:${f.line + 1})`);
    if (verbose) out(text);
    return { ...base, outcome: 'failed', message: text, messageLine: f.line };
  }

  /** file → its requested test items (a file item stands for all its tests), less the excluded ones. */
  private requested(request: vscode.TestRunRequest): Map<string, { fileItem: vscode.TestItem; items: vscode.TestItem[] }> {
    const out = new Map<string, { fileItem: vscode.TestItem; items: vscode.TestItem[] }>();
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const roots: vscode.TestItem[] = [];
    if (request.include) roots.push(...request.include);
    else this.controller.items.forEach((i) => roots.push(i));
    for (const root of roots) {
      if (excluded.has(root.id) || !root.uri) continue;
      const fileItem = root.parent ?? root;
      const key = root.uri.toString();
      let entry = out.get(key);
      if (!entry) out.set(key, (entry = { fileItem, items: [] }));
      const tests: vscode.TestItem[] = [];
      if (root.parent) tests.push(root);
      else root.children.forEach((c) => tests.push(c));
      for (const t of tests) if (!excluded.has(t.id) && !entry.items.includes(t)) entry.items.push(t);
    }
    return out;
  }

  private async parse(uri: vscode.Uri): Promise<ParsedEventsFile> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    return parseEventsFile(open ? open.getText() : Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
  }

  private later(uri: vscode.Uri, task: () => void): void {
    const key = uri.toString();
    clearTimeout(this.debounce.get(key));
    this.debounce.set(key, setTimeout(() => {
      this.debounce.delete(key);
      task();
    }, 300));
  }
}

/** The first problem that stops a file from running (envelope and schema issues do not: a test may send bad events). */
function firstProblem(parsed: ParsedEventsFile): { line: number; column: number; message: string } | undefined {
  return checkFile(parsed).find((p) => p.severity === 'error' && p.code !== 'envelope' && p.code !== 'schema');
}

/** The failure as the Test Results view shows it: the message, the timing, then the nearest events that came. */
export function failureText(f: ScenarioFailure): string {
  const lines = [f.message];
  if (f.waitedMs !== undefined) lines.push(`Waited ${f.waitedMs} ms; ${f.arrived ?? 0} event${f.arrived === 1 ? '' : 's'} arrived on ${f.expectation ? `${f.expectation.kind} ${f.expectation.name}` : 'it'} during the test.`);
  if (f.expectation) lines.push(`Expected (line ${f.line + 1}): ${clip(JSON.stringify(f.expectation.object), 1000)}`);
  for (const n of f.nearest ?? []) {
    lines.push(`Arrived ${n.offsetMs} ms into the test${n.differing.length ? ` (differs at ${n.differing.join(', ')})` : ''}: ${clip(n.text, 1000)}`);
  }
  return lines.join('\n');
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

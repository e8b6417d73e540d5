// The workspace's contracts: AsyncAPI files found by `ucore.contracts.files` and JSON Schema files bound in
// `ucore.contracts.schemas`, read again when one changes on disk or the settings change, their own problems in the
// Problems panel. Nothing is read, and no contract library is loaded, until the workspace has a contract file.
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { createContractSet, loadContract, MAX_CONTRACT_BYTES, type Contract, type ContractProblem, type ContractSet, type Logger } from '../../core/index';
import type { SchemaBindingSetting, Settings } from '../connections/settings';
import { Disposable, toDisposable } from '../lifecycle';
import { ContractPublishCheck } from './publishCheck';

export const CONTRACT_DIAGNOSTIC_SOURCE = 'ucore-contracts';
const RELOAD_DEBOUNCE_MS = 300;
const MAX_CONTRACT_FILES = 200;
const EXCLUDE = '**/node_modules/**';
/** The first read waits this long after activation, so it never competes with start-up. */
const FIRST_READ_DELAY_MS = 1000;

export class ContractService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires after the contracts were read again. */
  readonly onDidChange = this.changed.event;
  private readonly problems = this.register(vscode.languages.createDiagnosticCollection(CONTRACT_DIAGNOSTIC_SOURCE));
  private set: ContractSet | undefined;
  private readFingerprint = '';
  private readonly uris = new Map<string, vscode.Uri>();
  private loading: Promise<void> | undefined;
  private again = false;
  private running = false;
  private watcher: vscode.FileSystemWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watched = '';
  /** The Publisher's check of every outgoing event against these contracts. */
  readonly publishCheck: ContractPublishCheck;

  constructor(private readonly settings: Settings, private readonly log: Logger) {
    super();
    this.publishCheck = new ContractPublishCheck(this, log);
    this.register(toDisposable(() => { clearTimeout(this.timer); this.watcher?.dispose(); }));
    this.timer = setTimeout(() => { if (!this.loading) void this.reload(); }, FIRST_READ_DELAY_MS);
    this.register(settings.onDidChange(() => {
      const key = this.settingsKey();
      if (key !== this.watched) this.schedule();
    }));
  }

  /** The contracts as last read (undefined before the first read or when the workspace has none). */
  peek(): ContractSet | undefined {
    return this.set;
  }

  /** The contracts, reading them first if they were never read. */
  async current(): Promise<ContractSet | undefined> {
    if (!this.loading) this.reload();
    await this.loading;
    return this.set;
  }

  /**
   * What the last read read: the files, their bindings and texts (a sha256). Equal after a read of unchanged files — the
   * file watcher's late event after an explicit reload, a save without changes — so a consumer that keeps state per
   * set (the live check's counts) can keep it; the set itself is new on every read, as its other callers expect.
   */
  get fingerprint(): string {
    return this.readFingerprint;
  }

  /** The file a contract location names, for opening it. */
  uriOf(file: string): vscode.Uri | undefined {
    return this.uris.get(file);
  }

  /** Reads the contracts again: one read at a time; asked during a read, it reads once more after it. */
  reload(): Promise<void> {
    if (this.running) { this.again = true; return this.loading!; }
    this.running = true;
    this.loading = (async () => {
      do {
        this.again = false;
        try { await this.read(); } catch (e) { this.log.error(`reading contracts failed: ${(e as Error).stack ?? String(e)}`); }
      } while (this.again);
      this.running = false;
    })();
    return this.loading;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
  }

  private settingsKey(): string {
    return JSON.stringify([this.settings.get('contractFiles'), this.settings.get('contractSchemas')]);
  }

  private watch(glob: string): void {
    if (this.watcher && this.watched === this.settingsKey()) return;
    this.watcher?.dispose();
    this.watcher = undefined;
    this.watched = this.settingsKey();
    const globs = [glob, ...this.settings.get('contractSchemas').map((b) => b.file)].filter(Boolean);
    if (!globs.length) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(globs.length === 1 ? globs[0]! : `{${globs.join(',')}}`);
    this.watcher.onDidChange(() => this.schedule());
    this.watcher.onDidCreate(() => this.schedule());
    this.watcher.onDidDelete(() => this.schedule());
  }

  private async read(): Promise<void> {
    const glob = this.settings.get('contractFiles');
    this.watch(glob);
    const files = glob ? await vscode.workspace.findFiles(glob, EXCLUDE, MAX_CONTRACT_FILES) : [];
    const bindings = this.settings.get('contractSchemas');
    const contracts: Contract[] = [];
    const hash = createHash('sha256');
    this.uris.clear();
    for (const uri of files.sort((a, b) => a.toString().localeCompare(b.toString()))) {
      const c = await this.readOne(uri, hash);
      if (c) contracts.push(c);
    }
    for (const b of bindings) {
      const uri = this.resolve(b);
      const c = uri && await this.readOne(uri, hash, b);
      if (c) contracts.push(c);
    }
    const started = performance.now();
    const set = contracts.length ? await createContractSet(contracts) : undefined;
    this.publishProblems(contracts, set);
    this.set = set;
    this.readFingerprint = hash.digest('hex');
    this.log.info(`${contracts.length} contract${contracts.length === 1 ? '' : 's'} read (${contracts.reduce((n, c) => n + c.channels.length, 0)} channels; compiled in ${Math.round(performance.now() - started)} ms)`);
    this.changed.fire();
  }

  private resolve(b: SchemaBindingSetting): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    return /^([a-z]:)?[\\/]/i.test(b.file) ? vscode.Uri.file(b.file) : vscode.Uri.joinPath(folder.uri, b.file);
  }

  private async readOne(uri: vscode.Uri, hash: ReturnType<typeof createHash>, binding?: SchemaBindingSetting): Promise<Contract | undefined> {
    const label = vscode.workspace.asRelativePath(uri);
    this.uris.set(label, uri);
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_CONTRACT_BYTES) {
        this.problems.set(uri, [new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `larger than ${MAX_CONTRACT_BYTES / 1024 / 1024} MiB: not read as a contract`, vscode.DiagnosticSeverity.Warning)]);
        return undefined;
      }
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      hash.update(`${label}\u0000${JSON.stringify(binding ?? null)}\u0000${text.length}\u0000${text}\u0000`);
      return await loadContract(label, text, binding && { channel: binding.channel, kind: binding.kind, eventType: binding.eventType });
    } catch (e) {
      this.log.warn(`cannot read contract ${label}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private publishProblems(contracts: readonly Contract[], set: ContractSet | undefined): void {
    this.problems.clear();
    for (const c of contracts) {
      const uri = this.uris.get(c.file);
      if (!uri) continue;
      const list: ContractProblem[] = [...c.problems];
      for (const ch of c.channels) {
        for (const m of ch.messages) {
          const p = set?.compileProblem(m);
          if (p) list.push({ ...c.locate(m.payloadPointer ?? m.pointer), severity: 'error', message: `the payload schema of "${m.eventType}" cannot be compiled (${p}); it is not checked` });
        }
      }
      this.problems.set(uri, list.map(toDiagnostic));
    }
  }
}

function toDiagnostic(p: ContractProblem): vscode.Diagnostic {
  const at = new vscode.Position(Math.max(0, p.line - 1), Math.max(0, p.column - 1));
  const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  d.source = CONTRACT_DIAGNOSTIC_SOURCE;
  return d;
}

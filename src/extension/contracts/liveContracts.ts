// The workspace's contracts on the live monitor's traffic: while the monitor counts on a connection and the workspace
// has contracts (and `ucore.contracts.live` is on), a LiveContractWatch (core) checks the messages on contract
// channels and the new entries of contract streams, every one up to `ucore.contracts.liveChecksPerSecond` and a
// sample above it. Nothing of it runs per event here: on the monitor's view frames (at most two a second) one
// snapshot feeds the trees' badges and the Problems panel (one entry per broken rule, on the contract file at the
// rule, with its count and last example); the monitor panel reads `snapshot()` for its section and list.
// Violations are forgotten when the monitor stops, the contracts change, or on "Clear Contract Violations".
import * as vscode from 'vscode';
import {
  describeError, LiveContractChecker, LiveContractWatch, type LiveCheckSnapshot, type Logger, type RuleCount, type TargetKind, type Violation,
} from '../../core/index';
import type { Settings } from '../connections/settings';
import { formatPayload, type EventDocumentProvider } from '../documents/eventDocumentProvider';
import type { TargetViolations, ViolationBadges } from '../explorer/violationBadge';
import { Disposable, toDisposable } from '../lifecycle';
import type { LiveMonitor } from '../monitor/liveMonitor';
import type { ContractService } from './contractService';

export const LIVE_DIAGNOSTIC_SOURCE = 'ucore-contracts (live)';
const MAX_DIAGNOSTIC_CHARS = 600;
/**
 * Under steady violating traffic every frame changes the rules' counts: the Problems entries are rewritten (sent to
 * the workbench, the panel and the editors' markers redrawn) at most this often for new counts alone. A rule broken
 * for the first time, a clear, or an explicit refresh shows at once.
 */
const PROBLEMS_COUNTS_EVERY_MS = 3000;

export class LiveContracts extends Disposable implements ViolationBadges {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** The counts per channel or stream changed (or were cleared). */
  readonly onDidChange = this.changed.event;
  private readonly problems = this.register(vscode.languages.createDiagnosticCollection('ucore-contracts-live'));
  private watch: LiveContractWatch | undefined;
  private bound: { monitor: unknown; contracts: string; rate: number } | undefined;
  private byTarget = new Map<string, TargetViolations>();
  private badgeKey = '';
  private rulesKey = '';
  /** Which rules the Problems entries show (without their counts), and when they were last written. */
  private rulesSetKey = '';
  private rulesShownAt = 0;
  private rulesTimer: NodeJS.Timeout | undefined;
  private readonly shownUris = new Map<string, vscode.Uri>();
  private rebinding: Promise<void> = Promise.resolve();

  constructor(
    private readonly monitor: LiveMonitor,
    private readonly contracts: ContractService,
    private readonly settings: Settings,
    private readonly documents: EventDocumentProvider,
    private readonly log: Logger,
  ) {
    super();
    this.register(toDisposable(() => this.unbind()));
    this.register(toDisposable(() => clearTimeout(this.rulesTimer)));
    for (const d of [
      monitor.onDidChangeRunning(() => this.rebind()),
      contracts.onDidChange(() => this.rebind()),
      settings.onDidChange(() => this.rebind()),
      monitor.feed.onViewFrame(() => this.update(false)),
    ]) this.register(d);
    this.rebind();
  }

  /** The checker of the traffic now (undefined while nothing is checked). */
  get checker(): LiveContractChecker | undefined {
    return this.watch?.checker;
  }

  /** Events checked per second before sampling starts (the setting). */
  get maxChecksPerSecond(): number {
    return this.settings.get('contractsLiveChecksPerSecond');
  }

  /** Counts, the share checked and the kept violations as they are now; undefined while nothing is checked. */
  snapshot(): LiveCheckSnapshot | undefined {
    return this.watch?.checker.snapshot();
  }

  /** Events covered, checked and violating so far, without copying the lists (the bench figures read it). */
  totals(): { covered: number; checked: number; violating: number } | undefined {
    return this.watch?.checker.totals();
  }

  /** Waits until the check follows the monitor and the contracts (tests). */
  settled(): Promise<void> {
    return this.rebinding;
  }

  forTarget(kind: TargetKind, name: string): TargetViolations | undefined {
    return this.byTarget.get(`${kind}\u0000${name}`);
  }

  /** Forgets the counts, the list and the Problems entries; checking goes on. */
  clear(): void {
    this.watch?.checker.clear();
    this.publish(undefined);
  }

  /** Takes a snapshot now and updates the trees and the Problems panel (also done on every view frame). */
  refresh(): void {
    this.update(true);
  }

  /** `now`: the Problems entries too, even when only their counts changed since they were last written. */
  private update(now: boolean): void {
    if (!this.watch) return;
    try {
      this.publish(this.watch.checker.snapshot(), now);
    } catch (e) {
      this.log.error(`live contract check: ${describeError(e)}`);
    }
  }

  /** Opens a violation's event (as it travelled) and the contract at the rule it broke. */
  async open(seq: number): Promise<boolean> {
    const v = this.snapshot()?.violations.find((x) => x.seq === seq);
    if (!v) return false;
    // The event beside the panel, then the contract beside it with the cursor on the rule (where the user reads on).
    if (v.payload !== undefined) {
      const { text, json } = formatPayload(v.payload);
      const note = v.payloadTruncated ? '// Only the start of this event was kept (8 KiB).\n' : '';
      const name = `${v.channel} ${v.eventId ?? v.entryId ?? `violation ${v.seq}`}`;
      await this.documents.open(name, note && json ? text : note + text, json, { beside: true });
    }
    const uri = v.schema && this.contracts.uriOf(v.schema.file);
    if (uri && v.schema) {
      const at = new vscode.Position(Math.max(0, v.schema.line - 1), Math.max(0, v.schema.column - 1));
      await vscode.window.showTextDocument(uri, { selection: new vscode.Range(at, at), preview: true, viewColumn: vscode.ViewColumn.Beside });
    }
    return true;
  }

  private rebind(): void {
    this.rebinding = this.rebinding.then(() => this.bind(), () => this.bind());
  }

  private async bind(): Promise<void> {
    // The contracts as last read: the service reads them after start-up (and when they change) and then says so.
    const set = this.settings.get('contractsLive') ? this.contracts.peek() : undefined;
    const rate = this.settings.get('contractsLiveChecksPerSecond');
    const now = this.monitor.running;
    // The same files read again (the watcher's late event after a reload) keep the checker and its counts.
    const contracts = set ? this.contracts.fingerprint : '';
    if (this.bound && this.bound.monitor === now?.monitor && this.bound.contracts === contracts && this.bound.rate === rate) return;
    this.unbind();
    if (!now || !set) return;
    const checker = new LiveContractChecker(set, { maxChecksPerSecond: rate });
    const watch = new LiveContractWatch(now.monitor, now.connection.transport, checker, { logger: this.log });
    this.watch = watch;
    this.bound = { monitor: now.monitor, contracts, rate };
    // Compiled now, a message a turn, rather than by the first events of each type on the monitor's path.
    set.warmUp(() => this.watch !== watch).catch((e: unknown) => this.log.warn(`live contract check: compiling the contracts: ${describeError(e)}`));
    try {
      await watch.start();
      this.log.info(`checking live traffic on "${now.connection.name}" against the contracts (up to ${rate}/s; streams: ${watch.streams.join(', ') || 'none'})`);
    } catch (e) {
      this.log.warn(`live contract check not started: ${describeError(e)}`);
    }
  }

  /** Stops checking; the counts, the list and the Problems entries go with it. */
  private unbind(): void {
    this.watch?.stop();
    this.watch = undefined;
    this.bound = undefined;
    this.publish(undefined);
  }

  private publish(s: LiveCheckSnapshot | undefined, now = true): void {
    const byTarget = new Map<string, { checked: number; violating: number; last?: Violation }>();
    for (const c of s?.counts ?? []) {
      const key = `${c.kind}\u0000${c.channel}`;
      const t = byTarget.get(key) ?? { checked: 0, violating: 0 };
      t.checked += c.checked;
      t.violating += c.violating;
      byTarget.set(key, t);
    }
    for (const v of s?.violations ?? []) {
      const t = byTarget.get(`${v.kind}\u0000${v.channel}`);
      if (t) t.last = v;
    }
    this.byTarget = byTarget;
    // The trees redraw only when what they show changed: which targets violate, and how often.
    const badgeKey = [...byTarget].filter(([, t]) => t.violating > 0).map(([k, t]) => `${k}:${t.violating}`).join('\n');
    if (badgeKey !== this.badgeKey) {
      this.badgeKey = badgeKey;
      this.changed.fire();
    }
    this.showRules(s?.rules ?? [], now);
  }

  /** One Problems entry per broken rule, on the contract file at the rule. */
  private showRules(rules: readonly RuleCount[], now: boolean): void {
    const key = rules.map((r) => `${r.schema.file}:${r.schema.pointer}:${r.count}`).join('\n');
    if (key === this.rulesKey) return;
    const setKey = rules.map((r) => `${r.schema.file}:${r.schema.pointer}`).join('\n');
    const wait = this.rulesShownAt + PROBLEMS_COUNTS_EVERY_MS - Date.now();
    if (!now && setKey === this.rulesSetKey && wait > 0) {
      // Only counts changed, and the entries were written a moment ago: once more when the interval is over.
      this.rulesTimer ??= setTimeout(() => { this.rulesTimer = undefined; this.refresh(); }, wait);
      return;
    }
    clearTimeout(this.rulesTimer);
    this.rulesTimer = undefined;
    this.rulesKey = key;
    this.rulesSetKey = setKey;
    this.rulesShownAt = Date.now();
    const byUri = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const r of rules) {
      const uri = this.contracts.uriOf(r.schema.file);
      if (!uri) continue;
      const entry = byUri.get(uri.toString()) ?? { uri, list: [] };
      entry.list.push(ruleDiagnostic(r));
      byUri.set(uri.toString(), entry);
    }
    // One change per file: the files that no longer have broken rules are emptied, the others replaced.
    for (const [id, uri] of this.shownUris) if (!byUri.has(id)) this.problems.delete(uri);
    this.shownUris.clear();
    for (const [id, { uri }] of byUri) this.shownUris.set(id, uri);
    if (byUri.size) this.problems.set([...byUri.values()].map(({ uri, list }): [vscode.Uri, vscode.Diagnostic[]] => [uri, list]));
  }
}

function ruleDiagnostic(r: RuleCount): vscode.Diagnostic {
  const at = new vscode.Position(Math.max(0, r.schema.line - 1), Math.max(0, r.schema.column - 1));
  const v = r.last;
  const what = `${v.eventType || 'an event'}${v.eventId ? ` ${v.eventId}` : v.entryId ? ` (entry ${v.entryId})` : ''} on ${v.kind === 'stream' ? 'stream ' : ''}${v.channel}`;
  const text = `${r.count} live event${r.count === 1 ? '' : 's'} broke this rule; last at ${new Date(v.time).toLocaleTimeString()}: ${what}, ${v.pointer || '(the event)'} ${v.message}`;
  const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), oneLine(text), vscode.DiagnosticSeverity.Warning);
  d.source = LIVE_DIAGNOSTIC_SOURCE;
  d.code = v.code;
  return d;
}

/** Names and messages come from other apps' events: one line, bounded, no control characters. */
function oneLine(s: string): string {
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > MAX_DIAGNOSTIC_CHARS ? `${flat.slice(0, MAX_DIAGNOSTIC_CHARS - 1)}…` : flat;
}

// Contracts on live traffic: every event on a contract channel or stream is checked up to a rate; above it one in k
// is (k from the last second's rate), and the share checked is reported so nobody mistakes a sample for the whole.
// Counts per channel and event type and the list of recent violations are bounded whatever arrives.
import { isRecord } from './pointer';
import type { ContractCheck, ContractSet } from './contract-set';
import type { TargetKind, EventTarget } from '../target';
import type { SchemaLocation } from './types';
import type { ValidationIssueCode } from '../envelope/issues';

export interface LiveCheckerOptions {
  /** Events checked per second before sampling starts. @default 5000 */
  readonly maxChecksPerSecond?: number;
  /**
   * Milliseconds of checking per second at most, whatever the count: a contract whose schemas are slow to check, or
   * a loaded machine, samples sooner instead of slowing the monitor down. @default 100 (a tenth of one core); no
   * limit when maxChecksPerSecond is infinite
   */
  readonly maxCheckMsPerSecond?: number;
  /** Violations kept (the newest). @default 500 */
  readonly maxViolations?: number;
  /** Rows per event in the violations list (one event can break many rules). @default 5 */
  readonly maxRowsPerEvent?: number;
  /** Distinct channel × event type counters; the rest are counted under "(other)". @default 2000 */
  readonly maxCounters?: number;
  /** Characters of a violating event's text kept with its violations (to open it later). @default 8192 */
  readonly maxPayloadChars?: number;
  readonly now?: () => number;
}

export interface Violation {
  /** Increases by one per violation kept since the checker was created: names a row of the list. */
  readonly seq: number;
  readonly time: number;
  readonly kind: TargetKind;
  readonly channel: string;
  readonly eventType: string;
  readonly eventId?: string;
  /** The stream entry's id, for events read from a stream. */
  readonly entryId?: string;
  /** The event's text as it travelled (clipped to maxPayloadChars; shared by the rows of one event). */
  readonly payload?: string;
  readonly payloadTruncated?: boolean;
  /** JSON pointer into the event ("/data/items/0/quantity"); '' is the event as a whole. */
  readonly pointer: string;
  readonly path: ReadonlyArray<string | number>;
  readonly code: ValidationIssueCode;
  readonly message: string;
  readonly schema?: SchemaLocation;
}

export interface ChannelTypeCount {
  readonly kind: TargetKind;
  readonly channel: string;
  readonly eventType: string;
  checked: number;
  violating: number;
}

/** A rule of a contract broken by live events: how often, and the last violation of it. */
export interface RuleCount {
  readonly schema: SchemaLocation;
  count: number;
  last: Violation;
}

export interface LiveCheckSnapshot {
  /** Events on contract channels, checked or not. */
  readonly covered: number;
  readonly checked: number;
  readonly violating: number;
  /** checked / covered (1 when every event was checked). */
  readonly sampledShare: number;
  readonly counts: readonly ChannelTypeCount[];
  /** Oldest first. */
  readonly violations: readonly Violation[];
  /** Rules broken (by file and pointer), counted over every violation, not only the kept ones. */
  readonly rules: readonly RuleCount[];
}

const OTHER = '(other)';

/** What the caller knows of an offered event besides its content. */
export interface OfferedEvent {
  readonly eventId?: string;
  readonly entryId?: string;
  /** The event's text, when `event` was given parsed (kept with its violations). */
  readonly text?: string;
}

export function pointerOf(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const s of path) {
    const seg = String(s);
    out += seg.includes('~') || seg.includes('/') ? `/${seg.replace(/~/g, '~0').replace(/\//g, '~1')}` : `/${seg}`;
  }
  return out;
}

export class LiveContractChecker {
  private readonly opts: Required<LiveCheckerOptions>;
  /** The current second: events seen and checked in it, and the sampling stride set from the one before. */
  private readonly window = { second: -1, seen: 0, checked: 0, stride: 1, spentMs: 0, budgetHit: false };
  private readonly sums = { covered: 0, checked: 0, violating: 0 };
  /** Per kind, channel → event type → count: looked up per checked event without building a key string. */
  private readonly counts: Record<TargetKind, Map<string, Map<string, ChannelTypeCount>>> = { channel: new Map(), shard: new Map(), stream: new Map() };
  /** The same counts in the order they were first seen (the snapshot's order), and per kind the "(other)" one. */
  private readonly countList: ChannelTypeCount[] = [];
  private readonly others: Partial<Record<TargetKind, ChannelTypeCount>> = {};
  private readonly rules = new Map<string, RuleCount>();
  private readonly ring: Violation[] = [];
  private ringStart = 0;
  private seq = 0;

  constructor(readonly contracts: ContractSet, options: LiveCheckerOptions = {}) {
    // Asked to check every event (the CLI), it checks every event: no time budget unless one is given.
    const everything = options.maxChecksPerSecond === Number.POSITIVE_INFINITY;
    this.opts = {
      maxChecksPerSecond: 5000, maxCheckMsPerSecond: everything ? Number.POSITIVE_INFINITY : 100, maxViolations: 500, maxRowsPerEvent: 5,
      maxCounters: 2000, maxPayloadChars: 8192, now: Date.now, ...options,
    };
  }

  /** Violations kept since the checker was created (the newest's seq). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Whether any contract speaks about `target` (cheap, cached): callers skip everything else. */
  covers(target: EventTarget): boolean {
    return this.contracts.channelsFor(target).length > 0;
  }

  /**
   * Offers one event seen on `target` (its JSON text, or already parsed). Returns the check when it was checked,
   * undefined when no contract covers the target or the event fell outside the sample.
   */
  offer(target: EventTarget, event: string | { parsed: unknown }, eventId?: string, about: OfferedEvent = {}): ContractCheck | undefined {
    if (!this.covers(target)) return undefined;
    const time = this.opts.now();
    const sec = Math.floor(time / 1000);
    const w = this.window;
    if (sec !== w.second) {
      // The stride for this second follows the last one: at 3× the budget, one event in three. When the time budget
      // ran out last second, what it allowed then is the budget now.
      const budget = w.budgetHit ? Math.min(this.opts.maxChecksPerSecond, Math.max(1, w.checked)) : this.opts.maxChecksPerSecond;
      w.stride = w.second === sec - 1 ? Math.max(1, Math.ceil(w.seen / budget)) : 1;
      w.second = sec;
      w.seen = 0;
      w.checked = 0;
      w.spentMs = 0;
      w.budgetHit = false;
    }
    this.sums.covered++;
    if (w.seen++ % w.stride !== 0 || w.checked >= this.opts.maxChecksPerSecond) return undefined;
    if (w.spentMs >= this.opts.maxCheckMsPerSecond) { w.budgetHit = true; return undefined; }
    w.checked++;
    this.sums.checked++;
    const started = performance.now();
    const result = typeof event === 'string' ? this.contracts.checkText(target, event) : this.contracts.check(target, event.parsed);
    w.spentMs += performance.now() - started;
    const counter = this.counter(target, result.eventType);
    counter.checked++;
    if (result.issues.length) {
      this.sums.violating++;
      counter.violating++;
      const id = eventId ?? about.eventId ?? eventIdOf(typeof event === 'string' ? undefined : event.parsed, event);
      const text = typeof event === 'string' ? event : about.text;
      const max = this.opts.maxPayloadChars;
      const payload = text === undefined || text.length <= max ? text : text.slice(0, max);
      const payloadTruncated = text === undefined ? undefined : text.length > max;
      const rows = Math.min(result.issues.length, this.opts.maxRowsPerEvent);
      for (let i = 0; i < rows; i++) {
        const issue = result.issues[i]!;
        const v: Violation = {
          seq: ++this.seq, time, kind: target.kind, channel: target.name, eventType: result.eventType, eventId: id,
          pointer: pointerOf(issue.path), path: issue.path, code: issue.code, message: issue.message, schema: issue.schema,
          entryId: about.entryId, payload, payloadTruncated,
        };
        this.push(v);
        if (issue.schema) this.countRule(issue.schema, v);
      }
    }
    return result;
  }

  /** Counts `n` events on `target` that were not offered (too big to parse, or read past to keep up): sampled out. */
  pass(target: EventTarget, n = 1): void {
    if (n > 0 && this.covers(target)) this.sums.covered += n;
  }

  /** Forgets counts and violations (the seq keeps increasing). */
  clear(): void {
    this.sums.covered = this.sums.checked = this.sums.violating = 0;
    for (const m of Object.values(this.counts)) m.clear();
    this.countList.length = 0;
    for (const k of Object.keys(this.others) as TargetKind[]) delete this.others[k];
    this.rules.clear();
    this.ring.length = 0;
    this.ringStart = 0;
  }

  /** The counts of the snapshot alone (nothing copied). */
  totals(): { covered: number; checked: number; violating: number } {
    const { covered, checked, violating } = this.sums;
    return { covered, checked, violating };
  }

  snapshot(): LiveCheckSnapshot {
    const { covered, checked, violating } = this.sums;
    return {
      covered, checked, violating,
      sampledShare: covered ? checked / covered : 1,
      counts: this.countList.map((c) => ({ ...c })),
      violations: [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)],
      rules: [...this.rules.values()].map((r) => ({ ...r })),
    };
  }

  /** Per rule broken; as many rules as counters at most (a contract has far fewer; the rest are not counted). */
  private countRule(schema: SchemaLocation, v: Violation): void {
    const key = `${schema.file}\u0000${schema.pointer}`;
    const r = this.rules.get(key);
    if (r) { r.count++; r.last = v; return; }
    if (this.rules.size < this.opts.maxCounters) this.rules.set(key, { schema, count: 1, last: v });
  }

  private counter(target: EventTarget, eventType: string): ChannelTypeCount {
    const byChannel = this.counts[target.kind];
    let byType = byChannel.get(target.name);
    const c = byType?.get(eventType);
    if (c) return c;
    if (this.countList.length >= this.opts.maxCounters) {
      // Full: the rest of this kind counts under one "(other)" row (which takes a place of its own, as it always did).
      let other = this.others[target.kind];
      if (!other) {
        other = { kind: target.kind, channel: OTHER, eventType: OTHER, checked: 0, violating: 0 };
        this.others[target.kind] = other;
        this.countList.push(other);
      }
      return other;
    }
    if (!byType) byChannel.set(target.name, (byType = new Map()));
    const created: ChannelTypeCount = { kind: target.kind, channel: target.name, eventType, checked: 0, violating: 0 };
    byType.set(eventType, created);
    this.countList.push(created);
    return created;
  }

  private push(v: Violation): void {
    if (this.ring.length < this.opts.maxViolations) { this.ring.push(v); return; }
    this.ring[this.ringStart] = v;
    this.ringStart = (this.ringStart + 1) % this.opts.maxViolations;
  }
}

function eventIdOf(parsed: unknown, raw: string | { parsed: unknown }): string | undefined {
  let ev = parsed;
  if (ev === undefined && typeof raw === 'string' && raw.length < 1_000_000) {
    try { ev = JSON.parse(raw); } catch { return undefined; }
  }
  return isRecord(ev) && typeof ev.event_id === 'string' ? ev.event_id.slice(0, 200) : undefined;
}


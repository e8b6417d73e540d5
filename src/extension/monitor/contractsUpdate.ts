// The monitor panel's part of the live contract check, built per update: totals and the share checked, counts per
// channel and event type (violating rows first), and the violations since the previous update as deltas (the page
// keeps a bounded list), every name and message clipped.
import type { LiveCheckSnapshot, Violation } from '../../core/index';
// The limits only: monitorProtocol.ts builds the zod schemas, ~6 ms when the bundle loads (issue 13: activation).
import { clip, MAX_CONTRACT_ROWS, MAX_NAME_CHARS, MAX_VIOLATION_TEXT, MAX_VIOLATIONS_PER_UPDATE } from '../../shared/monitorLimits';
import type { ContractRow, ContractsView, ViolationRow } from '../../shared/monitorProtocol';

/** What the panel reads of the live check (LiveContracts in the extension). */
export interface LiveContractsSource {
  snapshot(): LiveCheckSnapshot | undefined;
  /** Events checked per second before sampling starts. */
  readonly maxChecksPerSecond: number;
}

export class ContractsUpdate {
  /** The seq of the last violation sent. */
  private cursor = 0;

  constructor(private readonly source: LiveContractsSource) {}

  /** The page starts over: it gets the newest kept violations again with the next update. */
  restart(): void {
    this.cursor = 0;
  }

  build(): ContractsView | null {
    const s = this.source.snapshot();
    if (!s) return null;
    const newest = s.violations.at(-1)?.seq ?? 0;
    if (newest < this.cursor) this.cursor = 0; // another checker (contracts or connection changed)
    const fresh = s.violations.filter((v) => v.seq > this.cursor);
    const sent = fresh.slice(-MAX_VIOLATIONS_PER_UPDATE);
    const firstKept = s.violations[0]?.seq ?? newest + 1;
    // Violations that came and went from the checker's ring between two updates are not listed either.
    const missed = Math.max(0, firstKept - this.cursor - 1) * Number(this.cursor > 0);
    this.cursor = Math.max(this.cursor, newest);
    const rows = [...s.counts].sort((a, b) => b.violating - a.violating || b.checked - a.checked).slice(0, MAX_CONTRACT_ROWS);
    return {
      covered: s.covered,
      checked: s.checked,
      violating: s.violating,
      sampledShare: Math.min(1, Math.max(0, s.sampledShare)),
      maxChecksPerSecond: this.source.maxChecksPerSecond,
      rows: rows.map((c): ContractRow => ({ kind: c.kind, channel: clip(c.channel, MAX_NAME_CHARS), type: clip(c.eventType, MAX_NAME_CHARS), checked: c.checked, violating: c.violating })),
      violations: sent.map(violationRow),
      skipped: fresh.length - sent.length + missed,
    };
  }
}

function violationRow(v: Violation): ViolationRow {
  return {
    seq: v.seq,
    time: v.time,
    kind: v.kind,
    channel: clip(v.channel, MAX_NAME_CHARS),
    type: clip(v.eventType, MAX_NAME_CHARS),
    eventId: v.eventId === undefined ? (v.entryId === undefined ? null : clip(`entry ${v.entryId}`, MAX_NAME_CHARS)) : clip(v.eventId, MAX_NAME_CHARS),
    pointer: clip(v.pointer, MAX_VIOLATION_TEXT),
    message: clip(v.message, MAX_VIOLATION_TEXT),
    rule: v.schema ? clip(`${v.schema.file}:${v.schema.line}:${v.schema.column}`, MAX_VIOLATION_TEXT) : null,
  };
}

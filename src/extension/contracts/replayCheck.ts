// Replay and contracts: the events a replay would send to a contract channel or stream are checked on the way (in
// the dry run, or a dry pass before a scripted replay), and a batch with violations is sent only after one answer
// for the whole batch (publishCheck.batchPrompt) — never silently, on production never by pressing Enter.
import type { ContractSet, EventTarget } from '../../core/index';
import type { BatchViolations } from './publishCheck';
import type { ContractService } from './contractService';

export class ReplayViolations {
  total = 0;
  violating = 0;
  first: { check: BatchViolations['first']; id: string } | undefined;

  constructor(private readonly set: ContractSet, readonly target: EventTarget) {}

  /** ReplayOptions.inspect: each matched event's stored text. */
  readonly inspect = (raw: string, id: string): void => {
    this.total++;
    const r = this.set.checkText(this.target, raw);
    if (r.issues.length) {
      this.violating++;
      this.first ??= { check: r, id };
    }
  };

  /** " 3 of them break the contract for channel orders." or '' */
  describe(): string {
    return this.violating ? ` ${this.violating} of them break the contract for ${this.target.kind} ${this.target.name}.` : '';
  }
}

/** A counter for a replay to `target`, or undefined when no workspace contract speaks about it. */
export async function replayViolationsFor(contracts: ContractService, target: EventTarget): Promise<ReplayViolations | undefined> {
  const set = await contracts.current();
  if (!set || set.channelsFor({ kind: target.kind, name: target.name }).length === 0) return undefined;
  return new ReplayViolations(set, { kind: target.kind, name: target.name });
}

/** Asks once when the batch has violations; true when the replay may go on. */
export async function mayReplay(contracts: ContractService, v: ReplayViolations | undefined, connection: { name: string; production?: boolean }): Promise<boolean> {
  if (!v?.violating || !v.first) return true;
  const answer = await contracts.publishCheck.batchPrompt({ target: v.target, connection, total: v.total, violating: v.violating, first: v.first.check, firstId: v.first.id });
  return answer === 'send';
}

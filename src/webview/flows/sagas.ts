// The Sagas section of the flow map: one row per saga run (stuck and failed first, as the host sorts them) with its
// status, each step with its state and the time since the step before, the compensations taken in order, and how
// long the run has been idle. A status picker narrows the list. Text only (ids and step names are other people's).
import type { FlowsData } from '../../shared/flowsProtocol';
import { duration } from './graph';

type Run = FlowsData['sagas'][number];
type RowFn = (cells: string[], onClick?: () => void, dataset?: Record<string, string>) => HTMLTableRowElement;

export const SAGA_STATUSES = ['running', 'compensating', 'completed', 'compensated', 'failed'] as const;

/** `filter`: '' for all, 'stuck', or a status. */
export function sagaRows(runs: Run[], filter: string, row: RowFn): HTMLTableRowElement[] {
  const shown = runs.filter((r) => filter === '' || (filter === 'stuck' ? r.stuck : r.status === filter));
  const head = row(['run', 'status', 'steps (time since the step before)', 'compensations', 'idle']);
  if (!runs.length) return [head, row(['no saga runs found (checkpoints saga:*, or a saga_events stream)'])];
  if (!shown.length) return [head, row([`none ${filter === 'stuck' ? 'stuck' : `with status ${filter}`} of ${runs.length} runs`])];
  return [head, ...shown.map((r) => {
    const status = `${r.status}${r.stuck ? ' (stuck)' : ''}${r.failedStep ? ` at ${r.failedStep}` : ''}${r.error ? `: ${r.error}` : ''}`;
    const steps = r.steps.map((s) => `${s.name} ${s.state}${s.sincePreviousMs === null ? '' : ` +${duration(s.sincePreviousMs)}`}`).join(' → ') || '-';
    const tr = row([r.id, status, steps, r.compensations.join(' → ') || '-', r.idleMs === null ? '?' : duration(r.idleMs)], undefined, { saga: r.id, status: r.status });
    if (r.stuck || r.status === 'failed') tr.classList.add('attention');
    return tr;
  })];
}

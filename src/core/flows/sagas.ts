// Saga runs as Redis shows them: our core's checkpoint hashes (`saga:{id}`: status and each step's state), the
// guide's checkpoint strings (`saga:{id}:checkpoint`: the last completed step), and saga events
// ({saga_id, step, status, timestamp} on `saga_events`, live, or in a `saga_events` stream where someone keeps
// them), which add the time of each step. Each run gets one status; running ones idle too long are marked stuck.
import { parseJson } from '../envelope/envelope';
import { AbortedError } from '../errors';
import { parseCheckpoint } from '../saga/checkpoint';
import { SAGA_CHANNEL } from '../saga/events';
import { parseIsoMicros } from '../store/time-range';
import type { Transport } from '../transport/types';
import { clip } from './entity-key';

export type SagaRunStatus = 'running' | 'compensating' | 'completed' | 'compensated' | 'failed';
export type SagaStepState = 'completed' | 'failed' | 'compensated' | 'compensation_failed';

export interface SagaStepRun {
  name: string;
  state: SagaStepState;
  /** When the saga event for it came (ms); unknown from a checkpoint alone. */
  at?: number;
  sincePreviousMs?: number;
}

export interface SagaRun {
  sagaId: string;
  status: SagaRunStatus;
  steps: SagaStepRun[];
  /** Steps compensated, in the order they were. */
  compensations: string[];
  failedStep?: string;
  error?: string;
  /** Last activity seen (ms): the checkpoint's updated_at or the newest saga event. */
  updatedAt?: number;
  stuck: boolean;
  /** What the run was read from. */
  seenIn: Array<'checkpoint' | 'guide-checkpoint' | 'events'>;
}

export interface SagaOptions {
  /** @default 'saga:' */
  keyPrefix?: string;
  /** Runs remembered at most (the least recently seen forgotten first). @default 10000 */
  maxRuns?: number;
  /** A running saga idle longer than this is stuck. @default 300000 (5 min) */
  stuckAfterMs?: number;
}

const MAX_STEPS = 100;

interface RunState {
  status: SagaRunStatus | null;
  steps: Map<string, SagaStepRun>;
  compensations: string[];
  failedStep?: string;
  error?: string;
  updatedAt?: number;
  seenIn: Set<SagaRun['seenIn'][number]>;
  /** The final word from an event (saga_completed / saga_compensated), which no step event overrides. */
  finished: boolean;
}

export class SagaCollector {
  private readonly runs = new Map<string, RunState>();
  private readonly maxRuns: number;
  malformed = 0;

  constructor(private readonly options: SagaOptions = {}) {
    this.maxRuns = options.maxRuns ?? 10_000;
  }

  /** One saga event (the guide's shape); anything else is counted as malformed. */
  addEvent(value: unknown, receivedAt = Date.now()): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) { this.malformed++; return; }
    const e = value as Record<string, unknown>;
    if (typeof e.saga_id !== 'string' && typeof e.saga_id !== 'number') { this.malformed++; return; }
    const step = typeof e.step === 'string' ? clip(e.step) : '';
    const status = typeof e.status === 'string' ? e.status : '';
    const micros = parseIsoMicros(e.timestamp);
    const at = micros === null ? receivedAt : micros / 1000;
    const run = this.run(clip(String(e.saga_id)));
    run.seenIn.add('events');
    run.updatedAt = Math.max(run.updatedAt ?? 0, at);
    const setStep = (state: SagaStepState) => {
      if (!step) return;
      if (!run.steps.has(step) && run.steps.size >= MAX_STEPS) return;
      run.steps.set(step, { name: step, state, at });
    };
    switch (status) {
      case 'step_completed': setStep('completed'); if (!run.finished && run.status !== 'compensating') run.status = 'running'; break;
      case 'step_failed': setStep('failed'); run.failedStep = step || run.failedStep; if (!run.finished) run.status = 'compensating'; break;
      case 'step_compensated':
        setStep('compensated');
        if (step && !run.compensations.includes(step) && run.compensations.length < MAX_STEPS) run.compensations.push(step);
        if (!run.finished) run.status = 'compensating';
        break;
      case 'compensation_failed': setStep('compensation_failed'); run.status = 'failed'; run.finished = true; break;
      case 'saga_completed': run.status = 'completed'; run.finished = true; break;
      case 'saga_compensated': run.status = 'compensated'; run.finished = true; if (step) run.failedStep = step; break;
      default: if (!run.status) run.status = 'running';
    }
  }

  /** Our core's checkpoint hash: its status is the authority on where the run stands. */
  addCheckpoint(sagaId: string, hash: Record<string, string>): void {
    const cp = parseCheckpoint(hash);
    if (!cp) return;
    const run = this.run(clip(sagaId));
    run.seenIn.add('checkpoint');
    run.status = cp.status === 'compensation_failed' ? 'failed' : cp.status;
    run.finished = cp.status === 'completed' || cp.status === 'compensated' || cp.status === 'compensation_failed';
    const compensated: string[] = [];
    for (const [name, state] of cp.steps) {
      const seen = run.steps.get(name);
      if (seen) seen.state = state;
      else if (run.steps.size < MAX_STEPS) run.steps.set(clip(name), { name: clip(name), state });
      if (state === 'compensated' && !run.compensations.includes(name)) compensated.push(clip(name));
    }
    // Compensations run newest step first; the hash lists steps in the order they were first written.
    run.compensations.push(...compensated.reverse().slice(0, MAX_STEPS));
    if (cp.failedStep) run.failedStep = clip(cp.failedStep);
    if (cp.error) run.error = clip(cp.error, 500);
    const updated = parseIsoMicros(cp.updatedAt);
    if (updated !== null) run.updatedAt = Math.max(run.updatedAt ?? 0, updated / 1000);
  }

  /** The guide's checkpoint string: `{"step": name, "index": i}` after each completed step, never a final status. */
  addGuideCheckpoint(sagaId: string, text: string): void {
    const j = parseJson(text.slice(0, 10_000));
    if (!j.ok || typeof j.value !== 'object' || j.value === null) { this.malformed++; return; }
    const step = (j.value as Record<string, unknown>).step;
    const run = this.run(clip(sagaId));
    run.seenIn.add('guide-checkpoint');
    if (typeof step === 'string' && step && !run.steps.has(step) && run.steps.size < MAX_STEPS) run.steps.set(clip(step), { name: clip(step), state: 'completed' });
    if (!run.status) run.status = 'running';
  }

  list(now = Date.now()): SagaRun[] {
    const stuckAfter = this.options.stuckAfterMs ?? 300_000;
    const out: SagaRun[] = [];
    for (const [sagaId, r] of this.runs) {
      const status = r.status ?? 'running';
      const steps = [...r.steps.values()].sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
      let prev: number | undefined;
      for (const s of steps) {
        if (s.at !== undefined && prev !== undefined) s.sincePreviousMs = Math.max(0, Math.round(s.at - prev));
        if (s.at !== undefined) prev = s.at;
      }
      const active = status === 'running' || status === 'compensating';
      const run: SagaRun = {
        sagaId, status, steps, compensations: [...r.compensations],
        stuck: active && r.updatedAt !== undefined && now - r.updatedAt > stuckAfter,
        seenIn: [...r.seenIn],
      };
      if (r.failedStep) run.failedStep = r.failedStep;
      if (r.error) run.error = r.error;
      if (r.updatedAt !== undefined) run.updatedAt = r.updatedAt;
      out.push(run);
    }
    // Stuck and failed first, then the most recently active.
    const rank = (s: SagaRun) => (s.stuck ? 0 : s.status === 'failed' ? 1 : 2);
    return out.sort((a, b) => rank(a) - rank(b) || (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
  }

  private run(sagaId: string): RunState {
    let r = this.runs.get(sagaId);
    if (r) {
      this.runs.delete(sagaId);
      this.runs.set(sagaId, r);
      return r;
    }
    r = { status: null, steps: new Map(), compensations: [], seenIn: new Set(), finished: false };
    this.runs.set(sagaId, r);
    if (this.runs.size > this.maxRuns) this.runs.delete(this.runs.keys().next().value!);
    return r;
  }
}

export interface ReadSagasOptions extends SagaOptions {
  /** Checkpoint keys read at most. @default 10000 */
  maxKeys?: number;
  /** Newest entries read from a `saga_events` stream, if there is one. @default 10000 */
  maxStreamEntries?: number;
  signal?: AbortSignal;
}

/** Reads every checkpoint (SCAN MATCH, never KEYS) and a `saga_events` stream if one exists, into the collector. */
export async function readSagas(transport: Transport, collector: SagaCollector, options: ReadSagasOptions = {}): Promise<void> {
  const prefix = options.keyPrefix ?? 'saga:';
  const maxKeys = options.maxKeys ?? 10_000;
  const glob = `${escapeGlob(prefix)}*`;
  let read = 0;
  for (const type of ['hash', 'string'] as const) {
    let cursor = '0';
    do {
      if (options.signal?.aborted) throw new AbortedError('reading sagas was cancelled');
      const r = await transport.scan(cursor, { match: glob, type, count: 1000 });
      cursor = r.cursor;
      for (const key of r.keys) {
        if (read++ >= maxKeys) return;
        const rest = key.slice(prefix.length);
        if (type === 'hash') collector.addCheckpoint(rest, await transport.hgetall(key));
        else if (rest.endsWith(':checkpoint')) {
          const text = await transport.get(key);
          if (text !== null) collector.addGuideCheckpoint(rest.slice(0, -':checkpoint'.length), text);
        }
      }
    } while (cursor !== '0');
  }
  if ((await transport.type(SAGA_CHANNEL)) === 'stream') {
    const entries = await transport.xrevrange(SAGA_CHANNEL, '+', '-', options.maxStreamEntries ?? 10_000);
    for (const e of entries.reverse()) {
      const text = e.fields.event ?? e.fields.data;
      const j = typeof text === 'string' ? parseJson(text) : null;
      if (j?.ok) collector.addEvent(j.value, Number(e.id.split('-')[0]));
      else collector.malformed++;
    }
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

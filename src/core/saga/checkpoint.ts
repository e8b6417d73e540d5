// A saga's progress in one Redis hash, `saga:{id}`: the saga's status, one field per step (`step:<name>`) and the
// time of the last change. Written before each saga event is published, so whoever resumes the saga after a crash
// knows exactly which steps took effect.
import type { Transport } from '../transport/types';

export type SagaStatus = 'running' | 'compensating' | 'completed' | 'compensated' | 'compensation_failed';
export type SagaStepState = 'completed' | 'compensated' | 'failed';

export interface SagaCheckpointData {
  status: SagaStatus;
  /** Step name → state, for the steps that reached one. */
  steps: Map<string, SagaStepState>;
  failedStep?: string;
  error?: string;
  updatedAt?: string;
}

const STEP_PREFIX = 'step:';
const STATUSES: ReadonlySet<string> = new Set(['running', 'compensating', 'completed', 'compensated', 'compensation_failed']);
const STEP_STATES: ReadonlySet<string> = new Set(['completed', 'compensated', 'failed']);

export class SagaCheckpoint {
  constructor(
    private readonly transport: Transport,
    readonly key: string,
    private readonly ttlSeconds: number,
  ) {}

  /** null when the saga never ran (or its checkpoint expired). */
  async read(): Promise<SagaCheckpointData | null> {
    return parseCheckpoint(await this.transport.hgetall(this.key));
  }

  /** Writes the fields with `updated_at`; `refreshTtl` (re)starts the expiry, on the first and the final write. */
  async write(fields: Record<string, string>, refreshTtl = false): Promise<void> {
    await this.transport.hset(this.key, { ...fields, updated_at: new Date().toISOString() });
    if (refreshTtl && this.ttlSeconds > 0) await this.transport.expire(this.key, this.ttlSeconds);
  }
}

export function stepField(name: string): string {
  return STEP_PREFIX + name;
}

/** A hash someone else may have written: unknown statuses read as `running` (resume), unknown step states are ignored. */
export function parseCheckpoint(hash: Record<string, string>): SagaCheckpointData | null {
  const keys = Object.keys(hash);
  if (keys.length === 0) return null;
  const status = STATUSES.has(hash.status ?? '') ? (hash.status as SagaStatus) : 'running';
  const steps = new Map<string, SagaStepState>();
  for (const k of keys) {
    if (!k.startsWith(STEP_PREFIX)) continue;
    const state = hash[k];
    if (STEP_STATES.has(state)) steps.set(k.slice(STEP_PREFIX.length), state as SagaStepState);
  }
  const data: SagaCheckpointData = { status, steps };
  if (hash.failed_step) data.failedStep = hash.failed_step;
  if (hash.error) data.error = hash.error;
  if (hash.updated_at) data.updatedAt = hash.updated_at;
  return data;
}

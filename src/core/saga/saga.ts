// The guide's Saga with what it lacks: every transition is checkpointed in Redis (`saga:{id}`) before its saga event
// is published, so a saga interrupted by a crash can be executed again under the same id and carries on where it
// stopped — completed steps are not run twice, an interrupted compensation is finished.
//
// Actions and compensations run at least once, not exactly once: a crash after an action took effect but before its
// checkpoint was written runs that action again on resume. Make them idempotent (e.g. keyed by the saga id).
import { AbortedError, BadInputError, describeError } from '../errors';
import { type Logger, scopedLogger, silentLogger } from '../logger';
import type { Transport } from '../transport/types';
import { SagaCheckpoint, stepField, type SagaCheckpointData, type SagaStepState } from './checkpoint';
import { SAGA_CHANNEL, sagaEvent, type SagaEventStatus } from './events';

export interface SagaStep {
  name: string;
  action: () => Promise<void>;
  compensation: () => Promise<void>;
}

export interface SagaResult {
  sagaId: string;
  status: 'completed' | 'compensated' | 'compensation_failed';
  failedStep?: string;
  error?: string;
  /** Steps whose compensation has run, in the order it ran (reverse step order). */
  compensated: string[];
}

export interface SagaOptions {
  /** @default 'saga_events' */
  channel?: string;
  /** @default 'saga:' */
  keyPrefix?: string;
  /** The checkpoint hash expires this long after the saga started and again after it ended. 0: never. @default 7 days */
  checkpointTtlSeconds?: number;
  logger?: Logger;
}

export interface SagaExecuteOptions {
  /**
   * Stops the saga between steps (or when a step fails because of it) with AbortedError, leaving the checkpoint as
   * it is, like a crash would: executing a saga with the same id later resumes it.
   */
  signal?: AbortSignal;
}

const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;
const MAX_NAME = 200;
/** The error goes into the checkpoint hash; a whole response body does not belong there. */
const MAX_ERROR_CHARS = 2000;

export class Saga {
  private readonly steps: SagaStep[] = [];
  private readonly checkpoint: SagaCheckpoint;
  private readonly channel: string;
  private readonly log: Logger;
  private executing = false;

  constructor(private readonly transport: Transport, readonly sagaId: string, options: SagaOptions = {}) {
    checkName('saga id', sagaId);
    this.channel = options.channel ?? SAGA_CHANNEL;
    const ttl = options.checkpointTtlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 0) throw new BadInputError(`checkpointTtlSeconds must be a whole number ≥ 0, not ${ttl}`);
    this.checkpoint = new SagaCheckpoint(transport, Saga.key(sagaId, options), ttl);
    this.log = scopedLogger(options.logger ?? silentLogger, 'saga');
  }

  /** The checkpoint hash's key: `saga:{id}`. */
  static key(sagaId: string, options: Pick<SagaOptions, 'keyPrefix'> = {}): string {
    return (options.keyPrefix ?? 'saga:') + sagaId;
  }

  /** The saga's checkpoint, or null when it never ran (or expired). */
  static async status(transport: Transport, sagaId: string, options: Pick<SagaOptions, 'keyPrefix'> = {}): Promise<{ status: string; steps: Record<string, string> } | null> {
    const cp = await new SagaCheckpoint(transport, Saga.key(sagaId, options), 0).read();
    if (!cp) return null;
    const steps: Record<string, string> = Object.create(null);
    for (const [name, state] of cp.steps) steps[name] = state;
    return { status: cp.status, steps };
  }

  addStep(name: string, action: () => Promise<void>, compensation: () => Promise<void>): this {
    checkName('step name', name);
    if (typeof action !== 'function' || typeof compensation !== 'function') throw new BadInputError(`step ${name} needs an action and a compensation`);
    if (this.steps.some((s) => s.name === name)) throw new BadInputError(`the saga already has a step named ${name}`);
    if (this.executing) throw new BadInputError('steps cannot be added while the saga executes');
    this.steps.push({ name, action, compensation });
    return this;
  }

  /**
   * Runs the steps in order; when one fails, runs the compensations of the completed steps in reverse order.
   * Resumes from the checkpoint when the saga ran before; a finished saga is not run again.
   * Rejects only when Redis fails (the checkpoint cannot be trusted then) or when cancelled.
   */
  async execute(options: SagaExecuteOptions = {}): Promise<SagaResult> {
    if (this.executing) throw new BadInputError(`saga ${this.sagaId} is already executing`);
    this.executing = true;
    try {
      const cp = await this.checkpoint.read();
      const states = new Map<string, SagaStepState>();
      for (const s of this.steps) {
        const state = cp?.steps.get(s.name);
        if (state) states.set(s.name, state);
      }
      switch (cp?.status) {
        case 'completed':
          return { sagaId: this.sagaId, status: 'completed', compensated: [] };
        case 'compensated':
          return this.result('compensated', states, cp);
        case 'compensating':
        case 'compensation_failed':
          this.log.info(`${this.sagaId}: resuming compensation`);
          return await this.compensate(states, cp, options.signal);
        default:
          if (cp) this.log.info(`${this.sagaId}: resuming after ${[...states.keys()].join(', ') || 'no completed step'}`);
          return await this.runSteps(states, cp, options.signal);
      }
    } finally {
      this.executing = false;
    }
  }

  private async runSteps(states: Map<string, SagaStepState>, cp: SagaCheckpointData | null, signal?: AbortSignal): Promise<SagaResult> {
    if (!cp) await this.checkpoint.write({ status: 'running' }, true);
    for (const step of this.steps) {
      if (states.get(step.name) === 'completed') continue; // took effect before an interruption
      throwIfAborted(signal);
      try {
        await step.action();
      } catch (e) {
        throwIfAborted(signal);
        const error = clip(describeError(e), MAX_ERROR_CHARS);
        this.log.warn(`${this.sagaId}: step ${step.name} failed: ${error}`);
        states.set(step.name, 'failed');
        const failed: SagaCheckpointData = { status: 'compensating', steps: states, failedStep: step.name, error };
        await this.checkpoint.write({ [stepField(step.name)]: 'failed', status: 'compensating', failed_step: step.name, error });
        await this.publish(step.name, 'step_failed');
        return this.compensate(states, failed, signal);
      }
      states.set(step.name, 'completed');
      await this.checkpoint.write({ [stepField(step.name)]: 'completed' });
      await this.publish(step.name, 'step_completed');
    }
    await this.checkpoint.write({ status: 'completed' }, true);
    await this.publish(this.steps[this.steps.length - 1]?.name ?? '', 'saga_completed');
    return { sagaId: this.sagaId, status: 'completed', compensated: [] };
  }

  /** Compensates every step still `completed`, newest first; a failing compensation does not stop the others. */
  private async compensate(states: Map<string, SagaStepState>, cp: SagaCheckpointData, signal?: AbortSignal): Promise<SagaResult> {
    let failures = 0;
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const step = this.steps[i];
      if (states.get(step.name) !== 'completed') continue;
      throwIfAborted(signal);
      try {
        await step.compensation();
      } catch (e) {
        throwIfAborted(signal);
        failures++;
        // The step stays `completed` in the checkpoint: executing the saga again retries this compensation.
        this.log.error(`${this.sagaId}: compensation of ${step.name} failed: ${describeError(e)}`);
        await this.publish(step.name, 'compensation_failed');
        continue;
      }
      states.set(step.name, 'compensated');
      await this.checkpoint.write({ [stepField(step.name)]: 'compensated' });
      await this.publish(step.name, 'step_compensated');
    }
    const status = failures > 0 ? 'compensation_failed' : 'compensated';
    await this.checkpoint.write({ status }, true);
    // The final event names the step that failed: that is what a reader of saga_events wants to know.
    if (status === 'compensated') await this.publish(cp.failedStep ?? '', 'saga_compensated');
    return this.result(status, states, cp);
  }

  private result(status: 'compensated' | 'compensation_failed', states: Map<string, SagaStepState>, cp: SagaCheckpointData): SagaResult {
    const compensated = this.steps.map((s) => s.name).filter((n) => states.get(n) === 'compensated').reverse();
    const r: SagaResult = { sagaId: this.sagaId, status, compensated };
    if (cp.failedStep !== undefined) r.failedStep = cp.failedStep;
    if (cp.error !== undefined) r.error = cp.error;
    return r;
  }

  private async publish(step: string, status: SagaEventStatus): Promise<void> {
    await this.transport.publish(this.channel, JSON.stringify(sagaEvent(this.sagaId, step, status)));
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('the saga was interrupted; executing it again resumes it');
}

function checkName(what: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME) {
    throw new BadInputError(`a ${what} must be a non-empty string of at most ${MAX_NAME} characters`);
  }
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

// CQRS read side: a read model folded from events. Apply events as they arrive (from a subscription) or rebuild the
// whole model from the event store; a rebuild folds into a fresh state and swaps it in at the end, so readers never
// see a half-built model and a failed rebuild leaves the old one in place.
import { AbortedError, BadInputError } from '../errors';
import type { EventLike } from '../envelope/envelope';

/** Returns the next state, or nothing when it changed `state` in place. */
export type ProjectionReducer<S> = (state: S, event: EventLike) => S | void;

/** One page of stored events, as EventStore.scan yields them; entries that could not be read carry `error` and are skipped. */
export type EventPage = ReadonlyArray<{ event: unknown; error?: string }>;

export class Projection<S> {
  private current: S;
  private applied = 0;

  constructor(
    readonly name: string,
    private readonly initial: () => S,
    private readonly reducer: ProjectionReducer<S>,
  ) {
    if (typeof initial !== 'function' || typeof reducer !== 'function') throw new BadInputError(`projection ${name} needs an initial state and a reducer`);
    this.current = initial();
  }

  get state(): S {
    return this.current;
  }

  /** Events applied since the last reset or rebuild. */
  get version(): number {
    return this.applied;
  }

  /** Folds one event in; false (and nothing changes) when it is not a JSON object. */
  apply(event: unknown): boolean {
    if (!isEventObject(event)) return false;
    this.current = this.fold(this.current, event);
    this.applied++;
    return true;
  }

  /** Applies each event; resolves with how many were applied. */
  applyAll(events: Iterable<unknown>): number {
    let n = 0;
    for (const e of events) if (this.apply(e)) n++;
    return n;
  }

  reset(): void {
    this.current = this.initial();
    this.applied = 0;
  }

  /** Replaces the state by folding every event of `pages` into a fresh one (pages from EventStore.scan, or arrays). */
  async rebuild(pages: AsyncIterable<EventPage> | Iterable<EventPage>, options: { signal?: AbortSignal } = {}): Promise<S> {
    let state = this.initial();
    let version = 0;
    for await (const page of pages) {
      if (options.signal?.aborted) throw new AbortedError(`rebuilding ${this.name} was cancelled`);
      for (const item of page) {
        if (!item || item.error !== undefined) continue;
        const event = item.event;
        if (!isEventObject(event)) continue;
        state = this.fold(state, event);
        version++;
      }
    }
    this.current = state;
    this.applied = version;
    return state;
  }

  private fold(state: S, event: EventLike): S {
    const next = this.reducer(state, event);
    return next === undefined ? state : next;
  }
}

function isEventObject(v: unknown): v is EventLike {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

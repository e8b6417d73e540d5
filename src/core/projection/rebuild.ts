// Rebuilds a projection by replaying the event store. Only the store's `scan` is needed, so any store that pages its
// events (the EventStore, a test double, another process's export) can feed a projection.
import type { EventPage, Projection } from './projection';

export interface ScannableEventStore<Q> {
  scan(query?: Q): AsyncIterable<EventPage>;
}

export function rebuildFromStore<S, Q>(store: ScannableEventStore<Q>, projection: Projection<S>, query?: Q, options: { signal?: AbortSignal } = {}): Promise<S> {
  return projection.rebuild(store.scan(query), options);
}

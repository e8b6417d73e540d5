// Sends one `.events` block's event to its target the way `ucore publish FILE.events` and scenario tests do:
// PUBLISH, SPUBLISH, or XADD (field `event`, the guide's format); the store's stream through one EventStore, so the
// event is indexed and published on `events` as the guide's EventStore does.
import { UCoreError } from '../errors';
import { EventStore } from '../store/event-store';
import { EVENT_FIELD } from '../store/stored-event';
import type { EventTarget } from '../target';
import type { StreamFields, Transport } from '../transport/types';

export type EventSend = (target: EventTarget, event: Record<string, unknown>) => Promise<{ receivers?: number; id?: string }>;

export function eventSender(transport: Transport, storeKey: string): EventSend {
  let store: EventStore | undefined;
  return async (target, event) => {
    const text = JSON.stringify(event);
    switch (target.kind) {
      case 'channel': return { receivers: await transport.publish(target.name, text) };
      case 'shard': return { receivers: await transport.spublish(target.name, text) };
      case 'stream': {
        if (target.name === storeKey) {
          store ??= new EventStore(transport, { streamKey: storeKey });
          return { id: (await store.append(event)).id };
        }
        const fields: StreamFields = { [EVENT_FIELD]: text };
        const id = await transport.xadd(target.name, fields);
        if (id === null) throw new UCoreError('REDIS', `could not append to ${target.name}`);
        return { id };
      }
    }
  };
}

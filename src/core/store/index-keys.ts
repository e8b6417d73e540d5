// Names of the store's keys. The main stream and channel are the guide's; the index streams are ours and hold, for
// each entity and each event type, one entry per stored event with the same id as the main entry: for an entity a
// copy of the event (read in one range), for a type a pointer (`i` '', looked up in the main stream).

/** The guide's event store stream. */
export const DEFAULT_STORE_STREAM = 'event_store';
/** The guide publishes every saved event here too. */
export const DEFAULT_STORE_CHANNEL = 'events';

/** Longest entity id or event type the store indexes: a key name is no place for a megabyte of hostile text. */
export const MAX_INDEXED_NAME = 512;

export function entityIndexKey(streamKey: string, entityId: string): string {
  return `${streamKey}:idx:entity:${entityId}`;
}

export function typeIndexKey(streamKey: string, eventType: string): string {
  return `${streamKey}:idx:type:${eventType}`;
}

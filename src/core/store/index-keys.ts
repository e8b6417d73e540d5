// Names of the store's keys. The main stream and channel are the guide's; the index streams are ours and hold, for
// each entity and each event type, one entry per stored event with the same id as the main entry: for an entity a
// copy of the event (read in one range), for a type a pointer (`i` '', looked up in the main stream).

/** The guide's event store stream. */
export const DEFAULT_STORE_STREAM = 'event_store';
/** The guide publishes every saved event here too. */
export const DEFAULT_STORE_CHANNEL = 'events';

/** Longest entity id or event type the store indexes: a key name is no place for a megabyte of hostile text. */
export const MAX_INDEXED_NAME = 512;

/** What every key the store keeps beside a stream has in its name; views hide such keys from stream lists. */
export const INDEX_MARKER = ':idx:';

export function isIndexKey(key: string): boolean {
  return key.includes(INDEX_MARKER);
}

export function entityIndexKey(streamKey: string, entityId: string): string {
  return `${indexBase(streamKey)}entity:${entityId}`;
}

export function typeIndexKey(streamKey: string, eventType: string): string {
  return `${indexBase(streamKey)}type:${eventType}`;
}

/**
 * The prefix of every key the store keeps beside a stream: its index streams (`<base>entity:<id>`,
 * `<base>type:<type>`), how far they are complete (`<base>indexed-to`) and the producers' sequence state
 * (`<base>producer:<id>`). `<stream>:idx:` as the guide-compatible layout always had. On a Redis Cluster these keys
 * must share the stream's slot so one script can write them: a partition (`event_store:{3}`) already carries a hash
 * tag they inherit; a stream without one (the guide's plain `event_store`, written by other apps) gets its name as
 * the tag: `{event_store}:idx:` hashes like `event_store` itself.
 */
export function indexBase(streamKey: string, clustered = false): string {
  if (clustered && !hasHashTag(streamKey)) return `{${streamKey}}${INDEX_MARKER}`;
  return `${streamKey}${INDEX_MARKER}`;
}

/** The string key holding the id of the last stream entry the indexes cover (everything up to it is indexed). */
export function indexedToKey(base: string): string {
  return `${base}indexed-to`;
}

/** A producer's sequence state (hash): the last batch applied and the ids of the recent ones. */
export function producerKey(base: string, producerId: string): string {
  return `${base}producer:${producerId}`;
}

/** Redis Cluster hashes the text between the first `{` and the next `}` when it is not empty. */
function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  if (open < 0) return false;
  const close = key.indexOf('}', open + 1);
  return close > open + 1;
}

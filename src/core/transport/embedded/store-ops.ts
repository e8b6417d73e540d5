// The event store's atomic operations on the embedded server, with the rules of the Redis scripts
// (../store-scripts.ts): indexes kept in stream order behind a watermark, the unindexed tail indexed from each entry's
// JSON, exactly-once appends per producer sequence. Each function runs as one command: nothing else interleaves.
import { RedisCommandError } from '../../errors';
import { INDEX_NAME_BYTES, MAX_COPY_FIELDS } from '../store-scripts';
import type { IndexTailResult, StoreAppendItem, StoreAppendOptions, StoreAppendResult, StoreLayout, StreamFields } from '../types';
import { compareIds, parseId } from './ids';
import type { EmbeddedServer } from './server';

const SMALLER = 'equal or smaller';

interface ProducerState {
  seq: number;
  batches: Array<{ seq: number; ids: string[] }>;
}

export function storeIndexTail(server: EmbeddedServer, stream: string, layout: StoreLayout, budget: number): IndexTailResult {
  const wmKey = `${layout.base}indexed-to`;
  let watermark = server.get(wmKey);
  const entries = server.streams.xrange(stream, watermark === null ? '-' : `(${watermark}`, '+', budget);
  const result: IndexTailResult = { indexed: 0, malformed: 0, without: 0, watermark, done: entries.length < budget };
  for (const entry of entries) {
    const event = parseEventField(entry.fields[layout.field]);
    if (event === undefined) {
      result.malformed++;
      continue;
    }
    let any = false;
    const type = event.event_type;
    if (typeof type === 'string' && type !== '' && Buffer.byteLength(type) <= INDEX_NAME_BYTES) {
      any = addIndex(server, `${layout.base}type:${type}`, entry.id, null) || any;
    }
    const entity = entityName(event.entity_id);
    if (entity !== null) {
      const copy = Object.keys(entry.fields).length * 2 <= MAX_COPY_FIELDS ? entry.fields : null;
      any = addIndex(server, `${layout.base}entity:${entity}`, entry.id, copy) || any;
    }
    if (any) result.indexed++;
    else result.without++;
  }
  if (entries.length > 0) {
    watermark = entries[entries.length - 1].id;
    server.set(wmKey, watermark);
    result.watermark = watermark;
  }
  return result;
}

export function storeAppend(
  server: EmbeddedServer, stream: string, layout: StoreLayout, items: ReadonlyArray<StoreAppendItem>, o: StoreAppendOptions,
): StoreAppendResult {
  const producer = o.producer;
  const pKey = producer ? `${layout.base}producer:${producer.id}` : undefined;
  let state: ProducerState | undefined;
  if (producer && pKey) {
    state = readProducer(server.get(pKey));
    if (producer.sequence <= state.seq) {
      const seen = state.batches.find((b) => b.seq === producer.sequence);
      if (seen) return { ids: [...seen.ids], duplicate: true, indexed: false };
      throw new RedisCommandError(`UCORE_SEQUENCE batch ${producer.sequence} of producer ${producer.id} comes after batch ${state.seq} and was not applied`);
    }
  }
  const wmKey = `${layout.base}indexed-to`;
  let inOrder = false;
  if (o.catchUpBudget >= 0) {
    const watermark = server.get(wmKey);
    const top = server.streams.xrevrange(stream, '+', '-', 1)[0];
    inOrder = top === undefined || (watermark !== null && compareIds(parseId(watermark, 0, true), parseId(top.id, 0, true)) >= 0);
    if (!inOrder && o.catchUpBudget > 0) inOrder = storeIndexTail(server, stream, layout, o.catchUpBudget).done;
  }

  const ids: string[] = [];
  for (const item of items) {
    const id = server.streams.xadd(stream, item.fields, o.maxLen === undefined ? {} : { maxLen: o.maxLen })!;
    if (inOrder) {
      for (const key of item.indexKeys) addIndex(server, key, id, null);
      for (const key of item.copyKeys) addIndex(server, key, id, item.fields);
    }
    const text = item.fields[layout.field];
    if (o.publishChannel !== undefined && typeof text === 'string') server.publish(o.publishChannel, text);
    ids.push(id);
  }
  if (inOrder && ids.length > 0) server.set(wmKey, ids[ids.length - 1]);
  if (producer && pKey && state) {
    state.seq = producer.sequence;
    state.batches.push({ seq: producer.sequence, ids });
    while (state.batches.length > producer.remember) state.batches.shift();
    server.set(pKey, JSON.stringify(state));
    server.keyspace.expireAt(pKey, server.now() + producer.ttlMs);
  }
  return { ids, duplicate: false, indexed: inOrder };
}

/** As the script: an entry that is already in the index counts as there; a key of another type does not. */
function addIndex(server: EmbeddedServer, key: string, id: string, copy: StreamFields | null): boolean {
  try {
    server.streams.xadd(key, copy ?? { i: '' }, { id });
    return true;
  } catch (e) {
    if (e instanceof RedisCommandError && e.message.includes(SMALLER)) return true;
    if (e instanceof RedisCommandError && e.message.startsWith('WRONGTYPE')) return false;
    throw e;
  }
}

/** Redis's cjson refuses JSON nested deeper than this; so does the embedded indexer, to index the same entries. */
const CJSON_MAX_DEPTH = 1000;

function parseEventField(text: string | undefined): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.length > 2 * CJSON_MAX_DEPTH && nestedDeeperThan(text, CJSON_MAX_DEPTH)) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    // cjson gives a table for arrays too; an array has no event_type or entity_id, so it indexes nothing either way.
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Bracket depth outside strings, without parsing. */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \\ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

function entityName(v: unknown): string | null {
  if (typeof v === 'string') return v !== '' && Buffer.byteLength(v) <= INDEX_NAME_BYTES ? v : null;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v === 0 ? 0 : v);
  return null;
}

function readProducer(text: string | null): ProducerState {
  if (text === null) return { seq: 0, batches: [] };
  return JSON.parse(text) as ProducerState;
}

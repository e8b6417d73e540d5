// The public API of the UCore event core: `import { ... } from 'ucore-events/core'`.
// Plain Node + ioredis + zod; never imports vscode.
export * from './errors';
export * from './logger';
export * from './target';
export type * from './transport/types';
export * from './transport/url';
export { RedisTransport, type RedisTransportOptions } from './transport/redis';
export * from './transport/embedded/index';
export { compileGlob, globMatch, GlobCache, type GlobMatcher } from './glob';
export { createTransport, type TransportOptions } from './transport/factory';
export * from './envelope/ids';
export * from './envelope/envelope';
export { eventEnvelopeSchema } from './envelope/envelope-schema';
export { useZodMessages } from './envelope/zod-messages';
export * from './envelope/registry';
export * from './envelope/issues';
export * from './domain/ecommerce';
export * from './adapter';
// store and consumer groups
export { EventStore, APPEND_CHUNK, DEFAULT_GET_LIMIT, MAX_GET_LIMIT, type EventStoreOptions, type AppendOptions, type ScanQuery, type PendingEntriesOptions, type AutoClaimOptions, type ReadGroupOptions as StoreReadGroupOptions, type EntryRef } from './store/event-store';
export { catchUpIndexes, INDEX_BATCH, type IndexCatchUp, type IndexCatchUpOptions, type IndexProgress } from './store/index-catch-up';
export { IndexKeeper, type IndexKeeperOptions } from './store/index-keeper';
export * from './store/stored-event';
export type { StoreQuery } from './store/query-plan';
export * from './store/group-consumer';
export { groupsWithLag, createGroup, countAfter, isRedisError, LAG_COUNT_LIMIT, type GroupWithLag } from './store/consumer-groups';
export { pruneIndexes, type PruneOptions, type PruneResult } from './store/index-pruner';
export { streamPage, streamInfos, StreamListing, MAX_SCAN_STEPS, type StreamListPage } from './store/stream-page';
export { DEFAULT_STORE_STREAM, DEFAULT_STORE_CHANNEL, INDEX_MARKER, isIndexKey, entityIndexKey, typeIndexKey, indexBase, indexedToKey, producerKey } from './store/index-keys';
export { CLUSTER_PARTITIONS, partitionKeys, partitionIndex, type PartitionSetting } from './store/partitions';
export { keySlot } from './transport/key-slot';
export { idTime, compareIds } from './store/stream-ids';
export { DEFAULT_CLOCK, CLOCKS, CLOCK_NAMES, parseIsoMicros, timeBoundMicros, type TimeClock } from './store/time-range';
export { isTransientStoreError } from './store/chunk-sender';
// replay
export { TokenBucket } from './replay/token-bucket';
export { replay, type ReplaySelection, type ReplayOptions, type ReplayResult, type ReplayProgress, type ReplayTarget } from './replay/replay';
export { describeReplayTarget, replayEventTarget, type ReplayTargetOptions } from './replay/replay-target';
// dedup, monitor, capture
export * from './dedup/index';
export * from './monitor/index';
export * from './capture/index';
// search: filter expressions, history search, seek by time
export * from './search/index';
// export / import of stream entries as fixture NDJSON
export * from './transfer/index';
// lag over time, stuck consumers
export * from './lag/index';
// retry + dead letter, saga, projection
export * from './retry/policy';
export * from './retry/classify';
export * from './retry/process';
export * from './retry/dead-letter';
export * from './retry/redrive';
export { abortableSleep } from './retry/sleep';
export * from './saga/saga';
export * from './saga/events';
export type * from './saga/checkpoint';
export * from './projection/projection';
export * from './projection/ecommerce-dashboard';
export * from './projection/rebuild';
export { BoundedRecencyMap } from './projection/bounded-recency-map';
export * from './domain/demo';
// the `.events` format: parse, check, expand placeholders, prepare each block's event (no I/O)
export { parseEventsFile, blockAtLine, targetOf, checkFile, checkExpectation, type Expectation, type ExpectBlock, type ScenarioTest, checkEvent, describeEventIssue, newExpansionContext, expandPlaceholders, expandBlock, toEvent, PLACEHOLDERS, sendProblem, blockLabel, prepareBlock, validateTargetName, jsonCursorAt, TARGET_NOUN, type EventsTarget, type TargetKind, type EventBlock, type ParsedEventsFile, type EventsProblem, type EventIssue, type ExpansionContext } from './events-file/index';
// event flows: directly-follows graphs per kind of entity, stuck entities, services, entity traces, saga runs
export * from './flows/index';
// event contracts: AsyncAPI 3.0 / JSON Schema, checked on publish and on live traffic
export * from './contracts/index';
// fixtures: record traffic, mask it, replay and compare recordings
export * from './fixtures/index';
// scenario tests (`### test:` / `### expect …` in .events files)
export * from './scenario/index';

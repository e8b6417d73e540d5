// Event contracts (AsyncAPI 3.0 or plain JSON Schema) checked against events: see README "Contracts".
export * from './types';
export { loadContract, createContractSet, lintContract } from './load';
export { ContractSet, type ContractCheck } from './contract-set';
export { ANY_EVENT_TYPE, type SchemaBinding } from './json-schema-file';
export { addressToGlob } from './asyncapi';
export { MAX_CONTRACT_BYTES, MAX_CONTRACT_DEPTH } from './source';
export { LiveContractChecker, pointerOf, type LiveCheckerOptions, type LiveCheckSnapshot, type Violation, type ChannelTypeCount, type OfferedEvent, type RuleCount } from './live-checker';
export { LiveContractWatch, streamEntryText, type LiveWatchOptions } from './live-watch';
export { checkEventsFileContracts } from './events-file';
export { ContractInferrer, createContractInferrer, contractToYaml, MAX_INFER_SAMPLES, type InferSource, type InferredContract } from './infer';
export { inferContractFromTraffic, DEFAULT_INFER_SECONDS, type InferOptions } from './infer-sample';
export { streamKeysOf, entryEventText, isRedisGlob } from './stream-sources';
export { DriftObserver, serverDrift, type DriftFinding, type DriftKind } from './drift';
export { contractDrift, DEFAULT_DRIFT_SECONDS, type DriftOptions, type DriftReport } from './drift-run';
export { schemasAt, propertiesOf, valuesOf, defsOf, type OfferedProperty } from './schema-walk';

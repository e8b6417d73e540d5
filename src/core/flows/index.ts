// Event flows: directly-follows graphs of event types per kind of entity, stuck entities, the services around them,
// one entity's trace and saga runs. Plain Node; never imports vscode.
export { FlowMiner, OTHER, type FlowMinerOptions, type FlowInput } from './flow-miner';
export type * from './flow-types';
export { entityKey, parseKeyPath, readPath, kindOfId, MAX_ENTITY_CHARS, type EntityKeyOptions, type EntityRef, type EntityKey } from './entity-key';
export { DurationHistogram } from './duration-histogram';
export { mineStore, type MineStoreOptions, type MineProgress, type MineResult } from './mine-store';
export { addMessage as addFlowMessage, watchFlows, MAX_LIVE_PAYLOAD, type LiveFlowOptions } from './live-flows';
export { collectServices, MAX_SERVICE_ROWS, type FlowServices, type GroupService, type ChannelService, type ServicesQuery } from './services';
export { traceEntity, otherStreams, MAX_TRACE_RAW, type TraceOptions, type TraceStep, type EntityTrace, type LiveMessage } from './trace';
export { DeliveryChecker, type GroupDelivery, type DeliveryState } from './delivery';
export { SagaCollector, readSagas, type SagaRun, type SagaRunStatus, type SagaStepRun, type SagaStepState as SagaRunStepState, type SagaOptions as SagaReadOptions, type ReadSagasOptions } from './sagas';
export { flowReport, servicesAround, type FlowReport, type FlowReportOptions } from './flow-report';
export { describeDuration, describeVia, describeDelivery } from './describe';
export { StoreFollower, type StoreFollowerOptions } from './store-follower';

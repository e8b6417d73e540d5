// Messages between the flow map panel's host (extension) and its webview, validated with zod/mini on arrival on both
// sides. Every array and text is bounded by its schema: a store full of hostile type names cannot make the page draw
// (or keep) more than this.
import * as z from 'zod/mini';

export const MAX_FLOW_NAME = 260;
export const MAX_FLOW_NODES = 40;
export const MAX_FLOW_EDGES = 400;
export const MAX_FLOW_KINDS = 25;
export const MAX_FLOW_STUCK = 100;
export const MAX_TRACE_STEPS = 1000;
export const MAX_PREVIEW = 2000;
const MAX_ROWS = 200;

export const MAX_SAGA_STEPS = 100;

/**
 * The schemas, built on first use: building them costs a few ms of zod work, and the panel's serializer (which
 * checks a restored page's state) is registered at activation, long before a flow map is opened, if ever.
 */
function buildSchemas() {
  const name = z.string().check(z.maxLength(MAX_FLOW_NAME));
  const text = z.string().check(z.maxLength(MAX_PREVIEW));
  const num = z.number();
  const ms = z.nullable(z.number());

  const flowNodeSchema = z.object({
    type: name, count: num, starts: num, ends: num, end: z.boolean(), via: z.array(name).check(z.maxLength(8)), sources: z.array(name).check(z.maxLength(8)),
    /** The pub/sub channels events of this type travelled on (names, for the monitor's channel filter). */
    channels: z.array(name).check(z.maxLength(8)),
  });
  const flowEdgeSchema = z.object({ from: name, to: name, count: num, p50Ms: ms, p95Ms: ms });
  const kindFlowSchema = z.object({
    kind: name, entities: num, events: num, foldedTypes: num,
    nodes: z.array(flowNodeSchema).check(z.maxLength(MAX_FLOW_NODES)),
    edges: z.array(flowEdgeSchema).check(z.maxLength(MAX_FLOW_EDGES)),
  });
  const stuckSchema = z.object({ entity: name, kind: name, lastType: name, ageMs: num, thresholdMs: num, via: name, lastId: z.optional(name) });
  const serviceRowSchema = z.object({ label: name, detail: text });
  const sagaRunSchema = z.object({
    id: name,
    status: z.enum(['running', 'compensating', 'completed', 'compensated', 'failed']),
    stuck: z.boolean(),
    failedStep: z.optional(name),
    error: z.optional(text),
    /** ms since the run's last activity, when known. */
    idleMs: ms,
    steps: z.array(z.object({ name, state: name, sincePreviousMs: ms })).check(z.maxLength(MAX_SAGA_STEPS)),
    compensations: z.array(name).check(z.maxLength(MAX_SAGA_STEPS)),
  });

  const flowsDataSchema = z.object({
    connection: name,
    keyPaths: z.array(name).check(z.maxLength(8)),
    summary: text,
    kinds: z.array(kindFlowSchema).check(z.maxLength(MAX_FLOW_KINDS)),
    stuck: z.array(stuckSchema).check(z.maxLength(MAX_FLOW_STUCK)),
    services: z.array(serviceRowSchema).check(z.maxLength(MAX_ROWS)),
    sagas: z.array(sagaRunSchema).check(z.maxLength(MAX_ROWS)),
    /** A live update of an open map (the page keeps its zoom and selection), not a fresh one. */
    live: z.optional(z.boolean()),
    /** When the map was taken (ISO time). */
    at: z.optional(name),
  });

  const traceStepSchema = z.object({
    at: name, sincePreviousMs: ms, eventType: name, where: name, id: z.optional(name),
    deliveries: z.array(text).check(z.maxLength(50)), preview: text,
    /** Seen only live on a channel (the monitor's ring), in no stream. */
    live: z.optional(z.boolean()),
  });
  const traceDataSchema = z.object({
    entity: name, summary: text,
    steps: z.array(traceStepSchema).check(z.maxLength(MAX_TRACE_STEPS)),
  });

  const flowsHostMessageSchema = z.discriminatedUnion('type', [
    z.object({ type: z.literal('flows'), data: flowsDataSchema }),
    z.object({ type: z.literal('trace'), data: traceDataSchema }),
    z.object({ type: z.literal('busy'), text }),
    z.object({ type: z.literal('error'), text }),
  ]);

  const flowsWebviewMessageSchema = z.discriminatedUnion('type', [
    z.object({ type: z.literal('ready') }),
    z.object({ type: z.literal('refresh'), keyPaths: z.array(name).check(z.maxLength(8)) }),
    z.object({ type: z.literal('trace'), entity: name }),
    /** Filter the live monitor's recent events to this type and/or channel ('' for any); open it when it is not. */
    z.object({ type: z.literal('filterMonitor'), channel: name, eventType: name, open: z.boolean() }),
  ]);

  /** What the page keeps with setState, and the panel serializer gets back after a reload. */
  const flowsPageStateSchema = z.object({
    keyPaths: z.array(name).check(z.maxLength(8)),
    kind: name,
    entity: z.optional(name),
  });
  return { flowNodeSchema, flowEdgeSchema, kindFlowSchema, stuckSchema, serviceRowSchema, sagaRunSchema, flowsDataSchema, traceStepSchema, traceDataSchema, flowsHostMessageSchema, flowsWebviewMessageSchema, flowsPageStateSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

export function flowsSchemas(): Schemas {
  return (schemas ??= buildSchemas());
}

export type SagaRunData = z.infer<Schemas['sagaRunSchema']>;
export type FlowsData = z.infer<Schemas['flowsDataSchema']>;
export type TraceData = z.infer<Schemas['traceDataSchema']>;
export type FlowsHostMessage = z.infer<Schemas['flowsHostMessageSchema']>;
export type FlowsPageState = z.infer<Schemas['flowsPageStateSchema']>;
export type FlowsWebviewMessage = z.infer<Schemas['flowsWebviewMessageSchema']>;

export function clipName(s: string): string {
  return s.length > MAX_FLOW_NAME - 1 ? `${s.slice(0, MAX_FLOW_NAME - 2)}…` : s;
}

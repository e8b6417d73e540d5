// Turns the core's flow report, trace and saga runs into what the flow map page draws: bounded, clipped, and
// already worded (durations, deliveries), so the page only lays out text.
import {
  describeDelivery, describeDuration, describeVia, type EntityTrace, type FlowReport, type SagaRun,
} from '../../core/index';
import {
  clipName, MAX_FLOW_EDGES, MAX_FLOW_KINDS, MAX_FLOW_NODES, MAX_FLOW_STUCK, MAX_PREVIEW, MAX_SAGA_STEPS, MAX_TRACE_STEPS, type FlowsData, type SagaRunData, type TraceData,
} from '../../shared/flowsProtocol';

export function toFlowsData(connection: string, keyPaths: string[], report: FlowReport, sagas: SagaRun[], now = Date.now()): FlowsData {
  const { flows, history, services } = report;
  const t = flows.totals;
  const summary = `${history.read} entries read${history.truncated ? ' (limit reached)' : ''}: ${t.events} events of ${t.entities} entities`
    + (t.withoutEntity ? `, ${t.withoutEntity} without an entity` : '') + (t.malformed ? `, ${t.malformed} not events` : '');
  const rows: FlowsData['services'] = [];
  for (const g of services?.groups ?? []) {
    rows.push({ label: clipName(`group ${g.group} on ${g.stream}`), detail: clip(`pending ${g.pending}, lag ${g.lag ?? '?'}; ${g.consumers.map((c) => `${c.name} (pending ${c.pending}, idle ${describeDuration(c.idleMs)})`).join(', ') || 'no consumers'}`) });
  }
  for (const c of services?.channels ?? []) rows.push({ label: clipName(`${c.sharded ? 'shard channel' : 'channel'} ${c.channel}`), detail: `${c.subscribers} subscriber${c.subscribers === 1 ? '' : 's'}` });
  for (const c of services?.clients ?? []) rows.push({ label: clipName(`client ${c.name}`), detail: clip(`${c.addr}, last ${c.cmd}`) });
  return {
    connection: clipName(connection),
    keyPaths: keyPaths.slice(0, 8).map(clipName),
    summary: clip(summary),
    kinds: flows.kinds.slice(0, MAX_FLOW_KINDS).map((k) => ({
      kind: clipName(k.kind), entities: k.entities, events: k.events, foldedTypes: k.foldedTypes,
      nodes: k.nodes.slice(0, MAX_FLOW_NODES).map((n) => ({
        type: clipName(n.type), count: n.count, starts: n.starts, ends: n.ends, end: n.end,
        via: n.via.slice(0, 8).map((v) => clipName(describeVia(v))), sources: n.sources.slice(0, 8).map((s) => clipName(s.source)),
        channels: n.via.filter((v) => v.kind !== 'stream').slice(0, 8).map((v) => clipName(v.name)),
      })),
      edges: k.edges.slice(0, MAX_FLOW_EDGES).map((e) => ({ from: clipName(e.from), to: clipName(e.to), count: e.count, p50Ms: e.p50Ms, p95Ms: e.p95Ms })),
    })),
    stuck: flows.stuck.slice(0, MAX_FLOW_STUCK).map((s) => ({
      entity: clipName(s.entity), kind: clipName(s.kind), lastType: clipName(s.lastType), ageMs: s.ageMs, thresholdMs: s.thresholdMs,
      via: clipName(describeVia(s.via)), ...(s.lastId ? { lastId: clipName(s.lastId) } : {}),
    })),
    services: rows.slice(0, 200),
    sagas: sagas.slice(0, 200).map((r) => toSagaRunData(r, now)),
    at: new Date(now).toISOString(),
  };
}

function toSagaRunData(r: SagaRun, now: number): SagaRunData {
  return {
    id: clipName(r.sagaId), status: r.status, stuck: r.stuck,
    ...(r.failedStep ? { failedStep: clipName(r.failedStep) } : {}),
    ...(r.error ? { error: clip(r.error) } : {}),
    idleMs: r.updatedAt === undefined ? null : Math.max(0, Math.round(now - r.updatedAt)),
    steps: r.steps.slice(0, MAX_SAGA_STEPS).map((st) => ({ name: clipName(st.name), state: clipName(st.state), sincePreviousMs: st.sincePreviousMs ?? null })),
    compensations: r.compensations.slice(0, MAX_SAGA_STEPS).map(clipName),
  };
}

export function toTraceData(trace: EntityTrace): TraceData {
  const live = trace.steps.filter((s) => s.live).length;
  const where = [...trace.streams.map((s) => `${s.stream} (${s.count})`), ...(live ? [`live on channels only (${live})`] : [])].join(', ');
  return {
    entity: clipName(trace.entity),
    summary: clip(trace.steps.length ? `${trace.steps.length} events in ${where}${trace.truncated ? ' (bounded: older events may be missing)' : ''}` : 'no events found (events that name it only in their data need a key path such as data.order_id)'),
    steps: trace.steps.slice(-MAX_TRACE_STEPS).map((s) => ({
      at: new Date(s.at).toISOString(), sincePreviousMs: s.sincePreviousMs, eventType: clipName(s.eventType), where: clipName(describeVia(s.via)),
      ...(s.id ? { id: clipName(s.id) } : {}),
      deliveries: s.deliveries.slice(0, 50).map((d) => clip(describeDelivery(d))),
      preview: clip(s.raw),
      ...(s.live ? { live: true } : {}),
    })),
  };
}

function clip(s: string): string {
  return s.length > MAX_PREVIEW - 1 ? `${s.slice(0, MAX_PREVIEW - 2)}…` : s;
}

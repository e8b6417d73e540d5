// The words flows are shown in, the same on the command line and in the editor.
import type { GroupDelivery } from './delivery';
import type { FlowVia } from './flow-types';

/** `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`, `3 d`; `?` for what is not a duration. */
export function describeDuration(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d`;
}

/** `stream event_store`, `channel orders`, `shard channel s1`. */
export function describeVia(via: FlowVia): string {
  return `${via.kind === 'shard' ? 'shard channel' : via.kind} ${via.name}`;
}

/** "pending in group fulfilment with worker-1, 3 deliveries, idle 4.0 s" / "acked by group g" / "not yet delivered to group g". */
export function describeDelivery(d: GroupDelivery): string {
  if (d.state === 'acked') return `acked by group ${d.group}`;
  if (d.state === 'not-delivered') return `not yet delivered to group ${d.group}`;
  const n = d.deliveries ?? 0;
  return `pending in group ${d.group} with ${d.consumer ?? '?'}, ${n} deliver${n === 1 ? 'y' : 'ies'}, idle ${describeDuration(d.idleMs)}`;
}

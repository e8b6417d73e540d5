// `ucore flows`: the directly-follows graph of event types per kind of entity, mined from the event store (a time
// range) and optionally live traffic, with the time between steps, the stuck entities and the services around.
import { describeDuration, describeVia, EventStore, flowReport, type FlowReport, type FlowReportOptions, type KindFlow } from '../../core/index';
import { type CliCommand, int, num, str, strs, type Values } from '../command';
import type { CliContext } from '../context';
import { safeText, table } from '../output';
import { selectionFrom } from './store';

export const keyOptions = {
  key: { type: 'string' as const, multiple: true },
  'store-key': { type: 'string' as const },
};

/** --key data.order_id (repeatable, or comma-separated): where events without entity_id name their entity. */
export function keyPathsFrom(values: Values): string[] {
  return strs(values, 'key').flatMap((k) => k.split(',')).map((k) => k.trim()).filter(Boolean);
}

export const flowsCommand: CliCommand = {
  name: 'flows',
  usage: 'ucore flows [--since T] [--until T] [--clock event|append] [--key data.order_id] [--kind order] [--end TYPE,…]\n'
    + '            [--stuck-after SECONDS] [--stuck-factor 3] [--max-types 30] [--max-entities 100000] [--limit N] [--listen SECONDS] [--store-key event_store]',
  summary: 'the flow of each kind of entity from the event store: event types, which follows which (count, p50/p95 time), start and end types, stuck entities, consumer groups, subscribers and clients',
  options: {
    ...keyOptions,
    since: { type: 'string' }, until: { type: 'string' }, clock: { type: 'string' },
    kind: { type: 'string' }, end: { type: 'string', multiple: true },
    'stuck-after': { type: 'string' }, 'stuck-factor': { type: 'string' },
    'max-types': { type: 'string' }, 'max-entities': { type: 'string' }, limit: { type: 'string' }, listen: { type: 'string' },
  },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    const t = await ctx.connect();
    const store = new EventStore(t, { streamKey: str(values, 'store-key') });
    const stuckAfter = num(values, 'stuck-after');
    const options: FlowReportOptions = {
      query: selectionFrom({ since: values.since, until: values.until, clock: values.clock }),
      keyPaths: keyPathsFrom(values),
      kind: str(values, 'kind'),
      endTypes: strs(values, 'end').flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean),
      stuckAfterMs: stuckAfter === undefined ? undefined : stuckAfter * 1000,
      stuckFactor: num(values, 'stuck-factor'),
      maxTypes: int(values, 'max-types', { min: 2, max: 1000 }),
      maxEntities: int(values, 'max-entities', { min: 1, max: 10_000_000 }),
      maxEntries: int(values, 'limit', { min: 1, max: 100_000_000 }),
      listenMs: (num(values, 'listen') ?? 0) * 1000,
      signal: ctx.signal,
      onProgress: (p) => { if (ctx.flags.verbose) ctx.out.note(`read ${p.read} entries`); },
    };
    const report = await flowReport(t, store, options);
    if (ctx.out.json) printJson(ctx, report, store.streamKey);
    else printHuman(ctx, report, store.streamKey);
    return 0;
  },
};

function printJson(ctx: CliContext, r: FlowReport, stream: string): void {
  const { flows, history, services } = r;
  ctx.out.record({ record: 'summary', stream, read: history.read, truncated: history.truncated, ...flows.totals, firstAt: iso(flows.firstAt), lastAt: iso(flows.lastAt) }, '');
  for (const k of flows.kinds) ctx.out.record({ record: 'flow', ...k }, '');
  for (const s of flows.stuck) ctx.out.record({ record: 'stuck', ...s, lastAt: iso(s.lastAt) }, '');
  if (services) ctx.out.record({ record: 'services', ...services }, '');
}

function printHuman(ctx: CliContext, r: FlowReport, stream: string): void {
  const { flows, history, services } = r;
  const t = flows.totals;
  const range = flows.firstAt === null ? '' : ` from ${iso(flows.firstAt)} to ${iso(flows.lastAt)}`;
  ctx.out.line(`Flows of ${safeText(stream, 80)}: ${history.read} entries read${history.truncated ? ' (stopped at --limit)' : ''}, ${t.events} events of ${t.entities} entities${range}`);
  const skipped = [t.malformed && `${t.malformed} not events`, t.withoutEntity && `${t.withoutEntity} without an entity (try --key data.order_id)`, t.repeated && `${t.repeated} seen twice`, t.evictedEntities && `${t.evictedEntities} entities forgotten (--max-entities)`].filter(Boolean);
  if (skipped.length) ctx.out.line(`  skipped: ${skipped.join(', ')}`);
  for (const k of flows.kinds) printKind(ctx, k);
  ctx.out.line(`\nStuck (${flows.stuck.length})`);
  if (flows.stuck.length === 0) ctx.out.line('  none');
  else ctx.out.line(table([['entity', 'last event', 'age', 'usual within', 'where', 'entry'],
    ...flows.stuck.map((s) => [safeText(s.entity, 60), safeText(s.lastType, 60), describeDuration(s.ageMs), describeDuration(s.thresholdMs), safeText(describeVia(s.via), 60), s.lastId ?? ''])]).replace(/^/gm, '  '));
  if (!services) return;
  ctx.out.line('\nServices');
  for (const g of services.groups) {
    const consumers = g.consumers.map((c) => `${safeText(c.name, 40)} (pending ${c.pending}, idle ${describeDuration(c.idleMs)})`).join(', ') || 'no consumers';
    ctx.out.line(`  stream ${safeText(g.stream, 60)}  group ${safeText(g.group, 60)}: pending ${g.pending}, lag ${g.lag ?? '?'}; ${consumers}`);
  }
  for (const c of services.channels) ctx.out.line(`  ${c.sharded ? 'shard channel' : 'channel'} ${safeText(c.channel, 60)}: ${c.subscribers} subscriber${c.subscribers === 1 ? '' : 's'}`);
  if (services.clients.length) ctx.out.line(`  clients: ${services.clients.map((c) => `${safeText(c.name, 40)} (${safeText(c.cmd, 20)})`).join(', ')}${services.unnamedClients ? ` and ${services.unnamedClients} unnamed` : ''}`);
  for (const p of services.problems) ctx.out.line(`  could not ask: ${safeText(p, 200)}`);
}

function printKind(ctx: CliContext, k: KindFlow): void {
  ctx.out.line(`\n${safeText(k.kind, 60)}: ${k.entities} entities, ${k.events} events${k.foldedTypes ? `, ${k.foldedTypes} more types folded into (other)` : ''}`);
  ctx.out.line(`  starts: ${k.startTypes.map((s) => safeText(s, 60)).join(', ') || '-'}   ends: ${k.endTypes.map((s) => safeText(s, 60)).join(', ') || '-'}`);
  ctx.out.line(table([['type', 'events', 'started', 'ended', 'seen on'],
    ...k.nodes.map((n) => [safeText(n.type, 60), String(n.count), String(n.starts), String(n.ends), n.via.map((v) => safeText(describeVia(v), 50)).join(', ')])]).replace(/^/gm, '  '));
  if (k.edges.length) {
    ctx.out.line(table([['step', 'times', 'p50', 'p95'],
      ...k.edges.map((e) => [`${safeText(e.from, 50)} → ${safeText(e.to, 50)}`, String(e.count), describeDuration(e.p50Ms), describeDuration(e.p95Ms)])]).replace(/^/gm, '  '));
  }
}

function iso(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

// `ucore sagas`: saga runs from their checkpoints (ours and the guide's) and saga events, each with its steps,
// status and compensations; running ones idle too long are marked stuck. --listen also takes live saga events.
import { describeDuration, readSagas, SAGA_CHANNEL, SagaCollector, type SagaRun, parseJson } from '../../core/index';
import { type CliCommand, int, num, str, UsageError } from '../command';
import type { CliContext } from '../context';
import { safeText, table } from '../output';

const STATUSES = ['running', 'compensating', 'completed', 'compensated', 'failed', 'stuck'];

export const sagasCommand: CliCommand = {
  name: 'sagas',
  usage: 'ucore sagas [--status running|compensating|completed|compensated|failed|stuck] [--listen SECONDS] [--stuck-after SECONDS] [--limit 200]',
  summary: 'saga runs from checkpoints and saga_events: steps, status, compensations, stuck runs',
  options: { status: { type: 'string' }, listen: { type: 'string' }, 'stuck-after': { type: 'string' }, 'key-prefix': { type: 'string' }, limit: { type: 'string' } },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    const status = str(values, 'status');
    if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
    const stuckAfter = num(values, 'stuck-after');
    const limit = int(values, 'limit', { min: 1, max: 100_000 }) ?? 200;
    const t = await ctx.connect();
    const collector = new SagaCollector({ stuckAfterMs: stuckAfter === undefined ? undefined : stuckAfter * 1000, keyPrefix: str(values, 'key-prefix') });
    const listenMs = (num(values, 'listen') ?? 0) * 1000;
    if (listenMs > 0) await listen(ctx, collector, listenMs);
    await readSagas(t, collector, { keyPrefix: str(values, 'key-prefix'), signal: ctx.signal });
    const runs = collector.list().filter((r) => !status || (status === 'stuck' ? r.stuck : r.status === status));
    if (ctx.out.json) {
      for (const r of runs.slice(0, limit)) ctx.out.record({ record: 'saga', ...r, updatedAt: r.updatedAt === undefined ? null : new Date(r.updatedAt).toISOString() }, '');
      return 0;
    }
    ctx.out.line(`Sagas (${runs.length}${status ? ` ${status}` : ''})`);
    if (runs.length === 0) { ctx.out.line('  none'); return 0; }
    ctx.out.line(table([['saga', 'status', 'steps', 'compensated', 'last activity'], ...runs.slice(0, limit).map(row)]).replace(/^/gm, '  '));
    if (runs.length > limit) ctx.out.line(`  … ${runs.length - limit} more (--limit)`);
    return 0;
  },
};

function row(r: SagaRun): string[] {
  const steps = r.steps.map((s) => `${safeText(s.name, 40)}:${s.state}${s.sincePreviousMs !== undefined ? ` +${describeDuration(s.sincePreviousMs)}` : ''}`).join(', ');
  const state = `${r.status}${r.stuck ? ' (stuck)' : ''}${r.failedStep ? ` at ${safeText(r.failedStep, 40)}` : ''}`;
  const last = r.updatedAt === undefined ? '?' : `${describeDuration(Date.now() - r.updatedAt)} ago`;
  return [safeText(r.sagaId, 60), state, steps || '-', r.compensations.map((c) => safeText(c, 40)).join(', ') || '-', last];
}

/** Saga events on saga_events for a while (they are pub/sub: only what is published now is seen). */
async function listen(ctx: CliContext, collector: SagaCollector, ms: number): Promise<void> {
  const sub = await ctx.connect();
  const off = sub.onMessage((m) => {
    if (m.channel !== SAGA_CHANNEL || m.payload.length > 100_000) return;
    const j = parseJson(m.payload);
    if (j.ok) collector.addEvent(j.value);
    else collector.malformed++;
  });
  await sub.subscribe([SAGA_CHANNEL]);
  ctx.out.note(`listening to ${SAGA_CHANNEL} for ${describeDuration(ms)}…`);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    ctx.signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
  off.dispose();
}

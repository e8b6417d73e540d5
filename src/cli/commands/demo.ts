import { runDemo, eventTypeOf, entityOf } from '../../core/index';
import { type CliCommand, int, num } from '../command';
import { safeText, timeOfDay } from '../output';

export const demoCommand: CliCommand = {
  name: 'demo',
  usage: 'ucore demo [--count N] [--rate EVENTS_PER_S] [--quiet]',
  summary: "run the guide's e-commerce flow: users register, orders are created, paid and shipped; failed payments retry into the DLQ; an order saga compensates",
  options: { count: { type: 'string', short: 'n' }, rate: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    const orders = int(values, 'count', { min: 1, max: 1_000_000 }) ?? 10;
    const rate = num(values, 'rate', { min: 0.1 }) ?? 50;
    const t = await ctx.connect();
    ctx.out.note(`demo: ${orders} order${orders === 1 ? '' : 's'} at ~${rate} events/s on ${t.description}`);
    const summary = await runDemo(t, {
      orders,
      ratePerSecond: rate,
      signal: ctx.signal,
      onEvent: values.quiet ? undefined : (channel, event) => {
        const entity = entityOf(event);
        ctx.out.record({ channel, event }, `${timeOfDay(Date.now())}  ${safeText(channel, 40)}  ${safeText(eventTypeOf(event), 40)}${entity ? `  ${safeText(entity, 40)}` : ''}`);
      },
    });
    ctx.out.record({ summary }, `done: ${Object.entries(summary).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    return 0;
  },
};

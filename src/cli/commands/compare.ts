// `ucore compare A B`: two fixtures by what happened (type and entity), ids and timestamps left out by default.
// Exit 0 when they match, 1 when they differ (as diff does), so CI can gate on a recording.
import { compareFixtures, loadFixture, type ComparedEvent } from '../../core/index';
import { type CliCommand, strs } from '../command';
import { safeText } from '../output';

export const compareCommand: CliCommand = {
  name: 'compare',
  usage: 'ucore compare BEFORE.ndjson AFTER.ndjson [--keep-ids] [--ignore KEY]...',
  summary: 'compare two fixtures: events added, missing or changed, by channel, type and entity (ids and timestamps ignored unless --keep-ids); exit 1 when they differ',
  options: { 'keep-ids': { type: 'boolean' }, ignore: { type: 'string', multiple: true } },
  positionals: [2, 2],
  async run(ctx, [before, after], values) {
    const [a, b] = await Promise.all([loadFixture(before), loadFixture(after)]);
    for (const [file, f] of [[before, a], [after, b]] as const) {
      for (const p of f.problems.slice(0, 20)) ctx.out.note(`${file}:${p.line}: ${safeText(p.message, 200)}`);
    }
    const c = compareFixtures(a.events, b.events, { keepIds: !!values['keep-ids'], ignoreKeys: strs(values, 'ignore') });
    const name = (e: ComparedEvent) => `${safeText(e.where, 80)} ${safeText(e.eventType, 80)}${e.entity ? ` ${safeText(e.entity, 80)}` : ''}`;
    if (ctx.out.json) {
      ctx.out.record(c, '');
    } else {
      for (const e of c.missing) ctx.out.line(`- missing  ${name(e)} (before #${e.index + 1})`);
      for (const e of c.added) ctx.out.line(`+ added    ${name(e)} (after #${e.index + 1})`);
      for (const e of c.changed) ctx.out.line(`~ changed  ${name(e.before)}: ${e.paths.map((p) => safeText(p, 80)).join(', ')}`);
      ctx.out.line(`${c.same} same, ${c.changed.length} changed, ${c.missing.length} missing, ${c.added.length} added`);
    }
    return c.changed.length + c.missing.length + c.added.length ? 1 : 0;
  },
};

import { isIndexKey, getEventStatistics, type Transport } from '../../core/index';
import { type CliCommand, int } from '../command';
import { safeText, table } from '../output';

export const statsCommand: CliCommand = {
  name: 'stats',
  usage: 'ucore stats [--max-streams 200]',
  summary: 'channels with subscriber counts, streams with length, groups and lag, and the event_counts:* counters',
  options: { 'max-streams': { type: 'string' } },
  positionals: [0, 0],
  async run(ctx, _p, values) {
    const t = await ctx.connect();
    const maxStreams = int(values, 'max-streams', { min: 1, max: 100_000 }) ?? 200;
    const channels = (await t.pubsubChannels()).slice(0, 1000).sort();
    const subs = await t.pubsubNumsub(channels);
    // Shard channels (Redis 7): absent before 7, so their absence is not an error.
    const shardChannels = (await t.pubsubShardChannels().catch(() => [] as string[])).slice(0, 1000).sort();
    const shardSubs = await t.pubsubShardNumsub(shardChannels).catch(() => shardChannels.map((channel) => ({ channel, subscribers: 0 })));
    const streams = await streamStats(t, maxStreams);
    const counters = await getEventStatistics(t);
    if (ctx.out.json) {
      ctx.out.record({ mode: t.mode, channels: subs, shardChannels: shardSubs, patterns: await t.pubsubNumpat(), streams, counters }, '');
      return 0;
    }
    ctx.out.line(`Channels (${subs.length})`);
    ctx.out.line(subs.length ? table([['channel', 'subscribers'], ...subs.map((s) => [safeText(s.channel, 80), String(s.subscribers)])]) : '  none with subscribers');
    if (shardSubs.length) {
      ctx.out.line(`\nShard channels (${shardSubs.length})`);
      ctx.out.line(table([['shard channel', 'subscribers'], ...shardSubs.map((s) => [safeText(s.channel, 80), String(s.subscribers)])]));
    }
    ctx.out.line(`\nStreams (${streams.length}${streams.length >= maxStreams ? '+' : ''})`);
    const rows = [['stream', 'length', 'group', 'consumers', 'pending', 'lag']];
    for (const s of streams) {
      if (s.groups.length === 0) rows.push([safeText(s.key, 80), String(s.length), '-', '', '', '']);
      for (const g of s.groups) rows.push([safeText(s.key, 80), String(s.length), safeText(g.name, 60), String(g.consumers), String(g.pending), g.lag === null ? '?' : String(g.lag)]);
    }
    ctx.out.line(streams.length ? table(rows) : '  none');
    const counterRows: string[][] = [];
    for (const ch of Object.keys(counters)) for (const ty of Object.keys(counters[ch])) counterRows.push([safeText(ch, 60), safeText(ty, 60), String(counters[ch][ty])]);
    ctx.out.line(`\nMonitor counters (event_counts:*)`);
    ctx.out.line(counterRows.length ? table([['channel', 'type', 'count'], ...counterRows]) : '  none');
    return 0;
  },
};

async function streamStats(t: Transport, max: number) {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const r = await t.scan(cursor, { type: 'stream', count: 500 });
    cursor = r.cursor;
    // The store's per-entity and per-type index streams are internal; they would drown the list.
    keys.push(...r.keys.filter((k) => !isIndexKey(k)));
  } while (cursor !== '0' && keys.length < max);
  const out = [];
  for (const key of keys.slice(0, max).sort()) {
    const [length, groups] = await Promise.all([t.xlen(key), t.xinfoGroups(key).catch(() => [])]);
    out.push({ key, length, groups });
  }
  return out;
}

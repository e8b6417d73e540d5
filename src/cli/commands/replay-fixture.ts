// `ucore replay --fixture FILE`: a recorded fixture sent again, in order, to the same names or mapped ones, on this
// or another Redis, at 1× (the recorded timing), 10× or max speed. Lines that are not events are reported by number.
import { readFixture, renameMap, replayFixture, type EventTarget, type FixtureEvent, type ReplaySpeed } from '../../core/index';
import { str, strs, UsageError, type Values } from '../command';
import type { CliContext } from '../context';
import { safeText } from '../output';

export async function replayFixtureFile(ctx: CliContext, file: string, values: Values): Promise<number> {
  const speed = parseSpeed(str(values, 'speed') ?? 'max');
  const renames: Record<string, string> = Object.create(null);
  for (const m of strs(values, 'map')) {
    const eq = m.indexOf('=');
    if (eq <= 0 || eq === m.length - 1) throw new UsageError(`--map takes FROM=TO (a channel or stream name each), not "${m}"`);
    renames[m.slice(0, eq)] = m.slice(eq + 1);
  }
  const only: EventTarget | undefined = str(values, 'to-channel') !== undefined ? { kind: 'channel', name: str(values, 'to-channel')! }
    : str(values, 'to-shard') !== undefined ? { kind: 'shard', name: str(values, 'to-shard')! }
      : str(values, 'to-stream') !== undefined ? { kind: 'stream', name: str(values, 'to-stream')! } : undefined;
  const rename = renameMap(renames);
  const map = only ? () => only : (e: FixtureEvent) => rename(e);
  const toUrl = str(values, 'to-url');
  const transport = await ctx.connect(toUrl);
  const tty = process.stderr.isTTY;
  const result = await replayFixture(readFixture(file), transport, {
    speed,
    map,
    signal: ctx.signal,
    onProgress: (p) => {
      if (tty) process.stderr.write(`\rreplay: ${p.sent} sent, ${(p.elapsedMs / 1000).toFixed(1)} s\u001b[K`);
    },
  });
  if (tty) process.stderr.write('\r\u001b[K');
  for (const p of result.problemLines.slice(0, 20)) ctx.out.note(`${file}:${p.line}: ${safeText(p.message, 200)}`);
  const where = only ? `${only.kind} ${safeText(only.name)}` : Object.keys(renames).length ? 'the mapped names' : 'the recorded names';
  ctx.out.record({ fixture: file, speed, ...result },
    `${result.aborted ? 'cancelled: ' : ''}replayed ${result.sent} event${result.sent === 1 ? '' : 's'} from ${safeText(file)} to ${where} on ${transport.description} at ${speed === 'max' ? 'max speed' : `${speed}×`} in ${(result.elapsedMs / 1000).toFixed(2)} s` +
    `${result.problems ? ` (${result.problems} bad line${result.problems === 1 ? '' : 's'} skipped)` : ''}`);
  return result.aborted ? 130 : result.problems ? 1 : 0;
}

function parseSpeed(s: string): ReplaySpeed {
  if (s === 'max') return 'max';
  const n = Number(s.replace(/x$/i, ''));
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--speed takes 1, 10 (any positive number) or max, not "${s}"`);
  return n;
}

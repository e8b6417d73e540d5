// A batch of PUBLISH sent as one EVALSHA of a loop script, channel/message pairs in ARGV (bench `publish`: 0.69× →
// over 1.2× of node-redis). What every loop script keeps is in redis-loop-script.ts; what is particular to PUBLISH:
// - Inside a script Redis words a channel the ACL refuses differently: the caller gets the error a PUBLISH gets.
// - It declares no keys. On a cluster any node may run it and forwards each message over the cluster bus. All calls
//   of one batch go to one node (the master of the first channel's slot), so a subscriber anywhere gets them in
//   order: two calls on two nodes would race on the bus. Shard channels (SPUBLISH) must not take this path: they
//   belong to one slot's node and go there on their own.
import { flatReplies, LoopScript } from './redis-loop-script';
import { cutBySize, FRAMING_CHARS } from './redis-write-size';

/** ARGV: channel, message, channel, message… Reply: per pair, PUBLISH's receiver count, or its error. */
export const PUBLISH_BATCH = `
local out = {}
local n = 0
for i = 1, #ARGV, 2 do
  n = n + 1
  out[n] = redis.pcall('PUBLISH', ARGV[i], ARGV[i + 1])
end
return out
`;
export const publishLoop = new LoopScript(PUBLISH_BATCH);

/**
 * The usual batch, every message to one channel (`ucore publish --file`, a target's batch): the channel once, and
 * the receiver counts as runs of equal counts (all messages of a call usually reach as many receivers), instead of
 * a channel argument and a count per message — a third less work per message on either side (issue 13).
 * ARGV: channel, message, message… Reply: count, times, count, times…; a refused PUBLISH is its error, times 1.
 */
export const PUBLISH_ONE_CHANNEL = `
local ch = ARGV[1]
local out = {}
local n = 0
local last, times = nil, 0
for i = 2, #ARGV do
  local r = redis.pcall('PUBLISH', ch, ARGV[i])
  if type(r) == 'number' and r == last then
    times = times + 1
  else
    if times > 0 then
      out[n + 1] = last
      out[n + 2] = times
      n = n + 2
    end
    last, times = r, 1
  end
end
if times > 0 then
  out[n + 1] = last
  out[n + 2] = times
end
return out
`;
export const publishOneChannelLoop = new LoopScript(PUBLISH_ONE_CHANNEL);

/** The channel every message goes to, or null when they go to several. */
export function oneChannelOf(messages: ReadonlyArray<readonly [string, string]>): string | null {
  const channel = messages[0][0];
  for (const [c] of messages) if (c !== channel) return null;
  return channel;
}

/** PUBLISH_ONE_CHANNEL's calls, cut as scriptCalls cuts. */
export function oneChannelCalls(channel: string, messages: ReadonlyArray<readonly [string, string]>): Array<{ keys: string[]; argv: string[] }> {
  return cutBySize(messages, ([, m]) => m.length + FRAMING_CHARS, SCRIPT_PAIRS).map((part) => {
    const argv = new Array<string>(part.length + 1);
    argv[0] = channel;
    part.forEach(([, m], i) => { argv[i + 1] = m; });
    return { keys: [], argv };
  });
}

/** PUBLISH_ONE_CHANNEL's replies as PUBLISH_BATCH's: a count (or error) per message. */
export function expandRuns(settled: ReadonlyArray<PromiseSettledResult<unknown[]>>): Array<PromiseSettledResult<unknown[]>> {
  return settled.map((s) => {
    if (s.status === 'rejected') return s;
    const out: unknown[] = [];
    const runs = s.value;
    for (let i = 0; i + 1 < runs.length; i += 2) {
      const times = Number(runs[i + 1]);
      for (let k = 0; k < times; k++) out.push(runs[i]);
    }
    return { status: 'fulfilled', value: out };
  });
}

/** Pairs per script call at most: a short script (well under a millisecond of server time). */
export const SCRIPT_PAIRS = 1000;

/** Each script call (no keys): the batch cut by SCRIPT_PAIRS and WRITE_CHARS (redis-write-size.ts), in order. */
export function scriptCalls(messages: ReadonlyArray<readonly [string, string]>): Array<{ keys: string[]; argv: string[] }> {
  return cutBySize(messages, ([c, m]) => c.length + m.length + 2 * FRAMING_CHARS, SCRIPT_PAIRS).map((part) => {
    const argv = new Array<string>(part.length * 2);
    part.forEach(([c, m], i) => { argv[2 * i] = c; argv[2 * i + 1] = m; });
    return { keys: [], argv };
  });
}

/** The receiver counts of all calls, in order; the first refused PUBLISH is thrown, as a pipeline reports it. */
export function countsOf(settled: ReadonlyArray<PromiseSettledResult<unknown[]>>): number[] {
  return flatReplies(settled, asFromPipeline).map(Number);
}

/** Inside a script Redis words a channel the ACL refuses differently; the caller gets the error a PUBLISH gets. */
function asFromPipeline(err: Error): Error {
  if (!/can't publish to the channel/.test(err.message)) return err;
  return Object.assign(new Error('NOPERM this user has no permissions to access one of the channels used as arguments'), { cause: err });
}

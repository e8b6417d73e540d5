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

// A batch of PUBLISH sent as one EVALSHA of a loop script, channel/message pairs in ARGV. ioredis's cost per command
// (a Command object, its promise, its reply slot: ~2 µs each) is what made a pipeline of 1000 PUBLISH slower than
// node-redis's; one command carrying 1000 pairs pays it once (bench `publish`: 0.69× → over 1.2× of node-redis).
//
// What the script changes, and why it is still the same publish:
// - It runs alone on the server: calls are kept short (≤ SCRIPT_PAIRS pairs and about WRITE_CHARS of payload, well
//   under a millisecond of server time each); a longer batch is several calls, sent at once, answered in order.
// - Each PUBLISH goes through redis.pcall: a refused one (an ACL without that channel) is an error in its place of the
//   reply and the others are still published, as in a pipeline; the caller gets the first error, as from a pipeline.
// - It declares no keys. On a cluster any node may run it and forwards each message over the cluster bus. All calls
//   of one batch go to one node (the master of the first channel's slot), so a subscriber anywhere gets them in
//   order: two calls on two nodes would race on the bus. Shard channels (SPUBLISH) must not take this path: they
//   belong to one slot's node and go there on their own.
// - A server that refuses scripts to this user (ACL without EVALSHA or SCRIPT LOAD, the commands renamed away) is
//   sent the plain pipeline instead, from then on; a refused EVALSHA ran nothing, so nothing is published twice.
// - NOSCRIPT (first use on a connection's server, SCRIPT FLUSH, a restarted server or a new cluster node): SCRIPT
//   LOAD, then the refused calls once more (they ran nothing). The calls after a refused one were refused too, unless
//   another client loaded the script in between: then a later call ran before the one sent again (order only).
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
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
const PUBLISH_BATCH_SHA = createHash('sha1').update(PUBLISH_BATCH).digest('hex');

/** Pairs per script call at most: a short script (well under a millisecond of server time). */
export const SCRIPT_PAIRS = 1000;

/** The ARGV of each script call: the batch cut by SCRIPT_PAIRS and WRITE_CHARS (redis-write-size.ts), in order. */
export function scriptCalls(messages: ReadonlyArray<readonly [string, string]>): string[][] {
  return cutBySize(messages, ([c, m]) => c.length + m.length + 2 * FRAMING_CHARS, SCRIPT_PAIRS).map((part) => {
    const argv = new Array<string>(part.length * 2);
    part.forEach(([c, m], i) => { argv[2 * i] = c; argv[2 * i + 1] = m; });
    return argv;
  });
}

/**
 * The counts of all calls' replies, in order. A refused PUBLISH came back as an error in its place: the first one is
 * thrown once every call has been looked at, as a pipeline reports its first failed command.
 */
export function countsOf(replies: unknown[][]): number[] {
  const counts: number[] = [];
  let failed: Error | undefined;
  for (const reply of replies) {
    for (const r of reply) {
      if (r instanceof Error) failed ??= r;
      counts.push(Number(r));
    }
  }
  if (failed) throw asFromPipeline(failed);
  return counts;
}

/** Inside a script Redis words a channel the ACL refuses differently; the caller gets the error a PUBLISH gets. */
function asFromPipeline(err: Error): Error {
  if (!/can't publish to the channel/.test(err.message)) return err;
  return Object.assign(new Error('NOPERM this user has no permissions to access one of the channels used as arguments'), { cause: err });
}

/**
 * Runs the calls on `client` (one server, or one cluster node), all sent at once; null when this server refuses
 * scripts to this user (nothing ran). Replies as they came: a call's reply or its error.
 */
export async function runPublishScript(client: Redis | Cluster, calls: string[][]): Promise<Array<PromiseSettledResult<unknown[]>> | null> {
  const send = (argv: string[]) => client.evalsha(PUBLISH_BATCH_SHA, 0, ...argv) as Promise<unknown[]>;
  const settled = await Promise.allSettled(calls.map(send));
  const missing = settled.flatMap((s, i) => (s.status === 'rejected' && /^NOSCRIPT\b/.test(messageOf(s.reason)) ? [i] : []));
  if (settled.every((s) => s.status === 'rejected' && refusesScripts(s.reason))) return null;
  if (missing.length === 0) return settled;
  try {
    await client.script('LOAD', PUBLISH_BATCH);
  } catch (e) {
    if (missing.length === calls.length && refusesScripts(e)) return null;
    throw e;
  }
  const again = await Promise.allSettled(missing.map((i) => send(calls[i])));
  missing.forEach((i, k) => { settled[i] = again[k]; });
  return settled;
}

/** The script itself was refused (nothing ran): EVALSHA or SCRIPT LOAD not allowed to this user, or not known here. */
function refusesScripts(err: unknown): boolean {
  const msg = messageOf(err);
  return /^NOPERM\b.*'(evalsha|script\|load)'/i.test(msg) || /^ERR unknown (command|subcommand) .?(evalsha|script|load)\b/i.test(msg);
}

function messageOf(err: unknown): string {
  return String((err as Error)?.message ?? err);
}

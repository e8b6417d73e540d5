// One EVALSHA of a loop script in place of a pipeline of many small commands. ioredis's cost per command (a Command
// object, its promise, its reply slot: ~2 µs each) is what bounds a pipeline from this side; one command carrying a
// batch pays it once. What every loop script here keeps, so it is the same as the pipeline it replaces:
// - It runs alone on the server: calls are kept short (see the callers' limits: well under a millisecond each).
// - Each command goes through redis.pcall: a refused one is an error in its place of the reply and the others still
//   run, as in a pipeline; the caller gets the first error, as from a pipeline.
// - A server that refuses scripts to this user (ACL without EVALSHA or SCRIPT LOAD, the commands renamed away) is
//   sent the plain pipeline instead; a refused EVALSHA ran nothing, so nothing is written twice.
// - NOSCRIPT (first use on a connection's server, SCRIPT FLUSH, a restarted server or a new cluster node): SCRIPT
//   LOAD, then the refused calls once more (they ran nothing). The calls after a refused one were refused too, unless
//   another client loaded the script in between: then a later call ran before the one sent again (order only).
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';

export class LoopScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /**
   * Runs the calls on `client` (one server, or one cluster node), all sent at once; null when this server refuses
   * scripts to this user (nothing ran). Replies as they came: a call's reply or its error.
   */
  async run(client: Redis | Cluster, calls: ReadonlyArray<{ keys: readonly string[]; argv: readonly string[] }>): Promise<Array<PromiseSettledResult<unknown[]>> | null> {
    const send = (c: { keys: readonly string[]; argv: readonly string[] }) => client.evalsha(this.sha, c.keys.length, ...c.keys, ...c.argv) as Promise<unknown[]>;
    const settled = await Promise.allSettled(calls.map(send));
    const missing = settled.flatMap((s, i) => (s.status === 'rejected' && /^NOSCRIPT\b/.test(messageOf(s.reason)) ? [i] : []));
    if (settled.every((s) => s.status === 'rejected' && refusesScripts(s.reason))) return null;
    if (missing.length === 0) return settled;
    try {
      await client.script('LOAD', this.lua);
    } catch (e) {
      if (missing.length === calls.length && refusesScripts(e)) return null;
      throw e;
    }
    const again = await Promise.allSettled(missing.map((i) => send(calls[i])));
    missing.forEach((i, k) => { settled[i] = again[k]; });
    return settled;
  }
}

/**
 * Every call's reply items in order. A refused command came back as an error in its place: the first one is thrown
 * (after `reword`) once every call has been looked at, as a pipeline reports its first failed command; a call that
 * failed as a whole is thrown first.
 */
export function flatReplies(settled: ReadonlyArray<PromiseSettledResult<unknown[]>>, reword: (e: Error) => Error = (e) => e): unknown[] {
  const failedCall = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failedCall) throw failedCall.reason;
  const out: unknown[] = [];
  let failed: Error | undefined;
  for (const s of settled) {
    for (const r of (s as PromiseFulfilledResult<unknown[]>).value) {
      if (r instanceof Error) failed ??= r;
      out.push(r);
    }
  }
  if (failed) throw reword(failed);
  return out;
}

/** The script itself was refused (nothing ran): EVALSHA or SCRIPT LOAD not allowed to this user, or not known here. */
function refusesScripts(err: unknown): boolean {
  const msg = messageOf(err);
  return /^NOPERM\b.*'(evalsha|script\|load)'/i.test(msg) || /^ERR unknown (command|subcommand) .?(evalsha|script|load)\b/i.test(msg);
}

function messageOf(err: unknown): string {
  return String((err as Error)?.message ?? err);
}

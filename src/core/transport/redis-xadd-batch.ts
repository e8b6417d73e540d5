// A batch of XADD to one stream, one field each and no options (the guide's `XADD stream * event <json>`: replay to
// a stream, import, a fixture replayed), sent as one EVALSHA of a loop script: the stream in KEYS[1] (so a cluster
// routes the call to the stream's node), the field name then the values in ARGV. Server time per call stays short:
// ≤ SCRIPT_ENTRIES entries and about WRITE_CHARS of payload. What every loop script keeps (pcall per command, order,
// the pipeline when scripts are refused, NOSCRIPT) is in redis-loop-script.ts.
import { LoopScript } from './redis-loop-script';
import { cutBySize, FRAMING_CHARS } from './redis-write-size';

/** KEYS[1] the stream; ARGV[1] the field, ARGV[2…] the values. Reply: per value, the new entry's id or its error. */
export const XADD_BATCH = `
local out = {}
local key, field = KEYS[1], ARGV[1]
for i = 2, #ARGV do
  out[i - 1] = redis.pcall('XADD', key, '*', field, ARGV[i])
end
return out
`;
export const xaddLoop = new LoopScript(XADD_BATCH);

/** Entries per script call at most: a short script (well under a millisecond of server time). */
export const SCRIPT_ENTRIES = 1000;

/** Each call's keys and ARGV: the values cut by SCRIPT_ENTRIES and WRITE_CHARS (redis-write-size.ts), in order. */
export function xaddCalls(key: string, field: string, values: readonly string[]): Array<{ keys: string[]; argv: string[] }> {
  return cutBySize(values, (v) => v.length + FRAMING_CHARS, SCRIPT_ENTRIES).map((part) => ({ keys: [key], argv: [field, ...part] }));
}

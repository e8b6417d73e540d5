// A batch of dedup marks (`SET key value EX ttl NX GET` per key) sent as one EVALSHA of a loop script: the keys in
// KEYS, the ttl then the values in ARGV. The same as the pipeline it replaces, also on servers before Redis 7.0,
// which refuse NX with GET (GET then SET is what the Lua form of one mark did already). Server time per call stays
// short: ≤ SCRIPT_MARKS marks. What every loop script keeps (pcall per command, the first error after all ran, the
// pipeline when scripts are refused, NOSCRIPT) is in redis-loop-script.ts. Standalone only: on a cluster the keys of
// one call would have to share a slot.
import { LoopScript } from './redis-loop-script';

/** KEYS: the marks; ARGV[1] the ttl in seconds, ARGV[1 + i] KEYS[i]'s value. Reply: per key, the old value or nil. */
export const SET_NX_GET_BATCH = `
local out = {}
local ttl = ARGV[1]
for i = 1, #KEYS do
  local old = redis.pcall('GET', KEYS[i])
  if old then
    out[i] = old
  else
    local r = redis.pcall('SET', KEYS[i], ARGV[i + 1], 'EX', ttl)
    if type(r) == 'table' and r.err then out[i] = r else out[i] = false end
  end
end
return out
`;
export const setNxGetLoop = new LoopScript(SET_NX_GET_BATCH);

/** Marks per script call at most. */
export const SCRIPT_MARKS = 1000;

/** Each call's keys and ARGV, in order. */
export function setNxGetCalls(items: ReadonlyArray<readonly [key: string, value: string]>, ttlSeconds: number): Array<{ keys: string[]; argv: string[] }> {
  const calls: Array<{ keys: string[]; argv: string[] }> = [];
  for (let i = 0; i < items.length; i += SCRIPT_MARKS) {
    const part = items.slice(i, i + SCRIPT_MARKS);
    calls.push({ keys: part.map(([k]) => k), argv: [String(ttlSeconds), ...part.map(([, v]) => v)] });
  }
  return calls;
}

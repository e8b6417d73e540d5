// Lua scripts for the operations that must be atomic or server-side on Redis (the embedded transport does the same
// natively). Kept as plain strings; ioredis sends EVALSHA and falls back to EVAL once per connection.

/**
 * Appends a batch of events, each to its stream plus its index streams with the same id, and optionally publishes
 * one of its fields (the store's `events` channel) in the same step.
 * KEYS: per item, the stream key then its index keys. ARGV: item count, '1' to publish (else '0'), the channel, the
 * field to publish, then per item: maxLen ('' for none), n = number of field and value strings, the n strings, then the
 * number of index keys. The usual entry (one field, no maxLen) is added without building an argument table.
 */
export const APPEND_INDEXED = `
local ids = {}
local k = 1
local publish, channel, pfield = ARGV[2] == '1', ARGV[3], ARGV[4]
local a = 5
for i = 1, tonumber(ARGV[1]) do
  local stream = KEYS[k]; k = k + 1
  local maxlen = ARGV[a]
  local n = tonumber(ARGV[a + 1])
  local f = a + 2
  a = f + n
  local id
  if maxlen == '' and n == 2 then
    id = redis.call('XADD', stream, '*', ARGV[f], ARGV[f + 1])
  else
    local args = {}
    if maxlen ~= '' then args[1] = 'MAXLEN'; args[2] = '~'; args[3] = maxlen end
    args[#args + 1] = '*'
    for j = f, a - 1 do args[#args + 1] = ARGV[j] end
    id = redis.call('XADD', stream, unpack(args))
  end
  local ni = tonumber(ARGV[a]); a = a + 1
  for j = 1, ni do
    redis.call('XADD', KEYS[k], id, 'i', '')
    k = k + 1
  end
  if publish then
    for j = f, a - 3, 2 do
      if ARGV[j] == pfield then
        redis.call('PUBLISH', channel, ARGV[j + 1])
        break
      end
    end
  end
  ids[i] = id
end
return ids
`;

/**
 * Reads entries of KEYS[1] whose ids the index stream KEYS[2] holds.
 * ARGV: start, end, count (1..10000), reverse ('1' or '0'). Skips ids whose entry was trimmed.
 * Reply, flat: per entry its id, the number n of field and value strings, then the n strings. Building a nested
 * {id, {field, value}} table per entry cost a third of the script's time (entity query benchmark: 1000 entries of a
 * 1M-event store, 4.0 → 3.0 ms in Redis), and the flat reply is also cheaper for the client to parse.
 */
export const READ_BY_INDEX = `
local stream, idx = KEYS[1], KEYS[2]
local lo, hi = ARGV[1], ARGV[2]
local want = tonumber(ARGV[3])
local reverse = ARGV[4] == '1'
local out = {}
local o = 0
local found = 0
local page = want
if page < 64 then page = 64 end
while true do
  local refs
  if reverse then refs = redis.call('XREVRANGE', idx, hi, lo, 'COUNT', page)
  else refs = redis.call('XRANGE', idx, lo, hi, 'COUNT', page) end
  for i = 1, #refs do
    local id = refs[i][1]
    local e = redis.call('XRANGE', stream, id, id)[1]
    if e then
      local f = e[2]
      local n = #f
      out[o + 1] = id
      out[o + 2] = n
      for j = 1, n do out[o + 2 + j] = f[j] end
      o = o + 2 + n
      found = found + 1
      if found >= want then return out end
    end
  end
  if #refs < page then return out end
  local last = refs[#refs][1]
  if reverse then hi = '(' .. last else lo = '(' .. last end
end
`;

// Lua scripts for the operations that must be atomic or server-side on Redis (the embedded transport does the same
// natively). Kept as plain strings; ioredis sends EVALSHA and falls back to EVAL once per connection.

/**
 * Appends a batch of events, each to its stream plus its index streams with the same id.
 * KEYS: per item, the stream key then its index keys. ARGV: item count, then per item:
 * maxLen ('' for none), n = number of field and value strings, the n strings, then the number of index keys.
 */
export const APPEND_INDEXED = `
local ids = {}
local k = 1
local a = 2
for i = 1, tonumber(ARGV[1]) do
  local stream = KEYS[k]; k = k + 1
  local maxlen = ARGV[a]; a = a + 1
  local n = tonumber(ARGV[a]); a = a + 1
  local args = {}
  if maxlen ~= '' then args[1] = 'MAXLEN'; args[2] = '~'; args[3] = maxlen end
  args[#args + 1] = '*'
  for j = 1, n do args[#args + 1] = ARGV[a]; a = a + 1 end
  local id = redis.call('XADD', stream, unpack(args))
  local ni = tonumber(ARGV[a]); a = a + 1
  for j = 1, ni do
    redis.call('XADD', KEYS[k], id, 'i', '')
    k = k + 1
  end
  ids[i] = id
end
return ids
`;

/**
 * Reads entries of KEYS[1] whose ids the index stream KEYS[2] holds.
 * ARGV: start, end, count (1..10000), reverse ('1' or '0'). Skips ids whose entry was trimmed.
 */
export const READ_BY_INDEX = `
local stream, idx = KEYS[1], KEYS[2]
local lo, hi = ARGV[1], ARGV[2]
local want = tonumber(ARGV[3])
local reverse = ARGV[4] == '1'
local out = {}
local page = want
if page < 64 then page = 64 end
while true do
  local refs
  if reverse then refs = redis.call('XREVRANGE', idx, hi, lo, 'COUNT', page)
  else refs = redis.call('XRANGE', idx, lo, hi, 'COUNT', page) end
  for _, ref in ipairs(refs) do
    local e = redis.call('XRANGE', stream, ref[1], ref[1])
    if #e > 0 then
      out[#out + 1] = e[1]
      if #out >= want then return out end
    end
  end
  if #refs < page then return out end
  local last = refs[#refs][1]
  if reverse then hi = '(' .. last else lo = '(' .. last end
end
`;

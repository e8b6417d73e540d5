// Lua scripts for the operations that must be atomic or server-side on Redis (the embedded transport does the same
// natively). Kept as plain strings; ioredis sends EVALSHA and falls back to EVAL once per connection.

/**
 * Appends a batch of events, each to its stream plus its index streams with the same id — pointer entries (`i` '')
 * and copies (the same fields) — and optionally publishes one of its fields (the store's `events` channel) in the
 * same step. KEYS: per item, the stream key, its pointer index keys, then its copy index keys. ARGV: item count, '1'
 * to publish (else '0'), the channel, the field to publish, then per item: maxLen ('' for none), n = number of field
 * and value strings, the n strings, the number of pointer index keys, the number of copy index keys. The usual entry
 * (one field, no maxLen) is added without building an argument table.
 */
/** Lua: orders two stream ids (`ms-seq`, no leading zeros) exactly, as text, without turning them into numbers. */
export const LUA_CMP_IDS = `
local function cmp_ids(x, y)
  local xm, xs = string.match(x, '^(%d+)-(%d+)$')
  local ym, ys = string.match(y, '^(%d+)-(%d+)$')
  if #xm ~= #ym then return #xm < #ym and -1 or 1 end
  if xm ~= ym then return xm < ym and -1 or 1 end
  if #xs ~= #ys then return #xs < #ys and -1 or 1 end
  if xs ~= ys then return xs < ys and -1 or 1 end
  return 0
end`;

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
  local ni, nc = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  a = a + 2
  for j = 1, ni do
    redis.call('XADD', KEYS[k], id, 'i', '')
    k = k + 1
  end
  for j = 1, nc do
    if n == 2 then
      redis.call('XADD', KEYS[k], id, ARGV[f], ARGV[f + 1])
    else
      local args = { id }
      for x = f, f + n - 1 do args[#args + 1] = ARGV[x] end
      redis.call('XADD', KEYS[k], unpack(args))
    end
    k = k + 1
  end
  if publish then
    for j = f, f + n - 2, 2 do
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
 * ARGV: start, end, count (1..10000), reverse ('1' or '0'), copies ('1': the index holds copies of the entries).
 * Skips ids whose entry was trimmed or deleted. A copy is returned as it is when its entry cannot be gone: at or
 * after the stream's first entry and after its max-deleted-entry-id (XINFO, Redis 7+); any other index entry is
 * looked up in the stream. A lookup per entry is what an entity query costs without copies (~4 µs each on a
 * 1M-event store, most of the query's time).
 * Reply, flat: per entry its id, the number n of field and value strings, then the n strings (cheaper to build and
 * to parse than a nested {id, {field, value}} per entry).
 */
export const READ_BY_INDEX = `
local stream, idx = KEYS[1], KEYS[2]
local lo, hi = ARGV[1], ARGV[2]
local want = tonumber(ARGV[3])
local reverse = ARGV[4] == '1'
local first, maxdel
if ARGV[5] == '1' then
  local info = redis.pcall('XINFO', 'STREAM', stream)
  if type(info) == 'table' and not info.err then
    for i = 1, #info, 2 do
      local key = info[i]
      if key == 'max-deleted-entry-id' then maxdel = info[i + 1]
      elseif key == 'first-entry' and type(info[i + 1]) == 'table' then first = info[i + 1][1] end
    end
  end
end
${LUA_CMP_IDS}
-- Whether copies from here on can be used as they are: once true going forward (or false going backward), it stays.
local settled = nil
local function safe(id)
  if settled ~= nil then return settled end
  local ok = cmp_ids(id, first) >= 0 and cmp_ids(id, maxdel) > 0
  if ok ~= reverse then settled = ok end
  return ok
end
local usable = first ~= nil and maxdel ~= nil
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
    local f = refs[i][2]
    local pointer = #f == 2 and f[1] == 'i' and f[2] == ''
    if pointer or not usable or not safe(id) then
      local e = redis.call('XRANGE', stream, id, id)[1]
      f = e and e[2]
    end
    if f then
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

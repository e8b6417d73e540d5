// Lua scripts that keep the event store's indexes complete whoever writes the stream, and make appends exactly-once
// per producer batch. The embedded transport does the same natively (embedded/store-ops.ts); both follow the rules
// written here.
import { LUA_CMP_IDS } from './redis-scripts';
//
// Indexes are a projection of the stream, kept in stream order: `<base>indexed-to` holds the id of the last entry
// they cover. Apps written from the guide `XADD event_store * event <json>` without touching them; the tail after
// the watermark is indexed by INDEX_TAIL (or by STORE_APPEND before it appends), which reads each entry's `event`
// field with cjson and derives its keys as the core does: `<base>type:<event_type>` (a pointer) and
// `<base>entity:<entity_id>` (a copy). A script runs alone, so two indexers never index one entry twice; an index
// entry that is already there (same id) is skipped, so indexing again after a lost reply is harmless too.
//
// Keys derived inside the script (watermark, producer state, the tail's index streams) are not in KEYS: on a cluster
// they share the stream's slot by construction (see indexBase), which is what a script may touch.

/** The longest entity id or event type, in bytes, that the scripts index (the core refuses > 512 characters). */
export const INDEX_NAME_BYTES = 2048;
/** Fields beyond this many in a foreign entry: its entity index entry is a pointer instead of a copy (Lua's unpack). */
export const MAX_COPY_FIELDS = 1000;

const LIB = `${LUA_CMP_IDS}

-- An entity id as the core names it: a non-empty string, or a whole number written without exponent. Numbers that
-- are not whole (or beyond 2^53) are not indexed: Lua would not print them as JavaScript does.
local function entity_name(e)
  local t = type(e)
  if t == 'string' then
    if e ~= '' and #e <= ${INDEX_NAME_BYTES} then return e end
  elseif t == 'number' and e == math.floor(e) and e > -9007199254740992 and e < 9007199254740992 then
    return string.format('%d', e)
  end
  return nil
end

-- The reply of an XADD with the entry's own id (redis.pcall): true when the entry is there afterwards (also when it
-- already was); false when the key holds something else than a stream. Any other error stops the script.
local function added(r)
  if type(r) == 'table' and r.err then
    if string.find(r.err, 'equal or smaller', 1, true) then return true end
    if string.find(r.err, 'WRONGTYPE', 1, true) then return false end
    error(r)
  end
  return true
end

-- XADD of an index entry: a copy of the fields, or a pointer.
local function add_index(key, id, fields)
  if fields then return added(redis.pcall('XADD', key, id, unpack(fields))) end
  return added(redis.pcall('XADD', key, id, 'i', ''))
end

-- Indexes up to budget entries after the watermark. Returns indexed, malformed (no event field, or not a JSON
-- object), without (neither an indexable type nor entity), the watermark now ('' when none), done (nothing left).
local function index_tail(stream, base, field, budget)
  local wmkey = base .. 'indexed-to'
  local wm = redis.call('GET', wmkey)
  local from = '-'
  if wm then from = '(' .. wm end
  local entries = redis.call('XRANGE', stream, from, '+', 'COUNT', budget)
  local indexed, malformed, without = 0, 0, 0
  for i = 1, #entries do
    local id, f = entries[i][1], entries[i][2]
    local raw
    for j = 1, #f - 1, 2 do
      if f[j] == field then raw = f[j + 1] end
    end
    local ev
    if raw then
      local ok, v = pcall(cjson.decode, raw)
      if ok and type(v) == 'table' then ev = v end
    end
    if ev == nil then
      malformed = malformed + 1
    else
      local any = false
      local t = ev['event_type']
      if type(t) == 'string' and t ~= '' and #t <= ${INDEX_NAME_BYTES} then
        if add_index(base .. 'type:' .. t, id, nil) then any = true end
      end
      local e = entity_name(ev['entity_id'])
      if e then
        local copy = nil
        if #f <= ${MAX_COPY_FIELDS} then copy = f end
        if add_index(base .. 'entity:' .. e, id, copy) then any = true end
      end
      if any then indexed = indexed + 1 else without = without + 1 end
    end
  end
  if #entries > 0 then
    wm = entries[#entries][1]
    redis.call('SET', wmkey, wm)
  end
  return indexed, malformed, without, wm or '', #entries < budget
end
`;

/**
 * Indexes the stream's tail. KEYS[1] the stream. ARGV: index base, the event field, budget (entries to read).
 * Reply: indexed, malformed, without, watermark ('' when none), '1' when caught up (else '0').
 */
export const STORE_INDEX_TAIL = `${LIB}
local indexed, malformed, without, wm, done = index_tail(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]))
return { indexed, malformed, without, wm, done and '1' or '0' }
`;

/**
 * Appends a producer's batch to one stream of the store, exactly once, keeping the indexes complete and in order.
 * KEYS: the stream, then per item its pointer index keys and its copy index keys.
 * ARGV: 1 index base, 2 event field, 3 catch-up budget (-1: the store keeps no indexes), 4 '1' to publish the field, 5 channel, 6 maxLen ('' none),
 * 7 producer id ('' none), 8 batch sequence, 9 producer state ttl ms, 10 batches remembered, 11 item count,
 * 12 shapes, then per item: with shapes '', n, the n field and value strings, the number of pointer keys, the number
 * of copy keys; with shapes (the compact form, when every item is the event field alone), the event field's value
 * only, its pointer and copy key counts being the item's two digits in shapes. The compact form sends 1 argument per
 * event instead of 5, which is most of what the script and the client spent per event besides the XADDs (issue 13).
 *
 * Producer: a batch whose sequence is not above the last one applied was applied before: its ids are returned and
 * nothing is written (Kafka's idempotent producer). A sequence can skip numbers (it is the position of the batch's
 * first event in the producer's life), but never go back to one that was not applied.
 * Order: when everything up to the stream's last entry is indexed (or the tail can be indexed within the budget),
 * the batch's own index entries are written and the watermark moves to its last id; otherwise the batch is appended
 * unindexed and a later tail indexing covers it, so indexes never get an entry ahead of one they miss.
 * Reply: 'new' or 'dup', '1' when the batch was indexed now (else '0'), then the ids.
 */
export const STORE_APPEND = `${LIB}
local stream, base, field = KEYS[1], ARGV[1], ARGV[2]
local budget = tonumber(ARGV[3])
local publish, channel, maxlen = ARGV[4] == '1', ARGV[5], ARGV[6]
local pid, seqtext = ARGV[7], ARGV[8]
local seq = tonumber(seqtext)
local pkey
if pid ~= '' then
  pkey = base .. 'producer:' .. pid
  local last = tonumber(redis.call('HGET', pkey, 'seq') or '0')
  if seq <= last then
    local ids = redis.call('HGET', pkey, 's:' .. seqtext)
    if ids then
      local out = { 'dup', '0' }
      for id in string.gmatch(ids, '%S+') do out[#out + 1] = id end
      return out
    end
    return redis.error_reply('UCORE_SEQUENCE batch ' .. seqtext .. ' of producer ' .. pid .. ' comes after batch ' .. last .. ' and was not applied')
  end
end

-- A negative budget: a store without indexes, which leaves the watermark alone.
local wmkey = base .. 'indexed-to'
local inorder = false
if budget >= 0 then
  local wm = redis.call('GET', wmkey)
  local top = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
  inorder = top == nil or (wm and cmp_ids(wm, top[1]) >= 0)
  if not inorder and budget > 0 then
    local _, _, _, _, done = index_tail(stream, base, field, budget)
    inorder = done
  end
end

local ids = {}
local k = 2
local a = 13
local shapes = ARGV[12]
local full = tonumber(ARGV[11])
if shapes ~= '' then
  full = 0
  local mlargs = maxlen ~= ''
  for i = 1, tonumber(ARGV[11]) do
    local raw = ARGV[a]
    a = a + 1
    local id
    if mlargs then id = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', field, raw)
    else id = redis.call('XADD', stream, '*', field, raw) end
    local ni, nc = string.byte(shapes, 2 * i - 1) - 48, string.byte(shapes, 2 * i) - 48
    if inorder then
      for j = 1, ni do
        added(redis.pcall('XADD', KEYS[k], id, 'i', ''))
        k = k + 1
      end
      for j = 1, nc do
        added(redis.pcall('XADD', KEYS[k], id, field, raw))
        k = k + 1
      end
    else
      k = k + ni + nc
    end
    if publish then redis.call('PUBLISH', channel, raw) end
    ids[i] = id
  end
end
-- The full form (after the compact one, full is 0 and this loop does not run).
for i = 1, full do
  local n = tonumber(ARGV[a])
  local f = a + 1
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
  if inorder then
    for j = 1, ni do
      add_index(KEYS[k], id, nil)
      k = k + 1
    end
    local copy
    if nc > 0 then
      copy = {}
      for x = f, f + n - 1 do copy[#copy + 1] = ARGV[x] end
    end
    for j = 1, nc do
      add_index(KEYS[k], id, copy)
      k = k + 1
    end
  else
    k = k + ni + nc
  end
  if publish then
    for j = f, f + n - 2, 2 do
      if ARGV[j] == field then
        redis.call('PUBLISH', channel, ARGV[j + 1])
        break
      end
    end
  end
  ids[i] = id
end
if inorder and #ids > 0 then redis.call('SET', wmkey, ids[#ids]) end

if pkey then
  local recent = redis.call('HGET', pkey, 'recent') or ''
  local kept = {}
  for s in string.gmatch(recent, '%S+') do kept[#kept + 1] = s end
  kept[#kept + 1] = seqtext
  local window = tonumber(ARGV[10])
  while #kept > window do
    redis.call('HDEL', pkey, 's:' .. table.remove(kept, 1))
  end
  redis.call('HSET', pkey, 'seq', seqtext, 's:' .. seqtext, table.concat(ids, ' '), 'recent', table.concat(kept, ' '))
  redis.call('PEXPIRE', pkey, ARGV[9])
end
local out = { 'new', inorder and '1' or '0' }
for i = 1, #ids do out[i + 2] = ids[i] end
return out
`;

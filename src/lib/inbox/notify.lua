#!lua flags=allow-key-locking
-- Adds a notification to a user's inbox, caps the inbox, recomputes the counts and publishes them
-- to the user's channel, all in one step, so every tab's badge converges on the same numbers.
-- Eviction past the cap: archived first, then read, oldest first; an unread item only when no
-- read or archived one is left.
-- KEYS[1] ZSET box (not archived)   KEYS[2] ZSET unread   KEYS[3] ZSET unseen   KEYS[4] ZSET archived
--   (every ZSET: member = score = the item id, which rises with arrival)
-- KEYS[5] HASH id -> item JSON      KEYS[6] HASH dedup key -> id      KEYS[7] STRING id counter
-- KEYS[8] the user channel's history stream, also its pub/sub channel
-- ARGV[1] title  ARGV[2] body  ARGV[3] data JSON  ARGV[4] dedup key or ""  ARGV[5] now ms
-- ARGV[6] cap    ARGV[7] channel history length   ARGV[8] channel history ttl ms
-- Reply: JSON {id, duplicate, counts, evicted}
local function counts()
  return '{"unread":' .. redis.call("ZCARD", KEYS[2]) .. ',"unseen":' .. redis.call("ZCARD", KEYS[3]) .. ',"total":'
    .. redis.call("ZCARD", KEYS[1]) .. ',"archived":' .. redis.call("ZCARD", KEYS[4]) .. "}"
end
local key = ARGV[4]
if key ~= "" then
  local existing = redis.call("HGET", KEYS[6], key)
  if existing then
    return '{"id":' .. existing .. ',"duplicate":true,"counts":' .. counts() .. ',"evicted":[]}'
  end
end
local id = redis.call("INCR", KEYS[7])
local keyJson = "null"
if key ~= "" then keyJson = cjson.encode(key) end
local item = '{"id":' .. id .. ',"title":' .. cjson.encode(ARGV[1]) .. ',"body":' .. cjson.encode(ARGV[2]) .. ',"data":'
  .. ARGV[3] .. ',"key":' .. keyJson .. ',"createdAt":' .. ARGV[5] .. "}"
redis.call("HSET", KEYS[5], id, item)
for i = 1, 3 do redis.call("ZADD", KEYS[i], id, id) end
if key ~= "" then redis.call("HSET", KEYS[6], key, id) end

local evicted = {}
local function evict(victim)
  local stored = redis.call("HGET", KEYS[5], victim)
  if stored then
    local ok, decoded = pcall(cjson.decode, stored)
    if ok and type(decoded.key) == "string" then redis.call("HDEL", KEYS[6], decoded.key) end
  end
  redis.call("HDEL", KEYS[5], victim)
  for i = 1, 4 do redis.call("ZREM", KEYS[i], victim) end
  evicted[#evicted + 1] = victim
end
local over = redis.call("ZCARD", KEYS[1]) + redis.call("ZCARD", KEYS[4]) - tonumber(ARGV[6])
if over > 0 then
  for _, victim in ipairs(redis.call("ZRANGE", KEYS[4], 0, over - 1)) do evict(victim) end
  over = over - #evicted
end
local offset = 0
while over > 0 do
  local page = redis.call("ZRANGE", KEYS[1], offset, offset + 99)
  if #page == 0 then break end
  for _, candidate in ipairs(page) do
    if over > 0 and not redis.call("ZSCORE", KEYS[2], candidate) then
      evict(candidate)
      over = over - 1
    else
      offset = offset + 1
    end
  end
end
if over > 0 then
  for _, victim in ipairs(redis.call("ZRANGE", KEYS[2], 0, over - 1)) do evict(victim) end
end

local c = counts()
local list = "[" .. table.concat(evicted, ",") .. "]"
local data = '{"action":"notify","notification":' .. item .. ',"counts":' .. c .. ',"evicted":' .. list .. "}"
local eid = redis.call("XADD", KEYS[8], "MAXLEN", "~", ARGV[7], "*", "e", "inbox", "d", data)
redis.call("PEXPIRE", KEYS[8], ARGV[8])
redis.call("PUBLISH", KEYS[8], '{"id":"' .. eid .. '","event":"inbox","data":' .. data .. "}")
return '{"id":' .. id .. ',"duplicate":false,"counts":' .. c .. ',"evicted":' .. list .. "}"

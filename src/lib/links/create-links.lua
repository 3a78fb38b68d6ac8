#!lua flags=allow-key-locking
-- Creates one or more links with SET NX semantics: a taken slug is skipped, nothing of it written.
-- Touches the SHARED index KEYS[1] and, for a bulk, the records of several links (several hash tags):
-- on a Redis cluster it needs every key in one slot, which Upstash and a single node always give.
-- KEYS[1]     the index of all links (zset, shared; members score 0, newest first in lexical order)
-- KEYS[2..n]  each new link's record (hash), in the order of ARGV[1]'s items
-- ARGV[1]     JSON array of {member = index member, fields = {name = string value, ...}}
-- Reply: an array of integers, one per item: 1 created, 0 slug taken
local items = cjson.decode(ARGV[1])
local results = {}
for i, item in ipairs(items) do
  local key = KEYS[i + 1]
  if redis.call("EXISTS", key) == 1 then
    results[i] = 0
  else
    local args = {}
    for name, value in pairs(item.fields) do
      args[#args + 1] = name
      args[#args + 1] = value
    end
    redis.call("HSET", key, unpack(args))
    redis.call("ZADD", KEYS[1], 0, item.member)
    results[i] = 1
  end
end
return results

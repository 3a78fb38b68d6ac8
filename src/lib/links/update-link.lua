#!lua flags=allow-key-locking
-- Changes the settings of one existing link in one step (never creates one) and reads it back.
-- KEYS[1]  the link's record (hash)
-- KEYS[2]  the link's counts (hash: humans, bots)
-- ARGV[1]  JSON object of fields to set (string values)
-- ARGV[2]  JSON array of field names to delete
-- Reply: one JSON string, as read-link.lua: {found = 0} or {found = 1, fields, humans, bots}
if redis.call("EXISTS", KEYS[1]) == 0 then
  return cjson.encode({ found = 0 })
end
local set = cjson.decode(ARGV[1])
local args = {}
for name, value in pairs(set) do
  args[#args + 1] = name
  args[#args + 1] = value
end
if #args > 0 then
  redis.call("HSET", KEYS[1], unpack(args))
end
local unset = cjson.decode(ARGV[2])
if #unset > 0 then
  redis.call("HDEL", KEYS[1], unpack(unset))
end
local flat = redis.call("HGETALL", KEYS[1])
local fields = {}
for i = 1, #flat, 2 do
  fields[flat[i]] = flat[i + 1]
end
local counts = redis.call("HMGET", KEYS[2], "humans", "bots")
return cjson.encode({ found = 1, fields = fields, humans = tonumber(counts[1]) or 0, bots = tonumber(counts[2]) or 0 })

#!lua flags=no-writes,allow-key-locking
-- Reads one link: its record and its click counts.
-- KEYS[1]  the link's record (hash)
-- KEYS[2]  the link's counts (hash: humans, bots)
-- Reply: one JSON string {found = 0} or {found = 1, fields = {...}, humans = n, bots = n}
local flat = redis.call("HGETALL", KEYS[1])
if #flat == 0 then
  return cjson.encode({ found = 0 })
end
local fields = {}
for i = 1, #flat, 2 do
  fields[flat[i]] = flat[i + 1]
end
local counts = redis.call("HMGET", KEYS[2], "humans", "bots")
return cjson.encode({ found = 1, fields = fields, humans = tonumber(counts[1]) or 0, bots = tonumber(counts[2]) or 0 })

#!lua flags=no-writes,allow-key-locking
-- A room's roster: members whose newest heartbeat is within the ttl, newest first.
-- KEYS[1]  ZSET member -> last heartbeat ms   KEYS[2]  HASH member -> info JSON
-- ARGV[1]  now ms   ARGV[2]  ttl ms   ARGV[3]  most members to list
-- Reply: {count, roster JSON}
local cutoff = tonumber(ARGV[1]) - tonumber(ARGV[2])
local count = redis.call("ZCOUNT", KEYS[1], cutoff, "+inf")
local members = redis.call("ZREVRANGEBYSCORE", KEYS[1], "+inf", cutoff, "WITHSCORES", "LIMIT", 0, tonumber(ARGV[3]))
local parts = {}
for i = 1, #members, 2 do
  local info = redis.call("HGET", KEYS[2], members[i]) or "null"
  parts[#parts + 1] = '{"member":' .. cjson.encode(members[i]) .. ',"info":' .. info .. ',"lastSeenAt":' .. members[i + 1] .. "}"
end
return {count, "[" .. table.concat(parts, ",") .. "]"}

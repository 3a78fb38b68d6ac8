#!lua flags=allow-key-locking
-- The resource-side check of a fencing token: writes a value only if its fence is not older than
-- the highest fence the resource has seen, and records that fence. Touches only the resource.
-- KEYS[1]  the resource (hash: fence, value)
-- ARGV[1]  the writer's fence (decimal integer)
-- ARGV[2]  the value
-- ARGV[3]  time to live (ms), 0 for none
-- Reply: {1, fence} written; {0, highest fence seen} refused as stale
local seen = tonumber(redis.call("HGET", KEYS[1], "fence") or "0")
local fence = tonumber(ARGV[1])
if fence < seen then
  return {0, seen}
end
redis.call("HSET", KEYS[1], "fence", ARGV[1], "value", ARGV[2])
if tonumber(ARGV[3]) > 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[3])
else
  redis.call("PERSIST", KEYS[1])
end
return {1, fence}

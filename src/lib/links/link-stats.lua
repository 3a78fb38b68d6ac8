#!lua flags=allow-key-locking
-- Reads one link's click statistics. Not `no-writes`: Redis counts PFCOUNT as a write (it may
-- refresh the HyperLogLog's cached cardinality), and refuses it in a read-only script.
-- KEYS[1]     the link's record (hash)
-- KEYS[2]     its counts (hash: humans, bots)
-- KEYS[3]     its unique human visitors (HyperLogLog)
-- KEYS[4]     its referrer hosts (zset)
-- KEYS[5]     its countries (zset)
-- KEYS[6..n]  its per-day human click counters, newest day first
-- ARGV[1]     how many referrer hosts and countries to list
-- Reply: one JSON string {found = 0} or
--        {found = 1, humans, bots, uniques, days = [n, ...], referrers = [host, n, ...], countries = [...]}
if redis.call("EXISTS", KEYS[1]) == 0 then
  return cjson.encode({ found = 0 })
end
local counts = redis.call("HMGET", KEYS[2], "humans", "bots")
local days = {}
for i = 6, #KEYS do
  days[#days + 1] = tonumber(redis.call("GET", KEYS[i])) or 0
end
local top = tonumber(ARGV[1]) - 1
return cjson.encode({
  found = 1,
  humans = tonumber(counts[1]) or 0,
  bots = tonumber(counts[2]) or 0,
  uniques = redis.call("PFCOUNT", KEYS[3]),
  days = days,
  referrers = redis.call("ZRANGE", KEYS[4], 0, top, "REV", "WITHSCORES"),
  countries = redis.call("ZRANGE", KEYS[5], 0, top, "REV", "WITHSCORES"),
})

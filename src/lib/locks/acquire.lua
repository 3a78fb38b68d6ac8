#!lua flags=allow-key-locking
-- Grants one of `limit` slots of a lease (a lock is limit 1, a semaphore limit N) with a fencing
-- token, after dropping holders whose lease has lapsed. Touches only the lease's own keys.
-- KEYS[1]  holders (zset: token -> lease deadline, ms)
-- KEYS[2]  owners (hash: token -> "<fence>:<owner>")
-- KEYS[3]  fence counter (string; no TTL, never reset)
-- ARGV[1]  the new holder's token (random, made by the caller)
-- ARGV[2]  the owner's label
-- ARGV[3]  now (ms since the epoch)
-- ARGV[4]  lease length (ms)
-- ARGV[5]  limit: holders allowed at once
-- Reply: {1, fence, deadline} granted; {0, ms until the first holder's lease ends} when full
local now = tonumber(ARGV[3])
local lapsed = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", now)
if #lapsed > 0 then
  redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
  redis.call("HDEL", KEYS[2], unpack(lapsed))
end
if redis.call("ZCARD", KEYS[1]) >= tonumber(ARGV[5]) then
  local first = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
  return {0, math.max(1, tonumber(first[2]) - now)}
end
-- The larger of the counter and a time floor (1,000 per ms): fences keep rising even when the
-- counter is lost (a failover that drops recent writes, a DEL).
local fence = redis.call("INCR", KEYS[3])
local floor = now * 1000
if fence < floor then
  fence = floor
  redis.call("SET", KEYS[3], string.format("%.0f", fence))
end
local deadline = now + tonumber(ARGV[4])
redis.call("ZADD", KEYS[1], deadline, ARGV[1])
redis.call("HSET", KEYS[2], ARGV[1], string.format("%.0f", fence) .. ":" .. ARGV[2])
-- The set outlives its longest lease by a minute, then Redis drops it.
local last = redis.call("ZRANGE", KEYS[1], -1, -1, "WITHSCORES")
local keep = math.max(1, tonumber(last[2]) - now) + 60000
redis.call("PEXPIRE", KEYS[1], keep)
redis.call("PEXPIRE", KEYS[2], keep)
return {1, fence, deadline}

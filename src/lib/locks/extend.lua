#!lua flags=allow-key-locking
-- Extends a live lease held by a token; the fence never changes. Touches only the lease's keys.
-- KEYS[1]  holders (zset: token -> lease deadline, ms)
-- KEYS[2]  owners (hash: token -> "<fence>:<owner>")
-- ARGV[1]  the holder's token
-- ARGV[2]  now (ms since the epoch)
-- ARGV[3]  new lease length from now (ms)
-- Reply: {1, fence, deadline} extended; {0} no such live lease (never held, released or lapsed)
local now = tonumber(ARGV[2])
local deadline = redis.call("ZSCORE", KEYS[1], ARGV[1])
if not deadline or tonumber(deadline) <= now then
  return {0}
end
local meta = redis.call("HGET", KEYS[2], ARGV[1]) or "0:"
local fence = tonumber(string.match(meta, "^(%d+):"))
local until_ = now + tonumber(ARGV[3])
redis.call("ZADD", KEYS[1], "XX", until_, ARGV[1])
local last = redis.call("ZRANGE", KEYS[1], -1, -1, "WITHSCORES")
local keep = math.max(1, tonumber(last[2]) - now) + 60000
redis.call("PEXPIRE", KEYS[1], keep)
redis.call("PEXPIRE", KEYS[2], keep)
return {1, fence, until_}

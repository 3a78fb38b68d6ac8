#!lua flags=allow-key-locking
-- Creates a session and adds it to its user's index, pruning the index of expired sessions.
-- KEYS[1]  the new session hash ({ns}session:{tag}:id:<handle>)
-- KEYS[2]  the user's index (same hash tag; sorted set of handles scored by absolute expiry)
-- ARGV[1]  now (ms since the epoch)
-- ARGV[2]  absolute expiry (ms since the epoch)
-- ARGV[3]  idle timeout (ms)
-- ARGV[4]  the session's handle
-- ARGV[5]  user id
-- ARGV[6]  user agent
-- ARGV[7..] pairs of data field name (without "d:") and its value as JSON text
-- Reply: the number of live sessions the user has now (an integer)
local now = tonumber(ARGV[1])
local expires = tonumber(ARGV[2])

local hset = { "HSET", KEYS[1], "user", ARGV[5], "created", ARGV[1], "seen", ARGV[1], "expires", ARGV[2], "ua", ARGV[6] }
for i = 7, #ARGV, 2 do
  hset[#hset + 1] = "d:" .. ARGV[i]
  hset[#hset + 1] = ARGV[i + 1]
end
redis.call("DEL", KEYS[1])
redis.call(unpack(hset))
-- TTLs are relative: `now` is the app's clock, which need not agree with Redis's.
redis.call("PEXPIRE", KEYS[1], math.min(expires - now, tonumber(ARGV[3])))

redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", now)
redis.call("ZADD", KEYS[2], expires, ARGV[4])
-- The index lives as long as its longest-lived session.
local last = redis.call("ZRANGE", KEYS[2], -1, -1, "WITHSCORES")
redis.call("PEXPIRE", KEYS[2], tonumber(last[2]) - now)
return redis.call("ZCARD", KEYS[2])

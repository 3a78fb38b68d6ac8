#!lua flags=allow-key-locking
-- Releases a live lease held by a token. Touches only the lease's own keys.
-- KEYS[1]  holders (zset: token -> lease deadline, ms)
-- KEYS[2]  owners (hash: token -> "<fence>:<owner>")
-- ARGV[1]  the holder's token
-- ARGV[2]  now (ms since the epoch)
-- Reply: 1 released; 0 no such live lease (never held, released already or lapsed)
local deadline = redis.call("ZSCORE", KEYS[1], ARGV[1])
redis.call("ZREM", KEYS[1], ARGV[1])
redis.call("HDEL", KEYS[2], ARGV[1])
if not deadline or tonumber(deadline) <= tonumber(ARGV[2]) then
  return 0
end
return 1

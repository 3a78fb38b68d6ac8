#!lua flags=allow-key-locking
-- Logs one session out: deletes its hash and its entry in the user's index, pruning the index.
-- KEYS[1]  the session hash ({ns}session:{tag}:id:<handle>)
-- KEYS[2]  the user's index (same hash tag)
-- ARGV[1]  now (ms since the epoch)
-- ARGV[2]  the session's handle
-- Reply: 1 when a session hash was deleted, else 0 (callers do not tell the client)
local deleted = redis.call("DEL", KEYS[1])
redis.call("ZREM", KEYS[2], ARGV[2])
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", tonumber(ARGV[1]))
return deleted

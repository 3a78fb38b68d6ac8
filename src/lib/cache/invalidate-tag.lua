#!lua flags=allow-key-locking
-- Invalidates a tag: no fill granted before now commits with it. Lists the first entries to sweep.
-- KEYS[1] invalidation counter   KEYS[2] the tag's marker (te)   KEYS[3] the tag's index (ti)
-- ARGV[1] marker lifetime ms (> any lease)   ARGV[2] now ms   ARGV[3] batch size
-- Reply {seq, entry id...}
local seq = redis.call("INCR", KEYS[1])
redis.call("SET", KEYS[2], seq, "PX", ARGV[1])
local ids = redis.call("ZRANGEBYSCORE", KEYS[3], "(" .. ARGV[2], "+inf", "LIMIT", 0, tonumber(ARGV[3]))
table.insert(ids, 1, seq)
return ids

#!lua flags=allow-key-locking
-- Invalidates a tag: from now on no fill granted before this call may commit with the tag, and
-- the reply lists the first entries to sweep.
-- KEYS[1]  namespace invalidation counter (string)
-- KEYS[2]  the tag's invalidation marker (te: string)
-- KEYS[3]  the tag's index (ti: zset, member = entry id, score = kept-until)
-- ARGV[1]  marker lifetime (ms): longer than any lease
-- ARGV[2]  now (ms)
-- ARGV[3]  batch size
-- Reply: {seq, member...}: the counter value this purge took, then up to a batch of entry ids
local seq = redis.call("INCR", KEYS[1])
redis.call("SET", KEYS[2], seq, "PX", ARGV[1])
local members = redis.call("ZRANGEBYSCORE", KEYS[3], "(" .. ARGV[2], "+inf", "LIMIT", 0, tonumber(ARGV[3]))
table.insert(members, 1, seq)
return members

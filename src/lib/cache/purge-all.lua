#!lua flags=allow-key-locking
-- Purges a whole namespace in O(1): every entry written under an older epoch reads as a miss and
-- no fill granted before this call commits. Redis drops the old entries when they expire.
-- KEYS[1]  namespace epoch (string)
-- Reply: the new epoch
return redis.call("INCR", KEYS[1])

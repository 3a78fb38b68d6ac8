#!lua flags=allow-key-locking
-- Deletes one geofence of a set. Places inside it leave it silently (their next update drops it).
-- KEYS[1]  {ns}place:{set}:fences    hash: fence id -> definition JSON
-- KEYS[2]  {ns}place:{set}:fencegeo  GEO zset: fence id -> centre of its bounding circle
-- KEYS[3]  {ns}place:{set}:fencer    zset: fence id -> radius of its bounding circle (m)
-- ARGV[1]  the fence id
-- Reply: 1 deleted, 0 there was none
redis.call("ZREM", KEYS[2], ARGV[1])
redis.call("ZREM", KEYS[3], ARGV[1])
return redis.call("HDEL", KEYS[1], ARGV[1])

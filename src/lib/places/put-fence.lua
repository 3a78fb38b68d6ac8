#!lua flags=allow-key-locking
-- Creates or replaces one geofence of a set, within the set's cap on fences. Memberships are not
-- recomputed here: each place's next position update decides whether it entered or left.
-- KEYS[1]  {ns}place:{set}:fences    hash: fence id -> definition JSON
-- KEYS[2]  {ns}place:{set}:fencegeo  GEO zset: fence id -> centre of its bounding circle
-- KEYS[3]  {ns}place:{set}:fencer    zset: fence id -> radius of its bounding circle (m)
-- KEYS[4]  {ns}places:{index}        SHARED by every set: set name -> ms of its last write
-- ARGV[1]  the fence id
-- ARGV[2]  its definition JSON
-- ARGV[3]  longitude of the bounding circle's centre
-- ARGV[4]  latitude of the bounding circle's centre
-- ARGV[5]  radius of the bounding circle, metres
-- ARGV[6]  most fences a set may hold
-- ARGV[7]  now, ms since the epoch
-- ARGV[8]  the set's name (member of KEYS[4])
-- Reply: 1 created, 0 replaced, -1 refused (the set already holds ARGV[6] fences)
local exists = redis.call("HEXISTS", KEYS[1], ARGV[1])
if exists == 0 and redis.call("HLEN", KEYS[1]) >= tonumber(ARGV[6]) then
  return -1
end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
redis.call("GEOADD", KEYS[2], ARGV[3], ARGV[4], ARGV[1])
redis.call("ZADD", KEYS[3], ARGV[5], ARGV[1])
redis.call("ZADD", KEYS[4], ARGV[7], ARGV[8])
return 1 - exists

#!lua flags=no-writes,allow-key-locking
-- Reads a set's settings and counts in one atomic snapshot.
-- KEYS[1]  {ns}place:{set}:settings  hash: nearby = "public" | "admin"
-- KEYS[2]  {ns}place:{set}:geo       GEO zset: place id -> position
-- KEYS[3]  {ns}place:{set}:expiry    zset: place id -> ms at which the live position expires
-- KEYS[4]  {ns}place:{set}:fences    hash: fence id -> definition JSON
-- KEYS[5]  {ns}place:{set}:events    stream of enter/leave events
-- ARGV[1]  now, ms since the epoch (the caller's clock)
-- Reply: { nearby setting ("" when unset), places, live positions not expired, fences, stream entries }
return {
  redis.call("HGET", KEYS[1], "nearby") or "",
  redis.call("ZCARD", KEYS[2]),
  redis.call("ZCOUNT", KEYS[3], "(" .. ARGV[1], "+inf"),
  redis.call("HLEN", KEYS[4]),
  redis.call("EXISTS", KEYS[5]) == 1 and redis.call("XLEN", KEYS[5]) or 0,
}

#!lua flags=allow-key-locking
-- Extends the lease of a running claim while its handler runs. Only the owner can.
-- KEYS[1]  the record (hash, see begin.lua)
-- ARGV[1]  the attempt's owner token
-- ARGV[2]  now (ms since the epoch)
-- ARGV[3]  lease length from now (ms)
-- Reply: 1 extended; 0 the claim is no longer this attempt's
local rec = redis.call("HMGET", KEYS[1], "st", "own")
if rec[1] ~= "running" or rec[2] ~= ARGV[1] then
  return 0
end
redis.call("HSET", KEYS[1], "lease", string.format("%.0f", tonumber(ARGV[2]) + tonumber(ARGV[3])))
return 1

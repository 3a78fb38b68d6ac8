#!lua flags=allow-key-locking
-- Stores the response of a claimed request, only if this attempt still owns the claim (fencing:
-- the late commit of an attempt whose lease lapsed and was taken over is refused). Touches only
-- the key's own record and tombstone.
-- KEYS[1]  the record (hash, see begin.lua)
-- KEYS[2]  the tombstone (string "<fp>:<deadline ms>")
-- ARGV[1]  the attempt's owner token
-- ARGV[2]  now (ms since the epoch)
-- ARGV[3]  the response status
-- ARGV[4]  the replayable headers (JSON array of [name, value])
-- ARGV[5]  the body (base64)
-- ARGV[6]  retention of the record (ms)
-- ARGV[7]  how long the tombstone outlives the record (ms)
-- Reply: 1 stored; 0 refused (another attempt owns the key now, or it was released)
local rec = redis.call("HMGET", KEYS[1], "st", "own", "fp")
if rec[1] ~= "running" or rec[2] ~= ARGV[1] then
  return 0
end
local now, retention, tomb = tonumber(ARGV[2]), tonumber(ARGV[6]), tonumber(ARGV[7])
redis.call("HSET", KEYS[1], "st", "done", "code", ARGV[3], "hdr", ARGV[4], "body", ARGV[5], "done", ARGV[2])
redis.call("HDEL", KEYS[1], "own", "lease")
redis.call("PEXPIRE", KEYS[1], retention)
redis.call("SET", KEYS[2], rec[3] .. ":" .. string.format("%.0f", now + retention + tomb), "PX", retention + tomb)
return 1

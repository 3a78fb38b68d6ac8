#!lua flags=allow-key-locking
-- Gives a claim back (a 5xx, 429, 408 or a throw), so a retry runs the request again. Only the
-- owner can; a taken-over claim is left to its new owner. Touches only the key's record.
-- KEYS[1]  the record (hash, see begin.lua)
-- ARGV[1]  the attempt's owner token
-- Reply: 1 released; 0 not this attempt's claim
local rec = redis.call("HMGET", KEYS[1], "st", "own")
if rec[1] ~= "running" or rec[2] ~= ARGV[1] then
  return 0
end
redis.call("DEL", KEYS[1])
return 1

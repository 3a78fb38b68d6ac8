#!lua flags=no-writes,allow-key-locking
-- Reads one place: its record, unless its live position has expired, and the fences it is inside.
-- KEYS[1]  {ns}place:{set}:data    hash: place id -> record JSON
-- KEYS[2]  {ns}place:{set}:expiry  zset: place id -> ms at which the live position expires
-- KEYS[3]  {ns}place:{set}:inside  hash: place id -> JSON array of fence ids
-- ARGV[1]  the place id
-- ARGV[2]  now, ms since the epoch (the caller's clock)
-- Reply: one JSON string {found = 0} or {found = 1, record = "<JSON>", inside = "<JSON array>" | false}
local record = redis.call("HGET", KEYS[1], ARGV[1])
local expiry = redis.call("ZSCORE", KEYS[2], ARGV[1])
if not record or (expiry and tonumber(expiry) <= tonumber(ARGV[2])) then
  return cjson.encode({ found = 0 })
end
return cjson.encode({ found = 1, record = record, inside = redis.call("HGET", KEYS[3], ARGV[1]) })

#!lua flags=allow-key-locking
-- Creates or replaces one board's settings; refuses a 1,001st board and a change of a fixed setting.
-- KEYS[1] {ns}lb:{board}   hash: def, stamp, createdAt, and order/ties/timeZone (compared here)
-- KEYS[2] {ns}lbs          the index, SHARED by every board (outside this slot)
-- ARGV[1] the settings' JSON, validated by the caller (with key, stamp and updatedAt)
-- ARGV[2] the new stamp (random, so every write is told apart, even after a delete)
-- ARGV[3] order  ARGV[4] ties  ARGV[5] timeZone  (the settings stored scores depend on)
-- ARGV[6] the board key (index member)
-- ARGV[7] now, ms since the epoch (the caller's clock)
-- ARGV[8] the most boards allowed
-- Reply: one JSON string: {"outcome":"ok","created":bool,"createdAt":n}
--   or {"outcome":"full"} or {"outcome":"fixed","field":name,"was":value}
local fixed = { "order", "ties", "timeZone" }
local was = redis.call("HMGET", KEYS[1], "createdAt", fixed[1], fixed[2], fixed[3])
if was[1] then
  for i, field in ipairs(fixed) do
    if was[i + 1] ~= ARGV[i + 2] then
      return cjson.encode({ outcome = "fixed", field = field, was = was[i + 1] })
    end
  end
elseif redis.call("ZCARD", KEYS[2]) >= tonumber(ARGV[8]) then
  return cjson.encode({ outcome = "full" })
end
local createdAt = was[1] or ARGV[7]
redis.call("HSET", KEYS[1], "def", ARGV[1], "stamp", ARGV[2], "createdAt", createdAt,
  "order", ARGV[3], "ties", ARGV[4], "timeZone", ARGV[5])
if not was[1] then
  redis.call("ZADD", KEYS[2], ARGV[7], ARGV[6])
end
return cjson.encode({ outcome = "ok", created = not was[1], createdAt = tonumber(createdAt) })

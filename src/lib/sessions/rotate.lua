#!lua flags=allow-key-locking
-- Moves a live session to a new id atomically (session fixation defence): the data, creation
-- time and absolute expiry are kept, the old id stops working at once.
-- KEYS[1]  the current session hash ({ns}session:{tag}:id:<old handle>)
-- KEYS[2]  the new session hash (same hash tag: the user's)
-- KEYS[3]  the user's index (same hash tag)
-- ARGV[1]  now (ms since the epoch)
-- ARGV[2]  idle timeout (ms)
-- ARGV[3]  the old handle
-- ARGV[4]  the new handle
-- Reply: nil when there is no live session, else the new session as read.lua encodes it
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])

local fields = redis.call("HGETALL", KEYS[1])
if #fields == 0 then return nil end
local s, data = {}, {}
for i = 1, #fields, 2 do
  local name = fields[i]
  if string.sub(name, 1, 2) == "d:" then data[string.sub(name, 3)] = fields[i + 1] else s[name] = fields[i + 1] end
end

local seen, expires = tonumber(s.seen), tonumber(s.expires)
if not seen or not expires or now >= expires or now - seen >= idle then
  redis.call("DEL", KEYS[1])
  redis.call("ZREM", KEYS[3], ARGV[3])
  return nil
end

redis.call("RENAME", KEYS[1], KEYS[2])
s.seen = ARGV[1]
redis.call("HSET", KEYS[2], "seen", ARGV[1])
redis.call("PEXPIRE", KEYS[2], math.min(expires - now, idle))
redis.call("ZREM", KEYS[3], ARGV[3])
redis.call("ZADD", KEYS[3], expires, ARGV[4])
redis.call("ZREMRANGEBYSCORE", KEYS[3], "-inf", now)

return cjson.encode({ user = s.user, created = s.created, seen = s.seen, expires = s.expires, ua = s.ua, data = data })

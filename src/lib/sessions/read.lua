#!lua flags=allow-key-locking
-- Loads a session, enforces its idle and absolute timeouts, and refreshes the idle timer at most
-- once per touch interval (so most reads write nothing).
-- KEYS[1]  the session hash ({ns}session:{tag}:id:<handle>)
-- KEYS[2]  the user's index (same hash tag): an expired session is removed from it
-- ARGV[1]  now (ms since the epoch)
-- ARGV[2]  idle timeout (ms)
-- ARGV[3]  touch interval (ms): last-seen is written only when it is at least this old
-- ARGV[4]  the session's handle (its member in the index)
-- Reply: nil when there is no live session, else one JSON string
--        {user, created, seen, expires, ua, data = {name = JSON text}}
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
  redis.call("ZREM", KEYS[2], ARGV[4])
  return nil
end

if now - seen >= tonumber(ARGV[3]) then
  s.seen = ARGV[1]
  redis.call("HSET", KEYS[1], "seen", ARGV[1])
  redis.call("PEXPIRE", KEYS[1], math.min(expires - now, idle))
end

return cjson.encode({ user = s.user, created = s.created, seen = s.seen, expires = s.expires, ua = s.ua, data = data })

#!lua flags=allow-key-locking
-- Sets and deletes a live session's data fields one by one (HSET/HDEL of single fields, so two
-- concurrent patches of different fields both survive), with the same timeout rules as read.lua.
-- KEYS[1]  the session hash ({ns}session:{tag}:id:<handle>)
-- KEYS[2]  the user's index (same hash tag): an expired session is removed from it
-- ARGV[1]  now (ms since the epoch)
-- ARGV[2]  idle timeout (ms)
-- ARGV[3]  touch interval (ms)
-- ARGV[4]  the session's handle
-- ARGV[5]  most data fields a session may hold
-- ARGV[6..] pairs of data field name (without "d:") and its value as JSON text, "" to delete it
-- Reply: nil when there is no live session; else one JSON string: {"tooMany": n} when the result
--        would hold n > ARGV[5] fields (nothing written), or the session as read.lua encodes it
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])

local fields = redis.call("HGETALL", KEYS[1])
if #fields == 0 then return nil end
local s, data = {}, {}
local count = 0
for i = 1, #fields, 2 do
  local name = fields[i]
  if string.sub(name, 1, 2) == "d:" then
    data[string.sub(name, 3)] = fields[i + 1]
    count = count + 1
  else
    s[name] = fields[i + 1]
  end
end

local seen, expires = tonumber(s.seen), tonumber(s.expires)
if not seen or not expires or now >= expires or now - seen >= idle then
  redis.call("DEL", KEYS[1])
  redis.call("ZREM", KEYS[2], ARGV[4])
  return nil
end

-- Validate the whole patch before the first write.
for i = 6, #ARGV, 2 do
  local present = data[ARGV[i]] ~= nil
  if ARGV[i + 1] == "" then
    if present then count = count - 1 end
  elseif not present then
    count = count + 1
  end
  data[ARGV[i]] = ARGV[i + 1]
end
if count > tonumber(ARGV[5]) then return cjson.encode({ tooMany = count }) end

for i = 6, #ARGV, 2 do
  if ARGV[i + 1] == "" then
    redis.call("HDEL", KEYS[1], "d:" .. ARGV[i])
    data[ARGV[i]] = nil
  else
    redis.call("HSET", KEYS[1], "d:" .. ARGV[i], ARGV[i + 1])
  end
end

if now - seen >= tonumber(ARGV[3]) then
  s.seen = ARGV[1]
  redis.call("HSET", KEYS[1], "seen", ARGV[1])
  redis.call("PEXPIRE", KEYS[1], math.min(expires - now, idle))
end

return cjson.encode({ user = s.user, created = s.created, seen = s.seen, expires = s.expires, ua = s.ua, data = data })

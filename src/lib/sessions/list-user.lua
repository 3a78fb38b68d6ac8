#!lua flags=allow-key-locking
-- Lists a user's live sessions, cleaning the index of every session that has ended.
-- KEYS[1]     the user's index ({ns}session:{tag}:index)
-- KEYS[2..n]  the session hash of each handle in ARGV[3..], in the same order
-- ARGV[1]     now (ms since the epoch)
-- ARGV[2]     idle timeout (ms)
-- ARGV[3..]   the handles the caller read from the index just before (ZRANGE)
-- Every key is in KEYS (Upstash's allow-key-locking), so the caller reads the index first; if it
-- gained a handle since (a login in between), nothing is written and the caller reads it again.
-- Reply: nil when the index changed; else one JSON string, an array of
--        {handle, user, created, seen, expires, ua}
--        (an empty array encodes as {}: cjson cannot tell an empty array from an empty object)
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])

local keyOf = {}
for i = 3, #ARGV do keyOf[ARGV[i]] = KEYS[i - 1] end
local handles = redis.call("ZRANGE", KEYS[1], 0, -1)
for _, handle in ipairs(handles) do
  if not keyOf[handle] then return nil end
end

redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
local sessions = {}
for _, handle in ipairs(redis.call("ZRANGE", KEYS[1], 0, -1)) do
  local key = keyOf[handle]
  local f = redis.call("HMGET", key, "user", "created", "seen", "expires", "ua")
  local seen = tonumber(f[3])
  if not f[1] or not seen then
    -- Gone through its idle TTL.
    redis.call("ZREM", KEYS[1], handle)
  elseif now - seen >= idle then
    redis.call("DEL", key)
    redis.call("ZREM", KEYS[1], handle)
  else
    sessions[#sessions + 1] = { handle = handle, user = f[1], created = f[2], seen = f[3], expires = f[4], ua = f[5] }
  end
end
return cjson.encode(sessions)

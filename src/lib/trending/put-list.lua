#!lua flags=allow-key-locking
-- Creates or replaces one trending list's settings; refuses a 1,001st list, and a new half-life
-- while the list holds items (their stored sums were decayed with the old one).
-- KEYS[1] {ns}tr:{list}         hash: def, landmark, halfLife, cap, undo, createdAt
-- KEYS[2] {ns}tr:{list}:items   item -> S (only counted here)
-- KEYS[3] {ns}trs               the index, SHARED by every list (outside this slot)
-- ARGV[1] the settings' JSON (validated by the caller)
-- ARGV[2] half-life (s)  ARGV[3] cap  ARGV[4] undo window (s)
-- ARGV[5] the list key (index member)
-- ARGV[6] now, ms since the epoch (the caller's clock): the landmark of a new list
-- ARGV[7] the most lists allowed
-- Reply: one JSON string: {"outcome":"ok","created":bool,"createdAt":n,"landmark":n}
--   or {"outcome":"full"} or {"outcome":"fixed","was":halfLife}
local was = redis.call("HMGET", KEYS[1], "createdAt", "halfLife", "landmark")
if was[1] then
  if was[2] ~= ARGV[2] and redis.call("ZCARD", KEYS[2]) > 0 then
    return cjson.encode({ outcome = "fixed", was = tonumber(was[2]) })
  end
elseif redis.call("ZCARD", KEYS[3]) >= tonumber(ARGV[7]) then
  return cjson.encode({ outcome = "full" })
end
local createdAt, landmark = was[1] or ARGV[6], was[3] or ARGV[6]
redis.call("HSET", KEYS[1], "def", ARGV[1], "halfLife", ARGV[2], "cap", ARGV[3], "undo", ARGV[4],
  "landmark", landmark, "createdAt", createdAt)
if not was[1] then redis.call("ZADD", KEYS[3], ARGV[6], ARGV[5]) end
return cjson.encode({ outcome = "ok", created = not was[1], createdAt = tonumber(createdAt), landmark = tonumber(landmark) })

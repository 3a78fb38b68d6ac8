#!lua flags=allow-key-locking
-- Marks notifications read, seen or archived (by ids, or every one up to an id: "mark all read"
-- takes the newest id the user saw, so one arriving mid-click stays unread), recomputes the
-- counts and publishes them to the user's channel when something changed.
-- Read implies seen; archiving takes an item out of the box, unread and unseen.
-- KEYS[1] ZSET box  KEYS[2] ZSET unread  KEYS[3] ZSET unseen  KEYS[4] ZSET archived
-- KEYS[5] the user channel's history stream, also its pub/sub channel
-- ARGV[1] "read" | "seen" | "archive"   ARGV[2] channel history length   ARGV[3] channel history ttl ms
-- ARGV[4] "upTo" | "ids"   ARGV[5..] the id to go up to, or the ids
-- Reply: JSON {changed: [ids], counts}
local action = ARGV[1]
local targets
if ARGV[4] == "upTo" then
  local from = KEYS[2]
  if action == "seen" then from = KEYS[3] elseif action == "archive" then from = KEYS[1] end
  targets = redis.call("ZRANGEBYSCORE", from, "-inf", ARGV[5])
  if action == "read" then
    -- Seen-but-unread and unseen-but-read cannot both exist; unseen ones up to the id go too.
    for _, id in ipairs(redis.call("ZRANGEBYSCORE", KEYS[3], "-inf", ARGV[5])) do targets[#targets + 1] = id end
  end
else
  targets = {}
  for i = 5, #ARGV do targets[#targets + 1] = ARGV[i] end
end
local changed, seen = {}, {}
for _, id in ipairs(targets) do
  if not seen[id] then
    seen[id] = true
    local hit = 0
    if action == "read" then
      hit = redis.call("ZREM", KEYS[2], id) + redis.call("ZREM", KEYS[3], id)
    elseif action == "seen" then
      hit = redis.call("ZREM", KEYS[3], id)
    elseif redis.call("ZSCORE", KEYS[1], id) then
      redis.call("ZREM", KEYS[1], id)
      redis.call("ZREM", KEYS[2], id)
      redis.call("ZREM", KEYS[3], id)
      redis.call("ZADD", KEYS[4], id, id)
      hit = 1
    end
    if hit > 0 then changed[#changed + 1] = id end
  end
end
local counts = '{"unread":' .. redis.call("ZCARD", KEYS[2]) .. ',"unseen":' .. redis.call("ZCARD", KEYS[3])
  .. ',"total":' .. redis.call("ZCARD", KEYS[1]) .. ',"archived":' .. redis.call("ZCARD", KEYS[4]) .. "}"
local list = "[" .. table.concat(changed, ",") .. "]"
if #changed > 0 then
  local data = '{"action":"' .. action .. '","ids":' .. list .. ',"counts":' .. counts .. "}"
  local eid = redis.call("XADD", KEYS[5], "MAXLEN", "~", ARGV[2], "*", "e", "inbox", "d", data)
  redis.call("PEXPIRE", KEYS[5], ARGV[3])
  redis.call("PUBLISH", KEYS[5], '{"id":"' .. eid .. '","event":"inbox","data":' .. data .. "}")
end
return '{"changed":' .. list .. ',"counts":' .. counts .. "}"

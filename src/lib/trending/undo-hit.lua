#!lua flags=allow-key-locking
-- Undoes one hit by its id: subtracts exactly the x that hit added, once.
-- KEYS[1..5] as in hit.lua (list hash, items, meta, hits, undo)
-- ARGV[1] the hit id  ARGV[2] now, ms (the caller's clock)
-- Reply: one JSON string {"outcome":"ok","item":s,"heat":"<%.17g>"|null} ("heat" null: the item
--   left the list), {"outcome":"unknown"} (no such hit, already undone, or its window closed),
--   or {"outcome":"missing"} (no such list).
-- Exact where it matters: the item keeps a count of its live hits, so undoing all of them removes
-- it outright (no float residue); otherwise S ← S + ln(1 − e^(x − S)), the log of the exact
-- difference, rounded once. A hit on an item that has since been pruned and hit again belongs to
-- its earlier life (the adding hit's id differs) and is not subtracted from the new one.
local list = redis.call("HMGET", KEYS[1], "landmark", "halfLife")
if not list[1] then return cjson.encode({ outcome = "missing" }) end
local now = tonumber(ARGV[2])
local record = redis.call("HGET", KEYS[4], ARGV[1])
local closes = tonumber(redis.call("ZSCORE", KEYS[5], ARGV[1]))
redis.call("HDEL", KEYS[4], ARGV[1])
redis.call("ZREM", KEYS[5], ARGV[1])
if not record or not closes or closes <= now then return cjson.encode({ outcome = "unknown" }) end
local x, born, item = string.match(record, "^(%S+) (%S+) (.+)$")
x = tonumber(x)
local function fmt(n) return string.format("%.17g", n) end
local age = (now - tonumber(list[1])) * math.log(2) / (tonumber(list[2]) * 1000)
local meta = redis.call("HGET", KEYS[3], item)
local s = tonumber(redis.call("ZSCORE", KEYS[2], item))
if not meta or not s then return cjson.encode({ outcome = "ok", item = item, heat = cjson.null }) end
local count, current = string.match(meta, "^(%d+) (.+)$")
if current ~= born then return cjson.encode({ outcome = "ok", item = item, heat = fmt(math.exp(s - age)) }) end
count = tonumber(count) - 1
if count <= 0 or x >= s then
  redis.call("ZREM", KEYS[2], item)
  redis.call("HDEL", KEYS[3], item)
  return cjson.encode({ outcome = "ok", item = item, heat = cjson.null })
end
s = s + math.log(1 - math.exp(x - s))
redis.call("ZADD", KEYS[2], fmt(s), item)
redis.call("HSET", KEYS[3], item, count .. " " .. born)
return cjson.encode({ outcome = "ok", item = item, heat = fmt(math.exp(s - age)) })

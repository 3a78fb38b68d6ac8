#!lua flags=allow-key-locking
-- Records one hit on an item of a trending list by forward decay in log space, then prunes.
-- KEYS[1] {ns}tr:{list}          hash: landmark (ms), halfLife (s), cap, undo (s)
-- KEYS[2] {ns}tr:{list}:items    item -> S = ln Σ wᵢ·2^((tᵢ − landmark)/halfLife)
-- KEYS[3] {ns}tr:{list}:meta     item -> "<live hits> <id of the hit that added the item>"
-- KEYS[4] {ns}tr:{list}:hits     hit id -> "<x> <adding hit id> <item>" (for undo)
-- KEYS[5] {ns}tr:{list}:undo     hit id -> when its undo window closes (ms)
-- ARGV[1] the item  ARGV[2] the weight (> 0)  ARGV[3] now, ms (the caller's clock)
-- ARGV[4] the new hit's id (random, from the caller)  ARGV[5] the lowest heat kept
-- Reply: one JSON string {"outcome":"ok","heat":"<%.17g>","rank":n|null} or {"outcome":"missing"}.
-- A hit adds x = ln w + (t − landmark)·ln 2/halfLife to S by log-sum-exp: the order of the set is
-- the order of heat at every moment, nothing is ever rescored and nothing overflows.
local list = redis.call("HMGET", KEYS[1], "landmark", "halfLife", "cap", "undo")
if not list[1] then return cjson.encode({ outcome = "missing" }) end
local now, item, id = tonumber(ARGV[3]), ARGV[1], ARGV[4]
local rate = math.log(2) / (tonumber(list[2]) * 1000)
local age = (now - tonumber(list[1])) * rate
local x = math.log(tonumber(ARGV[2])) + age
local function fmt(n) return string.format("%.17g", n) end

local s = tonumber(redis.call("ZSCORE", KEYS[2], item))
local meta = redis.call("HGET", KEYS[3], item)
local count, born = 0, id
if s and meta then
  local c, b = string.match(meta, "^(%d+) (.+)$")
  count, born = tonumber(c), b
  local high = math.max(s, x)
  s = high + math.log(1 + math.exp(-math.abs(s - x)))
else
  s = x
end
redis.call("ZADD", KEYS[2], fmt(s), item)
redis.call("HSET", KEYS[3], item, (count + 1) .. " " .. born)
local undo = tonumber(list[4]) * 1000
if undo > 0 then
  redis.call("HSET", KEYS[4], id, fmt(x) .. " " .. born .. " " .. item)
  redis.call("ZADD", KEYS[5], now + undo, id)
end

-- Pruning, bounded per write: closed undo windows, items gone cold, then the coldest over the cap.
for _, old in ipairs(redis.call("ZRANGEBYSCORE", KEYS[5], "-inf", now, "LIMIT", 0, 100)) do
  redis.call("HDEL", KEYS[4], old)
  redis.call("ZREM", KEYS[5], old)
end
local floor = age + math.log(tonumber(ARGV[5]))
for _, cold in ipairs(redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", "(" .. fmt(floor), "LIMIT", 0, 100)) do
  redis.call("ZREM", KEYS[2], cold)
  redis.call("HDEL", KEYS[3], cold)
end
local over = redis.call("ZCARD", KEYS[2]) - tonumber(list[3])
if over > 0 then
  local popped = redis.call("ZPOPMIN", KEYS[2], over)
  for i = 1, #popped, 2 do redis.call("HDEL", KEYS[3], popped[i]) end
end
local rank = redis.call("ZREVRANK", KEYS[2], item)
return cjson.encode({
  outcome = "ok",
  heat = fmt(math.exp(s - age)),
  rank = rank and rank + 1 or cjson.null,
  id = undo > 0 and id or cjson.null,
})

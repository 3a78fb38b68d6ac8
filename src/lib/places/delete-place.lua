#!lua flags=allow-key-locking
-- Deletes one place whole, with a leave event for every fence it was inside.
-- KEYS[1]  {ns}place:{set}:geo     GEO zset: place id -> position
-- KEYS[2]  {ns}place:{set}:data    hash: place id -> record JSON
-- KEYS[3]  {ns}place:{set}:expiry  zset: place id -> ms at which the live position expires
-- KEYS[4]  {ns}place:{set}:inside  hash: place id -> JSON array of fence ids
-- KEYS[5]  {ns}place:{set}:events  stream of enter/leave events (MAXLEN ~ ARGV[3])
-- ARGV[1]  the place id
-- ARGV[2]  now, ms since the epoch (the caller's clock)
-- ARGV[3]  stream entries kept (approximately)
-- Reply: 1 when a live place was deleted, 0 when there was none (or it had expired; its remains go too)
local id = ARGV[1]
local expiry = redis.call("ZSCORE", KEYS[3], id)
local expired = expiry and tonumber(expiry) <= tonumber(ARGV[2])
local reason = expired and "expired" or "deleted"
local state = redis.call("HGET", KEYS[4], id)
if state then
  for _, fence in ipairs(cjson.decode(state)) do
    redis.call("XADD", KEYS[5], "MAXLEN", "~", ARGV[3], "*",
      "event", "leave", "fence", fence, "place", id, "at", ARGV[2], "reason", reason)
  end
end
redis.call("ZREM", KEYS[1], id)
redis.call("ZREM", KEYS[3], id)
redis.call("HDEL", KEYS[4], id)
local existed = redis.call("HDEL", KEYS[2], id)
if expired then return 0 end
return existed

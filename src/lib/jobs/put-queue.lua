#!lua flags=allow-key-locking
-- Writes a queue's settings if nobody changed them since they were read (compare and set on
-- updatedAt), lists the queue in the shared index, and re-enables endpoints.
-- Touches the SHARED index KEYS[2]: on a Redis cluster it needs both keys in one slot, which
-- Upstash and a single node always give.
-- KEYS[1]  the queue's settings (string JSON)
-- KEYS[2]  the index of queue names (set, shared)
-- KEYS[3]  the queue's endpoints (hash: origin -> state JSON)
-- ARGV[1]  the updatedAt the settings were read with ("" when they did not exist)
-- ARGV[2]  the new settings JSON
-- ARGV[3]  the queue's name
-- ARGV[4]  JSON array of endpoint origins to enable again
-- Reply: 1 created, 2 updated, 0 changed meanwhile (nothing written)
local current = redis.call("GET", KEYS[1])
local seen = current and tostring(cjson.decode(current).updatedAt) or ""
if seen ~= ARGV[1] then return 0 end
redis.call("SET", KEYS[1], ARGV[2])
redis.call("SADD", KEYS[2], ARGV[3])
for _, origin in ipairs(cjson.decode(ARGV[4])) do
  local raw = redis.call("HGET", KEYS[3], origin)
  if raw then
    local ep = cjson.decode(raw)
    ep.disabledAt = nil
    ep.disabledReason = nil
    ep.failingSince = nil
    redis.call("HSET", KEYS[3], origin, cjson.encode(ep))
  end
end
if current then return 2 end
return 1

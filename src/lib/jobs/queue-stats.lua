#!lua flags=no-writes,allow-key-locking
-- Reads a queue's counters in one script.
-- KEYS[1]  the work stream (group "w")
-- KEYS[2]  delayed jobs (zset: job id -> due ms)
-- KEYS[3]  the dead-letter stream
-- KEYS[4]  endpoints (hash: origin -> state JSON)
-- KEYS[5]  states (hash: job id -> state JSON)
-- KEYS[6]  the queue's settings (string)
-- ARGV[1]  now, ms since the epoch
-- Reply: one JSON string {found, stream, pending, delayed, dueDelayed, oldestDueAt, dlq, jobs,
--   disabled = {{origin, at, reason}, ...}}
if redis.call("EXISTS", KEYS[6]) == 0 then return cjson.encode({found = false}) end
local now = tonumber(ARGV[1])
local pending = 0
local groups = redis.pcall("XINFO", "GROUPS", KEYS[1])
if type(groups) == "table" and not groups.err then
  for _, group in ipairs(groups) do
    for i = 1, #group, 2 do
      if group[i] == "pending" then pending = group[i + 1] end
    end
  end
end
local disabled = {}
local endpoints = redis.call("HGETALL", KEYS[4])
for i = 1, #endpoints, 2 do
  local ep = cjson.decode(endpoints[i + 1])
  if ep.disabledAt then disabled[#disabled + 1] = {endpoints[i], ep.disabledAt, ep.disabledReason or ""} end
end
local oldest = redis.call("ZRANGE", KEYS[2], 0, 0, "WITHSCORES")
return cjson.encode({
  found = true,
  stream = redis.call("XLEN", KEYS[1]),
  pending = pending,
  delayed = redis.call("ZCARD", KEYS[2]),
  dueDelayed = redis.call("ZCOUNT", KEYS[2], "-inf", now),
  oldestDueAt = oldest[2] and tonumber(oldest[2]) or cjson.null,
  dlq = redis.call("XLEN", KEYS[3]),
  jobs = redis.call("HLEN", KEYS[5]),
  disabled = disabled,
})

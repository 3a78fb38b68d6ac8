#!lua flags=allow-key-locking
-- First phase of two-phase dedup: claims each id that is neither seen nor claimed (a claim whose
-- lease lapsed can be claimed again). Touches only the namespace's keys.
-- KEYS[1..n]  each id's key (string: "1" seen, or "c:<deadline ms>:<token>" claimed)
-- ARGV[1]     the claimer's token
-- ARGV[2]     now (ms since the epoch)
-- ARGV[3]     claim lease (ms)
-- Reply: one integer per id, in order: 1 claimed (new), 0 seen, 2 claimed by another (in flight)
local now, lease = tonumber(ARGV[2]), tonumber(ARGV[3])
local claim = "c:" .. string.format("%.0f", now + lease) .. ":" .. ARGV[1]
local reply = {}
for i, key in ipairs(KEYS) do
  local value = redis.call("GET", key)
  if value == "1" then
    reply[i] = 0
  elseif value and tonumber(string.match(value, "^c:(%d+):")) > now then
    reply[i] = 2
  else
    -- Kept a minute past the lease, so a late ack can still be told from a lapse.
    redis.call("SET", key, claim, "PX", lease + 60000)
    reply[i] = 1
  end
end
return reply

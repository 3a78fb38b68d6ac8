#!lua flags=allow-key-locking
-- Marks a batch of event ids as seen, answering which were new. An id claimed by a live
-- two-phase claim counts as seen; one whose claim lapsed is new. Touches only the namespace's keys.
-- KEYS[1..n]  each id's key (string: "1" seen, or "c:<deadline ms>:<token>" claimed)
-- ARGV[1]     how long a seen id is remembered (ms)
-- ARGV[2]     now (ms since the epoch)
-- Reply: one integer per id, in order: 1 new (now marked), 0 seen
local now = tonumber(ARGV[2])
local reply = {}
for i, key in ipairs(KEYS) do
  local value = redis.call("GET", key)
  local lapsed = false
  if value and string.sub(value, 1, 2) == "c:" then
    lapsed = tonumber(string.match(value, "^c:(%d+):")) <= now
  end
  if not value or lapsed then
    redis.call("SET", key, "1", "PX", ARGV[1])
    reply[i] = 1
  else
    reply[i] = 0
  end
end
return reply

#!lua flags=allow-key-locking
-- Second phase of two-phase dedup: ack marks claimed ids seen, release frees them for a retry.
-- Only the claimer's token settles a claim (even a lapsed one, if nobody claimed it since).
-- Touches only the namespace's keys.
-- KEYS[1..n]  each id's key (string: "1" seen, or "c:<deadline ms>:<token>" claimed)
-- ARGV[1]     the claimer's token
-- ARGV[2]     "ack" or "release"
-- ARGV[3]     ack: how long a seen id is remembered (ms)
-- Reply: one integer per id, in order: 1 settled, 0 not this token's claim (lost)
local reply = {}
for i, key in ipairs(KEYS) do
  local value = redis.call("GET", key)
  if value and string.match(value, "^c:%d+:(.*)$") == ARGV[1] then
    if ARGV[2] == "ack" then
      redis.call("SET", key, "1", "PX", ARGV[3])
    else
      redis.call("DEL", key)
    end
    reply[i] = 1
  else
    reply[i] = 0
  end
end
return reply

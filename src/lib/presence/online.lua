#!lua flags=no-writes,allow-key-locking
-- Which of these members are in the room now (heartbeat within the ttl).
-- KEYS[1]  ZSET member -> last heartbeat ms
-- ARGV[1]  now ms   ARGV[2]  ttl ms   ARGV[3..]  member ids (up to 100)
-- Reply: one 0|1 per member, in order
local cutoff = tonumber(ARGV[1]) - tonumber(ARGV[2])
local reply = {}
for i = 3, #ARGV do
  local seen = redis.call("ZSCORE", KEYS[1], ARGV[i])
  reply[#reply + 1] = (seen and tonumber(seen) >= cutoff) and 1 or 0
end
return reply

#!lua flags=allow-key-locking
-- Deletes one link and every key it owns, and takes it out of the index.
-- Touches the SHARED index KEYS[6] besides the link's own keys.
-- KEYS[1]     the link's record (hash)
-- KEYS[2]     its counts (hash)
-- KEYS[3]     its unique visitors (HyperLogLog)
-- KEYS[4]     its referrer hosts (zset)
-- KEYS[5]     its countries (zset)
-- KEYS[6]     the index of all links (zset, shared)
-- KEYS[7..n]  its per-day counters for every day still retained, then its wrong-password counter
-- ARGV[1]     the slug (to rebuild its index member; the format is indexMember() in keys.ts)
-- Reply: 1 deleted, 0 no such link
local createdAt = redis.call("HGET", KEYS[1], "createdAt")
if not createdAt then
  return 0
end
local member = string.format("%013d", 9999999999999 - tonumber(createdAt)) .. ":" .. ARGV[1]
redis.call("ZREM", KEYS[6], member)
redis.call("DEL", KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
for i = 7, #KEYS do
  redis.call("DEL", KEYS[i])
end
return 1

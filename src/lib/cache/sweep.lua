#!lua flags=allow-key-locking
-- Purges a batch of a tag's entries: soft (fr = 0; kept in the index for a later hard purge) or
-- hard (deleted). Entries filled after the invalidation (gs >= seq) are left alone.
-- KEYS[1] the tag's index   KEYS[2..] the batch's entries, in the order of ARGV[6..]
-- ARGV[1] seq of the invalidation  [2] "hard"|"soft"  [3] now  [4] entries kept so far  [5] batch
-- ARGV[6..] the entry ids.   Reply {purged, kept, next batch's ids...}
local seq = tonumber(ARGV[1])
local purged, kept = 0, 0
for i = 2, #KEYS do
  local gs = redis.call("HGET", KEYS[i], "gs")
  if gs and tonumber(gs) >= seq then
    kept = kept + 1
  else
    if gs then purged = purged + 1 end
    if gs and ARGV[2] == "soft" then
      redis.call("HSET", KEYS[i], "fr", 0)
      kept = kept + 1
    else
      redis.call("DEL", KEYS[i])
      redis.call("ZREM", KEYS[1], ARGV[4 + i])
    end
  end
end
local ids = redis.call("ZRANGEBYSCORE", KEYS[1], "(" .. ARGV[3], "+inf", "LIMIT", tonumber(ARGV[4]) + kept, tonumber(ARGV[5]))
table.insert(ids, 1, kept)
table.insert(ids, 1, purged)
return ids

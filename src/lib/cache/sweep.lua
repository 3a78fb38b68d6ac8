#!lua flags=allow-key-locking
-- Purges one batch of a tag's entries, soft (marked stale: still servable inside its own
-- stale-while-revalidate / stale-if-error windows, and revalidated with its validators) or hard
-- (deleted). Entries filled after the invalidation (gs >= seq) are kept. A soft-purged entry
-- stays in the index (it can still be served, so a later hard purge must reach it).
-- KEYS[1]  the tag's index (zset)
-- KEYS[2 ..]  the batch's entries (hashes), in the order of ARGV[6 ..]
-- ARGV[1]  seq, the counter value the invalidation took
-- ARGV[2]  "hard" or "soft"
-- ARGV[3]  now (ms)
-- ARGV[4]  offset: entries of the index kept so far (skipped or soft-purged)
-- ARGV[5]  batch size
-- ARGV[6 ..]  the entry ids (index members) of KEYS[2 ..]
-- Reply: {purged, kept, member...}: counts for this batch, then the next batch's ids
local seq = tonumber(ARGV[1])
local purged, skipped = 0, 0
for i = 2, #KEYS do
  local gs = redis.call("HGET", KEYS[i], "gs")
  if gs and tonumber(gs) >= seq then
    skipped = skipped + 1
  else
    if gs then purged = purged + 1 end
    if gs and ARGV[2] == "soft" then
      redis.call("HSET", KEYS[i], "fr", 0)
      skipped = skipped + 1
    else
      redis.call("DEL", KEYS[i])
      redis.call("ZREM", KEYS[1], ARGV[4 + i])
    end
  end
end
local offset = tonumber(ARGV[4]) + skipped
local members = redis.call("ZRANGEBYSCORE", KEYS[1], "(" .. ARGV[3], "+inf", "LIMIT", offset, tonumber(ARGV[5]))
table.insert(members, 1, skipped)
table.insert(members, 1, purged)
return members

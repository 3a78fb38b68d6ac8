#!lua flags=allow-key-locking
-- Purges a batch of a tag's entries: soft (fr = 0; kept in the index for a later hard purge) or
-- hard (deleted). Entries filled after the invalidation (gs >= seq) are left alone; an entry whose
-- tag ids (ti) no longer include the tag (refilled with other tags) only leaves the index.
-- KEYS[1] the tag's index   KEYS[2..] the batch's entries, in the order of ARGV[7..]
-- ARGV[1] seq of the invalidation  [2] "hard"|"soft"  [3] now  [4] entries kept so far  [5] batch
-- ARGV[6] the tag's id  ARGV[7..] the entry ids.   Reply {purged, kept, next batch's ids...}
local seq = tonumber(ARGV[1])
local tag = "," .. ARGV[6] .. ","
local purged, kept = 0, 0
for i = 2, #KEYS do
  local f = redis.call("HMGET", KEYS[i], "gs", "ti")
  local gs, ti = f[1], f[2]
  -- An entry stored before tag ids were kept has no ti: treated as still carrying the tag.
  if ti and not string.find("," .. ti .. ",", tag, 1, true) then
    redis.call("ZREM", KEYS[1], ARGV[5 + i])
  elseif gs and tonumber(gs) >= seq then
    kept = kept + 1
  else
    if gs then purged = purged + 1 end
    if gs and ARGV[2] == "soft" then
      redis.call("HSET", KEYS[i], "fr", 0)
      kept = kept + 1
    else
      redis.call("DEL", KEYS[i])
      redis.call("ZREM", KEYS[1], ARGV[5 + i])
    end
  end
end
local ids = redis.call("ZRANGEBYSCORE", KEYS[1], "(" .. ARGV[3], "+inf", "LIMIT", tonumber(ARGV[4]) + kept, tonumber(ARGV[5]))
table.insert(ids, 1, kept)
table.insert(ids, 1, purged)
return ids

#!lua flags=allow-key-locking
-- Stores a fill, only if its lease still stands: a fill that started before a purge never
-- commits (fenced). Adds the entry to each tag's index.
-- KEYS[1]  entry to write (hash)
-- KEYS[2]  the lease this fill was granted (string)
-- KEYS[3]  namespace epoch
-- KEYS[4]  Vary marker key (the URL's own entry key), or KEYS[1] when the response has no Vary
-- KEYS[5 .. 4+n]      each tag's invalidation marker (te: string, the counter at its last purge)
-- KEYS[5+n .. 4+2n]   each tag's index (ti: zset, member = entry id, score = kept-until)
-- ARGV[1]  lease token      ARGV[2]  epoch at grant     ARGV[3]  counter at grant
-- ARGV[4]  now              ARGV[5]  fresh until (fr)   ARGV[6]  SWR until (sw)
-- ARGV[7]  SIE until (se)   ARGV[8]  kept until (ke)    ARGV[9]  fill duration (d, ms)
-- ARGV[10] value            ARGV[11] metadata           ARGV[12] negative ("1" or "")
-- ARGV[13] Vary names       ARGV[14] tags (joined by "\n")
-- ARGV[15] entry id (the tag indexes' member)           ARGV[16] n, the number of tags
-- ARGV[17] "1" keeps the stored value (a 304 revalidation refreshes metadata only)
-- Reply: {1} stored; {0, "lease"|"epoch"|"tag"|"gone"} fenced (nothing written, lease released)
if redis.call("GET", KEYS[2]) ~= ARGV[1] then return {0, "lease"} end
if (redis.call("GET", KEYS[3]) or "0") ~= ARGV[2] then
  redis.call("DEL", KEYS[2])
  return {0, "epoch"}
end
local n = tonumber(ARGV[16])
local granted = tonumber(ARGV[3])
for i = 1, n do
  local purged = redis.call("GET", KEYS[4 + i])
  if purged and tonumber(purged) > granted then
    redis.call("DEL", KEYS[2])
    return {0, "tag"}
  end
end
local now, ke = tonumber(ARGV[4]), tonumber(ARGV[8])
local value = ARGV[10]
if ARGV[17] == "1" then
  value = redis.call("HGET", KEYS[1], "v")
  if not value then
    redis.call("DEL", KEYS[2])
    return {0, "gone"}
  end
end
redis.call("DEL", KEYS[1], KEYS[2])
redis.call("HSET", KEYS[1], "v", value, "m", ARGV[11], "fr", ARGV[5], "sw", ARGV[6], "se", ARGV[7],
  "ke", ARGV[8], "d", ARGV[9], "ep", ARGV[2], "gs", ARGV[3], "neg", ARGV[12], "vy", ARGV[13], "tg", ARGV[14])
redis.call("PEXPIREAT", KEYS[1], ke)
if KEYS[4] ~= KEYS[1] then
  local kept = tonumber(redis.call("HGET", KEYS[4], "ke") or "0")
  if (redis.call("HGET", KEYS[4], "ep") or "") ~= ARGV[2] then kept = 0 end
  redis.call("DEL", KEYS[4])
  redis.call("HSET", KEYS[4], "vy", ARGV[13], "ep", ARGV[2], "ke", math.max(kept, ke))
  redis.call("PEXPIREAT", KEYS[4], math.max(kept, ke))
end
for i = 1, n do
  local index = KEYS[4 + n + i]
  redis.call("ZADD", index, ke, ARGV[15])
  redis.call("ZREMRANGEBYSCORE", index, "-inf", now)
  local ttl = redis.call("PTTL", index)
  if ttl < ke - now then redis.call("PEXPIREAT", index, ke) end
end
return {1}

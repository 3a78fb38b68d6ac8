#!lua flags=allow-key-locking
-- Stores a fill if its lease still stands (else fenced: a fill begun before a purge never lands).
-- KEYS[1] entry   KEYS[2] the granted lease   KEYS[3] epoch   KEYS[4] Vary marker (or KEYS[1])
-- KEYS[5..4+n] tag purge markers (te)   KEYS[5+n..4+2n] tag indexes (ti)
-- KEYS[5+2n..4+2n+m] indexes of tags the entry had and no longer has (the entry leaves them)
-- ARGV[1] token  [2] epoch at grant  [3] counter at grant  [4] now  [5] fr  [6] sw  [7] se  [8] ke
-- ARGV[9] fill ms  [10] value  [11] meta  [12] negative  [13] Vary names  [14] tags ("\n")
-- ARGV[15] entry id (index member)  [16] n tags  [17] "1" = keep the stored value (a 304)
-- ARGV[18] m dropped tags  [19] the tag ids, "," (stored as ti: a sweep skips an entry without its tag)
-- Reply {1} stored, {0, "lease"|"epoch"|"tag"|"gone"} fenced (lease released)
if redis.call("GET", KEYS[2]) ~= ARGV[1] then return {0, "lease"} end
local function fenced(why)
  redis.call("DEL", KEYS[2])
  return {0, why}
end
if (redis.call("GET", KEYS[3]) or "0") ~= ARGV[2] then return fenced("epoch") end
local n = tonumber(ARGV[16])
for i = 1, n do
  local purged = redis.call("GET", KEYS[4 + i])
  if purged and tonumber(purged) > tonumber(ARGV[3]) then return fenced("tag") end
end
local now, ke = tonumber(ARGV[4]), tonumber(ARGV[8])
local value = ARGV[10]
if ARGV[17] == "1" then
  value = redis.call("HGET", KEYS[1], "v")
  if not value then return fenced("gone") end
end
redis.call("DEL", KEYS[1], KEYS[2])
redis.call("HSET", KEYS[1], "v", value, "m", ARGV[11], "fr", ARGV[5], "sw", ARGV[6], "se", ARGV[7],
  "ke", ke, "d", ARGV[9], "ep", ARGV[2], "gs", ARGV[3], "neg", ARGV[12], "vy", ARGV[13], "tg", ARGV[14], "ti", ARGV[19])
redis.call("PEXPIREAT", KEYS[1], ke)
if KEYS[4] ~= KEYS[1] then
  local kept = ke
  if redis.call("HGET", KEYS[4], "ep") == ARGV[2] then kept = math.max(ke, tonumber(redis.call("HGET", KEYS[4], "ke") or "0")) end
  redis.call("DEL", KEYS[4])
  -- ti "": a sweep of a tag the marker's key was once indexed under unindexes it, not deletes it.
  redis.call("HSET", KEYS[4], "vy", ARGV[13], "ep", ARGV[2], "ke", kept, "ti", "")
  redis.call("PEXPIREAT", KEYS[4], kept)
end
for i = 1, n do
  local index = KEYS[4 + n + i]
  redis.call("ZADD", index, ke, ARGV[15])
  redis.call("ZREMRANGEBYSCORE", index, "-inf", now)
  if redis.call("PTTL", index) < ke - now then redis.call("PEXPIREAT", index, ke) end
end
for i = 1, tonumber(ARGV[18]) do redis.call("ZREM", KEYS[4 + 2 * n + i], ARGV[15]) end
return {1}

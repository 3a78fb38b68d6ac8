#!lua flags=allow-key-locking
-- Writes one flag and records the change, atomically.
-- KEYS[1] the flags hash, shared by every flag of the namespace (a shared key: see keys.ts)
-- KEYS[2] the flag-set version counter, shared (a shared key)
-- KEYS[3] this flag's history list, newest first
-- ARGV[1] the flag key (hash field), validated by the caller
-- ARGV[2] the flag's JSON, validated by the caller
-- ARGV[3] now, ms since the epoch
-- ARGV[4] the actor, already a JSON string ("\"admin\"")
-- ARGV[5] how many history entries to keep
-- ARGV[6] "" to write unconditionally, or the updatedAt the stored flag must still have
--         (compare-and-set: an edit made from a page that is out of date is refused)
-- Reply: {created (1 when the flag is new, else 0), version after the write};
--        {-1, 0} when ARGV[6] did not match (nothing written)
local before = redis.call("HGET", KEYS[1], ARGV[1])
if ARGV[6] ~= "" then
  if not before or tostring(cjson.decode(before).updatedAt) ~= ARGV[6] then
    return {-1, 0}
  end
end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
local version = redis.call("INCR", KEYS[2])
-- Before and after are JSON already: concatenated, never decoded (cjson would turn [] into {}).
local entry = '{"at":' .. ARGV[3] .. ',"actor":' .. ARGV[4] .. ',"version":' .. version ..
  ',"before":' .. (before or "null") .. ',"after":' .. ARGV[2] .. '}'
redis.call("LPUSH", KEYS[3], entry)
redis.call("LTRIM", KEYS[3], 0, tonumber(ARGV[5]) - 1)
if before then
  return {0, version}
end
return {1, version}

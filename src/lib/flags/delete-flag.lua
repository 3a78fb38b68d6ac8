#!lua flags=allow-key-locking
-- Deletes one flag and records the change, atomically. The history list is kept.
-- KEYS[1] the flags hash, shared by every flag of the namespace (a shared key: see keys.ts)
-- KEYS[2] the flag-set version counter, shared (a shared key)
-- KEYS[3] this flag's history list, newest first
-- ARGV[1] the flag key (hash field), validated by the caller
-- ARGV[2] now, ms since the epoch
-- ARGV[3] the actor, already a JSON string ("\"admin\"")
-- ARGV[4] how many history entries to keep
-- Reply: {deleted (1, or 0 when there was no such flag), version after the write (0 when none)}
local before = redis.call("HGET", KEYS[1], ARGV[1])
if not before then
  return {0, 0}
end
redis.call("HDEL", KEYS[1], ARGV[1])
local version = redis.call("INCR", KEYS[2])
local entry = '{"at":' .. ARGV[2] .. ',"actor":' .. ARGV[3] .. ',"version":' .. version ..
  ',"before":' .. before .. ',"after":null}'
redis.call("LPUSH", KEYS[3], entry)
redis.call("LTRIM", KEYS[3], 0, tonumber(ARGV[4]) - 1)
return {1, version}

#!lua flags=allow-key-locking
-- Purges one entry by its key, soft (marked stale) or hard (deleted), and takes its lease away,
-- so a fill in flight never commits.
-- KEYS[1]  entry (hash)
-- KEYS[2]  lease (string)
-- ARGV[1]  "hard" or "soft"
-- Reply: 1 an entry was purged, 0 none was stored
redis.call("DEL", KEYS[2])
if redis.call("HEXISTS", KEYS[1], "v") == 0 then return 0 end
if ARGV[1] == "hard" then redis.call("DEL", KEYS[1]) else redis.call("HSET", KEYS[1], "fr", 0) end
return 1

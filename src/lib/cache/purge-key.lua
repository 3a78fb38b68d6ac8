#!lua flags=allow-key-locking
-- Purges one entry, soft (fr = 0) or hard (deleted), and drops its lease (a fill in flight is fenced).
-- KEYS[1] entry   KEYS[2] lease   ARGV[1] "hard"|"soft"   Reply 1 purged, 0 nothing stored
redis.call("DEL", KEYS[2])
if redis.call("HEXISTS", KEYS[1], "v") == 0 then return 0 end
if ARGV[1] == "hard" then redis.call("DEL", KEYS[1]) else redis.call("HSET", KEYS[1], "fr", 0) end
return 1

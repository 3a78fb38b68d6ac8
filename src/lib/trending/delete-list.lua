#!lua flags=allow-key-locking
-- Deletes one trending list: settings, items, undo records, index entry.
-- KEYS[1..5] as in hit.lua (list hash, items, meta, hits, undo)
-- KEYS[6] {ns}trs   the index, SHARED by every list (outside this slot)
-- ARGV[1] the list key (index member)
-- Reply: {deleted (1 when the list existed, else 0)}
if redis.call("EXISTS", KEYS[1]) == 0 then return { 0 } end
redis.call("UNLINK", KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call("ZREM", KEYS[6], ARGV[1])
return { 1 }

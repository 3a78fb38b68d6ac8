#!lua flags=allow-key-locking
-- Deletes one board: its settings, every window key that can still exist, its index entry.
-- KEYS[1]  {ns}lb:{board}   the board's hash
-- KEYS[2]  {ns}lbs          the index, SHARED by every board (outside this slot)
-- KEYS[3..] the window keys of every period that has not expired yet (the caller lists them)
-- ARGV[1]  the board key (index member)
-- Reply: {deleted (1 when the board existed, else 0)}
if redis.call("EXISTS", KEYS[1]) == 0 then
  return { 0 }
end
-- UNLINK frees large sorted sets in the background instead of blocking Redis.
redis.call("UNLINK", KEYS[1])
for i = 3, #KEYS do redis.call("UNLINK", KEYS[i]) end
redis.call("ZREM", KEYS[2], ARGV[1])
return { 1 }

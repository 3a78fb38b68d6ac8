#!lua flags=allow-key-locking
-- Memory-bounded dedup: a Bloom filter on bitmaps in two rotating generations. An id is seen when
-- all its bits are set in the current or the previous generation; every id's bits are then set in
-- the current one. "new" is always right; "seen" can be a false positive. Touches only the
-- namespace's two generation keys.
-- KEYS[1]     the current generation (bitmap)
-- KEYS[2]     the previous generation (bitmap)
-- ARGV[1]     k: bit positions per id
-- ARGV[2]     how long a generation is kept (ms): two windows
-- ARGV[3..]   the ids' bit positions, k per id, in order (computed by the caller)
-- Reply: one integer per id, in order: 1 new, 0 seen (or a false positive)
local k = tonumber(ARGV[1])
local reply = {}
local ids = (#ARGV - 2) / k
for i = 1, ids do
  local inCurrent, inPrevious = true, true
  for j = 1, k do
    local bit = ARGV[2 + (i - 1) * k + j]
    if inCurrent and redis.call("GETBIT", KEYS[1], bit) == 0 then inCurrent = false end
    if inPrevious and redis.call("GETBIT", KEYS[2], bit) == 0 then inPrevious = false end
  end
  for j = 1, k do
    redis.call("SETBIT", KEYS[1], ARGV[2 + (i - 1) * k + j], 1)
  end
  reply[i] = (inCurrent or inPrevious) and 0 or 1
end
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return reply

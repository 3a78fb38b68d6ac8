#!lua flags=allow-key-locking
-- Logs a user out everywhere: deletes every session in the user's index, then the index.
-- KEYS[1]     the user's index ({ns}session:{tag}:index)
-- KEYS[2..n]  the session hash of each handle in ARGV, in the same order
-- ARGV[1..]   the handles the caller read from the index just before (ZRANGE)
-- Every key is in KEYS (Upstash's allow-key-locking), so the caller reads the index first; if it
-- changed since (a login in between), nothing is written and the caller reads it again.
-- Reply: the number of session hashes deleted (an integer), or -1 when the index changed
local current = redis.call("ZRANGE", KEYS[1], 0, -1)
if #current ~= #ARGV then return -1 end
local passed = {}
for _, handle in ipairs(ARGV) do passed[handle] = true end
for _, handle in ipairs(current) do
  if not passed[handle] then return -1 end
end
local deleted = 0
for i = 2, #KEYS do
  deleted = deleted + redis.call("DEL", KEYS[i])
end
redis.call("DEL", KEYS[1])
return deleted

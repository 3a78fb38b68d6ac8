-- Logs a user out everywhere: deletes every session in the user's index, then the index.
-- KEYS[1]  the user's index ({ns}session:{tag}:index)
-- ARGV[1]  the prefix of the user's session keys ({ns}session:{tag}:id:)
-- Touches keys not in KEYS: the sessions, named ARGV[1] .. handle. They carry KEYS[1]'s hash tag,
-- so the script stays in one slot; it cannot list them up front without a racy second trip.
-- Reply: the number of session hashes deleted (an integer)
local handles = redis.call("ZRANGE", KEYS[1], 0, -1)
local deleted = 0
for _, handle in ipairs(handles) do
  deleted = deleted + redis.call("DEL", ARGV[1] .. handle)
end
redis.call("DEL", KEYS[1])
return deleted

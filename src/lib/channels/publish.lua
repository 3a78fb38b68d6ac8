#!lua flags=allow-key-locking
-- Appends an event to a channel's bounded history and publishes it, in one atomic step: an event
-- is never stored without being delivered, nor delivered without being stored.
-- KEYS[1]  the channel's history stream, also its pub/sub channel name
-- ARGV[1]  event name (validated: no characters that need JSON escaping)
-- ARGV[2]  data, as JSON text
-- ARGV[3]  history length kept (XADD MAXLEN ~: trimmed by whole nodes, so a little more may stay)
-- ARGV[4]  history TTL in ms, renewed by every publish
-- Reply: the new entry's stream id
local id = redis.call("XADD", KEYS[1], "MAXLEN", "~", ARGV[3], "*", "e", ARGV[1], "d", ARGV[2])
redis.call("PEXPIRE", KEYS[1], ARGV[4])
redis.call("PUBLISH", KEYS[1], '{"id":"' .. id .. '","event":"' .. ARGV[1] .. '","data":' .. ARGV[2] .. "}")
return id

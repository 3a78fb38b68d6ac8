#!lua flags=allow-key-locking
-- Revokes an API key: keeps its record and hash (so it is refused as revoked, not unknown) and
-- records when and by whom. A second revocation keeps the first.
-- KEYS[1]  the keys hash ({ns}access:keys)
-- ARGV[1]  the key id
-- ARGV[2]  the revocation, JSON {at, by}
-- Reply: {record JSON, revocation JSON (the first one), last used (ms) or ""}, or {} for an unknown id
local record = redis.call("HGET", KEYS[1], "k:" .. ARGV[1])
if not record then return {} end
redis.call("HSETNX", KEYS[1], "r:" .. ARGV[1], ARGV[2])
return {record, redis.call("HGET", KEYS[1], "r:" .. ARGV[1]), redis.call("HGET", KEYS[1], "u:" .. ARGV[1]) or ""}

#!lua flags=allow-key-locking
-- Looks an API key up by the hash of its secret, and notes when it was last used: one round trip,
-- and last-used is written only when older than ARGV[3] (so at most once a minute per key).
-- KEYS[1]  the keys hash ({ns}access:keys; fields h:<hash>, k:<id>, r:<id>, u:<id>)
-- ARGV[1]  SHA-256 of the presented secret, hex
-- ARGV[2]  now (ms since the epoch)
-- ARGV[3]  how old last-used may get before it is written again (ms)
-- Reply: {} for an unknown key, else {record JSON, revocation JSON or "", last used (ms) or ""}
local id = redis.call("HGET", KEYS[1], "h:" .. ARGV[1])
if not id then return {} end
local record = redis.call("HGET", KEYS[1], "k:" .. id)
if not record then return {} end
local revoked = redis.call("HGET", KEYS[1], "r:" .. id) or ""
local used = redis.call("HGET", KEYS[1], "u:" .. id)
if revoked == "" and (not used or tonumber(ARGV[2]) - tonumber(used) >= tonumber(ARGV[3])) then
  redis.call("HSET", KEYS[1], "u:" .. id, ARGV[2])
  used = ARGV[2]
end
return {record, revoked, used or ""}

#!lua flags=allow-key-locking
-- Gives a lease back; with a backoff (the origin failed) no lease for the key until now+backoff.
-- KEYS[1] entry   KEYS[2] lease   ARGV[1] token   ARGV[2] now ms   ARGV[3] backoff ms (0: none)
-- Reply 1 released, 0 the lease was no longer ours
if redis.call("GET", KEYS[2]) ~= ARGV[1] then return 0 end
redis.call("DEL", KEYS[2])
local backoff = tonumber(ARGV[3])
if backoff > 0 then
  local till = tonumber(ARGV[2]) + backoff
  local existed = redis.call("EXISTS", KEYS[1]) == 1
  redis.call("HSET", KEYS[1], "eb", till)
  if not existed or redis.call("PTTL", KEYS[1]) < backoff then redis.call("PEXPIREAT", KEYS[1], till) end
end
return 1

#!lua flags=allow-key-locking
-- Gives a lease back. With a backoff, the origin failed: no caller anywhere is granted a lease
-- for this key (so no origin attempt is made) until now + backoff; stale is served meanwhile.
-- KEYS[1]  entry (hash)
-- KEYS[2]  lease (string)
-- ARGV[1]  the holder's token
-- ARGV[2]  now (ms)
-- ARGV[3]  backoff (ms; 0 = just release)
-- Reply: 1 released, 0 the lease was no longer ours (expired or purged)
if redis.call("GET", KEYS[2]) ~= ARGV[1] then return 0 end
redis.call("DEL", KEYS[2])
local backoff = tonumber(ARGV[3])
if backoff > 0 then
  local until_ = tonumber(ARGV[2]) + backoff
  local existed = redis.call("EXISTS", KEYS[1]) == 1
  redis.call("HSET", KEYS[1], "eb", until_)
  if not existed or redis.call("PTTL", KEYS[1]) < backoff then redis.call("PEXPIREAT", KEYS[1], until_) end
end
return 1

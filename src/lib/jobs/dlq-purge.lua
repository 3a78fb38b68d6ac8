#!lua flags=allow-key-locking
-- Deletes dead letters and their jobs' records for good.
-- KEYS[1]  the dead-letter stream
-- KEYS[2]  specs (hash: job id -> spec JSON)
-- KEYS[3]  states (hash: job id -> state JSON)
-- ARGV[1]  JSON array of job ids to purge, or "*" for every dead letter (up to ARGV[2])
-- ARGV[2]  at most this many dead letters are looked at
-- Reply: the number of dead letters purged
local all = ARGV[1] == "*"
local wanted = {}
if not all then
  for _, id in ipairs(cjson.decode(ARGV[1])) do wanted[id] = true end
end
local purged = 0
for _, entry in ipairs(redis.call("XRANGE", KEYS[1], "-", "+", "COUNT", tonumber(ARGV[2]))) do
  local f = {}
  for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
  if all or wanted[f.id] then
    redis.call("XDEL", KEYS[1], entry[1])
    local raw = redis.call("HGET", KEYS[3], f.id)
    if raw and cjson.decode(raw).status == "dead" then
      redis.call("HDEL", KEYS[2], f.id)
      redis.call("HDEL", KEYS[3], f.id)
    end
    purged = purged + 1
  end
end
return purged

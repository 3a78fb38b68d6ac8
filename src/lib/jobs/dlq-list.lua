#!lua flags=no-writes,allow-key-locking
-- Lists dead letters, newest first, with each job's spec and state.
-- KEYS[1]  the dead-letter stream
-- KEYS[2]  specs (hash: job id -> spec JSON)
-- KEYS[3]  states (hash: job id -> state JSON)
-- ARGV[1]  at most this many
-- ARGV[2]  start below this entry id ("+" for the newest)
-- Reply: one JSON string {{entry, id, reason, at, spec, state}, ...} (spec and state as JSON text or "null")
local out = {}
for _, entry in ipairs(redis.call("XREVRANGE", KEYS[1], ARGV[2], "-", "COUNT", tonumber(ARGV[1]))) do
  local f = {}
  for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
  out[#out + 1] = {
    entry[1], f.id, f.reason or "", tonumber(f.at or "0"),
    redis.call("HGET", KEYS[2], f.id) or "null", redis.call("HGET", KEYS[3], f.id) or "null",
  }
end
return cjson.encode(out)

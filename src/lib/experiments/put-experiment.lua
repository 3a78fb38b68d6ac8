#!lua flags=allow-key-locking
-- Creates or replaces one experiment's definition, refusing to drop a variant that holds units.
-- KEYS[1] {ns}exp:{key}          definition hash (def, createdAt, updatedAt)
-- KEYS[2] {ns}exp:{key}:units    variant -> units exposed
-- KEYS[3] {ns}exps               the index, SHARED by every experiment (outside this slot)
-- ARGV[1] the definition's JSON, validated by the caller
-- ARGV[2] the new variant names, joined with "," (names cannot hold ",")
-- ARGV[3] the experiment key (index member)
-- ARGV[4] now, ms since the epoch (the caller's clock)
-- Reply: one JSON string: {"outcome":"ok","created":bool,"createdAt":n}
--                      or {"outcome":"variant_in_use","variant":name,"units":n}
local keep = {}
for name in string.gmatch(ARGV[2], "[^,]+") do
  keep[name] = true
end
-- Stored assignments point at variant names: removing one that holds units would strand them.
local units = redis.call("HGETALL", KEYS[2])
for i = 1, #units, 2 do
  if not keep[units[i]] and tonumber(units[i + 1]) > 0 then
    return cjson.encode({ outcome = "variant_in_use", variant = units[i], units = tonumber(units[i + 1]) })
  end
end
local created = redis.call("HSETNX", KEYS[1], "createdAt", ARGV[4]) == 1
redis.call("HSET", KEYS[1], "def", ARGV[1], "updatedAt", ARGV[4])
if created then
  redis.call("ZADD", KEYS[3], ARGV[4], ARGV[3])
end
return cjson.encode({ outcome = "ok", created = created, createdAt = tonumber(redis.call("HGET", KEYS[1], "createdAt")) })

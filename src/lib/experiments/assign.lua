#!lua flags=allow-key-locking
-- Assigns a unit to a variant of one experiment, stickily, and counts its exposure, atomically.
-- KEYS[1] {ns}exp:{key}          definition hash (field def: the definition's JSON)
-- KEYS[2] {ns}exp:{key}:assign   unit id -> variant name
-- KEYS[3] {ns}exp:{key}:units    variant name -> units exposed
-- KEYS[4] {ns}exp:{key}:daily    "units:<day>" -> first exposures per UTC day
-- ARGV[1] the unit id
-- ARGV[2] the salt the buckets below were computed with (checked against the definition's)
-- ARGV[3] the coverage bucket, 0..9999: bucketOf("<salt>:coverage", unit)
-- ARGV[4] the variant bucket, 0..9999: bucketOf("<salt>", unit)
-- ARGV[5] today's UTC day, YYYY-MM-DD (from the caller's clock)
-- Reply: one JSON string: {"outcome":"ok","variant":v,"inExperiment":b,"sticky":b,"reason":r}
--                      or {"outcome":"not_found"}
--                      or {"outcome":"salt","salt":s} (buckets from a stale salt: nothing written)
local def_json = redis.call("HGET", KEYS[1], "def")
if not def_json then
  return cjson.encode({ outcome = "not_found" })
end
local def = cjson.decode(def_json)
local control = def.variants[1].name
local function reply(variant, in_experiment, sticky, reason)
  return cjson.encode({ outcome = "ok", variant = variant, inExperiment = in_experiment, sticky = sticky, reason = reason })
end

-- Not running: nothing is read or recorded for the unit.
if def.status == "completed" then
  return reply(def.winner, false, false, "completed")
end
if def.status ~= "running" then
  return reply(control, false, false, def.status)
end

local stored = redis.call("HGET", KEYS[2], ARGV[1])
if stored then
  return reply(stored, true, true, "assigned")
end
if def.salt ~= ARGV[2] then
  return cjson.encode({ outcome = "salt", salt = def.salt })
end

-- Coverage: the same rule as inRollout (bucket < round(share * 10000)).
if tonumber(ARGV[3]) >= math.floor(def.coverage * 10000 + 0.5) then
  return reply(control, false, false, "outside_coverage")
end

-- The same cumulative rule as pickWeighted in src/lib/bucketing.ts, in the same order of
-- floating-point operations, so TypeScript and Lua agree on every bucket.
local total = 0
for _, v in ipairs(def.variants) do
  total = total + v.weight
end
local position = tonumber(ARGV[4]) / 10000
local chosen = def.variants[#def.variants].name
local cumulative = 0
for _, v in ipairs(def.variants) do
  cumulative = cumulative + v.weight / total
  if position < cumulative then
    chosen = v.name
    break
  end
end

redis.call("HSET", KEYS[2], ARGV[1], chosen)
redis.call("HINCRBY", KEYS[3], chosen, 1)
redis.call("HINCRBY", KEYS[4], "units:" .. ARGV[5], 1)
return reply(chosen, true, false, "new")

#!lua flags=allow-key-locking
-- Counts one conversion of a unit for a goal, once, attributed to the unit's stored variant.
-- KEYS[1] {ns}exp:{key}              definition hash (field def: the definition's JSON)
-- KEYS[2] {ns}exp:{key}:assign       unit id -> variant name
-- KEYS[3] {ns}exp:{key}:converted    set of "<goal>:<unit id>"
-- KEYS[4] {ns}exp:{key}:conv         "<goal>:<variant>" -> count, "<goal>:<variant>:value" -> sum
-- KEYS[5] {ns}exp:{key}:daily        "conv:<goal>:<day>" -> conversions per UTC day
-- ARGV[1] the unit id
-- ARGV[2] the goal (validated name; checked against the definition's goals here)
-- ARGV[3] the conversion's value, or "" for none
-- ARGV[4] today's UTC day, YYYY-MM-DD (from the caller's clock)
-- Reply: one JSON string: {"outcome":"ok","variant":v,"counted":b}
--                      or {"outcome":"not_found"|"unknown_goal"|"completed"|"not_assigned"}
local def_json = redis.call("HGET", KEYS[1], "def")
if not def_json then
  return cjson.encode({ outcome = "not_found" })
end
local def = cjson.decode(def_json)
local known = false
for _, goal in ipairs(def.goals) do
  if goal == ARGV[2] then
    known = true
  end
end
if not known then
  return cjson.encode({ outcome = "unknown_goal" })
end
if def.status == "completed" then
  return cjson.encode({ outcome = "completed" })
end
local variant = redis.call("HGET", KEYS[2], ARGV[1])
if not variant then
  return cjson.encode({ outcome = "not_assigned" })
end
if redis.call("SADD", KEYS[3], ARGV[2] .. ":" .. ARGV[1]) == 0 then
  return cjson.encode({ outcome = "ok", variant = variant, counted = false })
end
redis.call("HINCRBY", KEYS[4], ARGV[2] .. ":" .. variant, 1)
redis.call("HINCRBY", KEYS[5], "conv:" .. ARGV[2] .. ":" .. ARGV[4], 1)
if ARGV[3] ~= "" then
  redis.call("HINCRBYFLOAT", KEYS[4], ARGV[2] .. ":" .. variant .. ":value", ARGV[3])
end
return cjson.encode({ outcome = "ok", variant = variant, counted = true })

#!lua flags=no-writes,allow-key-locking
-- Reads what the results need in one atomic snapshot: definition, units and conversion counters.
-- KEYS[1] {ns}exp:{key}          definition hash (def, createdAt, updatedAt)
-- KEYS[2] {ns}exp:{key}:units    variant -> units exposed
-- KEYS[3] {ns}exp:{key}:conv     "<goal>:<variant>" -> count, "<goal>:<variant>:value" -> sum
-- KEYS[4] {ns}exp:{key}:daily    "units:<day>" / "conv:<goal>:<day>" -> counts per UTC day
-- (no ARGV)
-- Reply: one JSON string: {"def":json|false,"createdAt":s,"updatedAt":s,"units":{..},"conversions":{..},"daily":{..}}
-- Hash values stay strings (decoded by the caller); an empty hash encodes as {}.
local function hash(key)
  local flat = redis.call("HGETALL", key)
  local map = {}
  for i = 1, #flat, 2 do
    map[flat[i]] = flat[i + 1]
  end
  return map
end
local fields = redis.call("HMGET", KEYS[1], "def", "createdAt", "updatedAt")
return cjson.encode({
  def = fields[1],
  createdAt = fields[2],
  updatedAt = fields[3],
  units = hash(KEYS[2]),
  conversions = hash(KEYS[3]),
  daily = hash(KEYS[4]),
})

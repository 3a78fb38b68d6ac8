#!lua flags=no-writes,allow-key-locking
-- Reads the hottest items of a trending list with their heat now.
-- KEYS[1] {ns}tr:{list}          hash: landmark (ms), halfLife (s), def, createdAt
-- KEYS[2] {ns}tr:{list}:items    item -> S
-- ARGV[1] how many items  ARGV[2] now, ms (the caller's clock)  ARGV[3] the lowest heat shown
-- Reply: one JSON string {"outcome":"ok","def":...,"createdAt":...,"landmark":...,"total":n,
--   "items":[{item, heat: "<%.17g>"}...]} or {"outcome":"missing"}.
-- heat = e^(S − (now − landmark)·ln 2/halfLife) = Σ wᵢ·2^(−(now − tᵢ)/halfLife). Items below the
-- lowest heat that no write has pruned yet are left out, and not counted in total.
local list = redis.call("HMGET", KEYS[1], "landmark", "halfLife", "def", "createdAt")
if not list[1] then return cjson.encode({ outcome = "missing" }) end
local age = (tonumber(ARGV[2]) - tonumber(list[1])) * math.log(2) / (tonumber(list[2]) * 1000)
local floor = string.format("%.17g", age + math.log(tonumber(ARGV[3])))
local items = {}
local flat = redis.call("ZRANGE", KEYS[2], "+inf", floor, "BYSCORE", "REV", "LIMIT", 0, tonumber(ARGV[1]), "WITHSCORES")
for i = 1, #flat, 2 do
  items[#items + 1] = { item = flat[i], heat = string.format("%.17g", math.exp(tonumber(flat[i + 1]) - age)) }
end
return cjson.encode({
  outcome = "ok",
  def = list[3],
  createdAt = list[4],
  landmark = list[1],
  total = redis.call("ZCOUNT", KEYS[2], floor, "+inf"),
  items = items,
})

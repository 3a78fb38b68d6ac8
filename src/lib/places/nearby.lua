#!lua flags=no-writes,allow-key-locking
-- Finds the live places of one set nearest a point, with their records, nearest first. Expired
-- positions that no update has pruned yet are skipped here, so a read never returns one.
-- KEYS[1]  {ns}place:{set}:settings  hash: nearby = "public" | "admin" (absent: "admin")
-- KEYS[2]  {ns}place:{set}:geo       GEO zset: place id -> position
-- KEYS[3]  {ns}place:{set}:data      hash: place id -> record JSON
-- KEYS[4]  {ns}place:{set}:expiry    zset: place id -> ms at which the live position expires
-- ARGV[1]  "1" when the caller holds the admin token, else "0"
-- ARGV[2]  now, ms since the epoch (the caller's clock)
-- ARGV[3]  "radius" or "box"
-- ARGV[4]  longitude of the centre
-- ARGV[5]  latitude of the centre
-- ARGV[6]  radius, or the box's width
-- ARGV[7]  the box's height (ignored for a radius)
-- ARGV[8]  unit of ARGV[6] and ARGV[7]: m, km, mi or ft
-- ARGV[9]  most results
-- Reply: one JSON string {denied = 1} (an admin-only set, no admin token), or
--        {results = {{id, distance in ARGV[8] (string), record JSON}, ...}}
if (redis.call("HGET", KEYS[1], "nearby") or "admin") ~= "public" and ARGV[1] ~= "1" then
  return cjson.encode({ denied = 1 })
end
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[9])
local live = redis.call("EXISTS", KEYS[4]) == 1
local search = { "GEOSEARCH", KEYS[2], "FROMLONLAT", ARGV[4], ARGV[5] }
if ARGV[3] == "box" then
  for _, a in ipairs({ "BYBOX", ARGV[6], ARGV[7], ARGV[8] }) do search[#search + 1] = a end
else
  for _, a in ipairs({ "BYRADIUS", ARGV[6], ARGV[8] }) do search[#search + 1] = a end
end
local n = #search
-- Expired members take room in a COUNT-limited search: ask for more until enough live ones come back.
local count = live and limit * 2 or limit
local results
while true do
  search[n + 1], search[n + 2], search[n + 3], search[n + 4] = "ASC", "COUNT", count, "WITHDIST"
  local found = redis.call(unpack(search))
  results = {}
  for _, hit in ipairs(found) do
    local expiry = live and redis.call("ZSCORE", KEYS[4], hit[1])
    if not expiry or tonumber(expiry) > now then
      results[#results + 1] = { hit[1], hit[2], redis.call("HGET", KEYS[3], hit[1]) }
      if #results == limit then break end
    end
  end
  if #results >= limit or #found < count then break end
  count = count * 4
end
return cjson.encode({ results = results })

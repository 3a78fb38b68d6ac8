#!lua flags=no-writes,allow-key-locking
-- Lists up to ARGV[2] live places of a set (in geohash order) with their records and fences, for the
-- dashboard. Expired positions not yet pruned are skipped.
-- KEYS[1]  {ns}place:{set}:geo     GEO zset: place id -> position
-- KEYS[2]  {ns}place:{set}:data    hash: place id -> record JSON
-- KEYS[3]  {ns}place:{set}:expiry  zset: place id -> ms at which the live position expires
-- KEYS[4]  {ns}place:{set}:inside  hash: place id -> JSON array of fence ids
-- ARGV[1]  now, ms since the epoch (the caller's clock)
-- ARGV[2]  most places listed
-- Reply: one JSON string {places = {{id, record JSON, inside JSON | false}, ...}}
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local places = {}
local offset = 0
while #places < limit do
  local ids = redis.call("ZRANGE", KEYS[1], offset, offset + limit - 1)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local expiry = redis.call("ZSCORE", KEYS[3], id)
    if not expiry or tonumber(expiry) > now then
      places[#places + 1] = { id, redis.call("HGET", KEYS[2], id), redis.call("HGET", KEYS[4], id) }
      if #places == limit then break end
    end
  end
  offset = offset + limit
end
return cjson.encode({ places = places })

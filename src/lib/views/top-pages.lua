-- The most viewed pages over one or more UTC days, highest first.
-- KEYS[1..n-1]  {ns}views:{top}:<day>   SHARED top lists (page id -> human views that day)
-- KEYS[n]       {ns}views:{top}:scratch SHARED scratch key: the union, deleted before returning
-- ARGV[1]       how many pages to return (1..100)
-- Reply: ONE JSON string, [{"page": "...", "views": n}, ...]
local n = #KEYS
local limit = tonumber(ARGV[1])
local source = KEYS[1]
if n > 2 then
  source = KEYS[n]
  redis.call("ZUNIONSTORE", source, n - 1, unpack(KEYS, 1, n - 1))
end
local flat = redis.call("ZREVRANGE", source, 0, limit - 1, "WITHSCORES")
if n > 2 then
  redis.call("DEL", source)
end
local parts = {}
for i = 1, #flat, 2 do
  parts[#parts + 1] = cjson.encode({ page = flat[i], views = tonumber(flat[i + 1]) })
end
return "[" .. table.concat(parts, ",") .. "]"

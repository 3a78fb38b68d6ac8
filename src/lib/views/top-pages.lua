#!lua flags=no-writes,allow-key-locking
-- The most viewed pages over one or more UTC days, highest first. Read-only (EVALSHA_RO).
-- KEYS[1..n]  {ns}views:{top}:<day>   SHARED top lists (page id -> human views that day)
-- ARGV[1]     how many pages to return (1..100)
-- Reply: ONE JSON string, [{"page": "...", "views": n}, ...]
-- Several days are summed with ZUNION, which replies in ascending (score, member) order: read
-- backwards, that is ZREVRANGE's order over the union, and nothing is stored.
local limit = tonumber(ARGV[1])
local parts = {}
local function add(page, views)
  parts[#parts + 1] = cjson.encode({ page = page, views = tonumber(views) })
end
if #KEYS == 1 then
  local flat = redis.call("ZREVRANGE", KEYS[1], 0, limit - 1, "WITHSCORES")
  for i = 1, #flat, 2 do add(flat[i], flat[i + 1]) end
else
  local args = { "ZUNION", #KEYS }
  for i = 1, #KEYS do args[#args + 1] = KEYS[i] end
  args[#args + 1] = "WITHSCORES"
  local flat = redis.call(unpack(args))
  local last = #flat - 1
  for i = last, math.max(1, last - 2 * (limit - 1)), -2 do add(flat[i], flat[i + 1]) end
end
return "[" .. table.concat(parts, ",") .. "]"

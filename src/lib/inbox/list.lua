#!lua flags=no-writes,allow-key-locking
-- One page of a user's notifications, newest first, with their states and the counts.
-- KEYS[1] ZSET box  KEYS[2] ZSET unread  KEYS[3] ZSET unseen  KEYS[4] ZSET archived  KEYS[5] HASH items
-- ARGV[1] which ZSET to page (1-4: all, unread, unseen, archived)
-- ARGV[2] ids below this one ("" for the newest)   ARGV[3] page size ("0" for the counts only)
-- Reply: JSON {items: [{item, unread, seen, archived}], counts, next}
local from = KEYS[tonumber(ARGV[1])]
local max = "+inf"
if ARGV[2] ~= "" then max = "(" .. ARGV[2] end
local limit = tonumber(ARGV[3])
local parts, next = {}, "null"
if limit > 0 then
  local ids = redis.call("ZREVRANGEBYSCORE", from, max, "-inf", "LIMIT", 0, limit + 1)
  for i = 1, math.min(#ids, limit) do
    local id = ids[i]
    local item = redis.call("HGET", KEYS[5], id)
    if item then
      local unread = redis.call("ZSCORE", KEYS[2], id) and "true" or "false"
      local seen = redis.call("ZSCORE", KEYS[3], id) and "false" or "true"
      local archived = redis.call("ZSCORE", KEYS[4], id) and "true" or "false"
      parts[#parts + 1] = '{"item":' .. item .. ',"unread":' .. unread .. ',"seen":' .. seen .. ',"archived":' .. archived .. "}"
    end
  end
  if #ids > limit then next = ids[limit] end
end
local counts = '{"unread":' .. redis.call("ZCARD", KEYS[2]) .. ',"unseen":' .. redis.call("ZCARD", KEYS[3])
  .. ',"total":' .. redis.call("ZCARD", KEYS[1]) .. ',"archived":' .. redis.call("ZCARD", KEYS[4]) .. "}"
return '{"items":[' .. table.concat(parts, ",") .. '],"counts":' .. counts .. ',"next":' .. next .. "}"

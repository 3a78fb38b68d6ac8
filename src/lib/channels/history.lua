#!lua flags=no-writes,allow-key-locking
-- One page of a channel's history, oldest first.
-- KEYS[1]  the channel's history stream
-- ARGV[1]  return entries after this stream id; "" for the oldest kept
-- ARGV[2]  page size
-- Reply: {gap (0|1: entries after ARGV[1] may have been trimmed), more (0|1), id1, event1, data1, ...}
local after = ARGV[1]
local limit = tonumber(ARGV[2])
local start = "-"
if after ~= "" then start = "(" .. after end
local entries = redis.call("XRANGE", KEYS[1], start, "+", "COUNT", limit + 1)
local gap = 0
if after ~= "" and after ~= "0-0" then
  local first = redis.call("XRANGE", KEYS[1], "-", "+", "COUNT", 1)[1]
  if first == nil then
    gap = 1
  else
    local ams, aseq = string.match(first[1], "^(%d+)-(%d+)$")
    local bms, bseq = string.match(after, "^(%d+)-(%d+)$")
    ams, aseq, bms, bseq = tonumber(ams), tonumber(aseq), tonumber(bms), tonumber(bseq)
    if ams > bms or (ams == bms and aseq > bseq) then gap = 1 end
  end
end
local more = 0
if #entries > limit then more = 1 end
local reply = {gap, more}
for i = 1, math.min(#entries, limit) do
  local entry = entries[i]
  local fields = {}
  for j = 1, #entry[2], 2 do fields[entry[2][j]] = entry[2][j + 1] end
  reply[#reply + 1] = entry[1]
  reply[#reply + 1] = fields.e or "message"
  reply[#reply + 1] = fields.d or "null"
end
return reply

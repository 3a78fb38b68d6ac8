#!lua flags=no-writes,allow-key-locking
-- What a (re)connecting subscriber missed on one channel, or the point to start from.
-- KEYS[1]  the channel's history stream
-- ARGV[1]  the last stream id the client saw; "" for a fresh start (nothing to replay)
-- ARGV[2]  most entries to replay; more than that is reported as a gap
-- ARGV[3]  the history length the channel keeps (a client that saw an empty channel, "0-0",
--          has a gap once that many entries were added, since some may have been trimmed)
-- Reply: {gap (0|1), newest id or "0-0", id1, event1, data1, id2, ...}; with a gap, no entries
local function newest()
  local last = redis.call("XREVRANGE", KEYS[1], "+", "-", "COUNT", 1)[1]
  if last then return last[1] end
  return "0-0"
end
local function parse(id)
  local ms, seq = string.match(id, "^(%d+)-(%d+)$")
  return tonumber(ms), tonumber(seq)
end
local function later(a, b)
  local ams, aseq = parse(a)
  local bms, bseq = parse(b)
  return ams > bms or (ams == bms and aseq > bseq)
end
local after = ARGV[1]
if after == "" then return {0, newest()} end
if redis.call("EXISTS", KEYS[1]) == 0 then
  if after == "0-0" then return {0, "0-0"} end
  return {1, "0-0"}
end
local first = redis.call("XRANGE", KEYS[1], "-", "+", "COUNT", 1)[1]
if after == "0-0" then
  if redis.call("XLEN", KEYS[1]) >= tonumber(ARGV[3]) then return {1, newest()} end
elseif first and later(first[1], after) then
  return {1, newest()}
end
local limit = tonumber(ARGV[2])
local entries = redis.call("XRANGE", KEYS[1], "(" .. after, "+", "COUNT", limit + 1)
if #entries > limit then return {1, newest()} end
local reply = {0, newest()}
for _, entry in ipairs(entries) do
  local fields = {}
  for i = 1, #entry[2], 2 do fields[entry[2][i]] = entry[2][i + 1] end
  reply[#reply + 1] = entry[1]
  reply[#reply + 1] = fields.e or "message"
  reply[#reply + 1] = fields.d or "null"
end
return reply

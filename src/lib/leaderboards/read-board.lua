#!lua flags=no-writes,allow-key-locking
-- Reads one window's period of a board: a page, the rows around a member, or given members' ranks.
-- KEYS[1] {ns}lb:{board}                    the board's hash (stamp, order, ties)
-- KEYS[2] {ns}lb:{board}:<window>:<period>  member -> stored score (negated on high boards)
-- KEYS[3] ...:o                             "earliest" ties: the ordered entries
-- KEYS[4] ...:t                             "earliest" ties: member -> ms its score was reached
-- ARGV[1] the board's stamp the caller's settings came with
-- ARGV[2] mode: top | around | ranks
--   top:    ARGV[3] offset, ARGV[4] limit, ARGV[5] a member to rank too ("" for none)
--   around: ARGV[3] the member, ARGV[4] k (rows on each side)
--   ranks:  ARGV[3..] members
-- Reply: one JSON string {"outcome":"ok","value":{total, entries?, me?, ranks?}} with rows
--   {member, score (string), rank}, or {"outcome":"stale",...} / {"outcome":"missing"}.
-- Ranks: "shared" ties are competition ranks (1, 2, 2, 4: members strictly better + 1);
-- "earliest" ties are positions, equal scores ordered by the time they were reached.
local board = redis.call("HMGET", KEYS[1], "stamp", "order", "ties", "def", "createdAt")
if not board[1] then return cjson.encode({ outcome = "missing" }) end
if board[1] ~= ARGV[1] then
  return cjson.encode({ outcome = "stale", def = board[4], createdAt = board[5] })
end
local MAX = 9007199254740991
local high, earliest = board[2] == "high", board[3] == "earliest"
local scores, order, since = KEYS[2], KEYS[3], KEYS[4]
local function fmt(n) return string.format("%.0f", n + 0) end
local function shown(s) return fmt(high and -s or s) end
local function entry(s, member)
  local at = tonumber(redis.call("HGET", since, member)) or 0
  local head = s < 0 and ("1" .. string.format("%016.0f", MAX + s)) or ("2" .. string.format("%016.0f", s))
  return head .. string.format("%015.0f", at) .. member
end
-- The stored score from an entry's sign and magnitude (exact: both parts stay within 2^53).
local function entryScore(e)
  local magnitude = tonumber(string.sub(e, 2, 17))
  return string.sub(e, 1, 1) == "1" and magnitude - MAX or magnitude
end
local function rankOf(member, s)
  if earliest then return redis.call("ZLEXCOUNT", order, "-", "(" .. entry(s, member)) + 1 end
  return redis.call("ZCOUNT", scores, "-inf", "(" .. fmt(s)) + 1
end
local function positionOf(member, s)
  if earliest then return redis.call("ZRANK", order, entry(s, member)) end
  return redis.call("ZRANK", scores, member)
end
-- Rows at positions start..stop (0-based). Under shared ties a row's rank is its position + 1
-- unless it ties the row above it; only the first row of the range needs a ZCOUNT.
local function rows(start, stop)
  local out = {}
  if stop < start then return out end
  local members, values = {}, {}
  if earliest then
    for _, e in ipairs(redis.call("ZRANGE", order, start, stop)) do
      members[#members + 1] = string.sub(e, 33)
      values[#values + 1] = entryScore(e)
    end
  else
    local flat = redis.call("ZRANGE", scores, start, stop, "WITHSCORES")
    for i = 1, #flat, 2 do
      members[#members + 1] = flat[i]
      values[#values + 1] = tonumber(flat[i + 1])
    end
  end
  local last, lastRank
  for i, member in ipairs(members) do
    local s, r = values[i], start + i
    if not earliest then
      if i == 1 then r = rankOf(member, s) elseif s == last then r = lastRank end
    end
    out[i] = { member = member, score = shown(s), rank = r }
    last, lastRank = s, r
  end
  return out
end
local function me(member)
  if member == "" then return cjson.null end
  local s = tonumber(redis.call("ZSCORE", scores, member))
  if not s then return cjson.null end
  return { member = member, score = shown(s), rank = rankOf(member, s) }
end

local total = redis.call("ZCARD", scores)
local mode = ARGV[2]
local value = { total = total }
if mode == "top" then
  local offset, limit = tonumber(ARGV[3]), tonumber(ARGV[4])
  value.entries = rows(offset, math.min(total, offset + limit) - 1)
  value.me = me(ARGV[5])
elseif mode == "around" then
  local member, k = ARGV[3], tonumber(ARGV[4])
  value.me = me(member)
  value.entries = {}
  if value.me ~= cjson.null then
    local position = positionOf(member, tonumber(redis.call("ZSCORE", scores, member)))
    -- Shifted at the edges, so the window is full (2k + 1 rows) whenever the board holds that many.
    local start = math.max(0, math.min(position - k, total - (2 * k + 1)))
    value.entries = rows(start, math.min(total - 1, start + 2 * k))
  end
else
  value.ranks = {}
  for i = 3, #ARGV do
    local row = me(ARGV[i])
    value.ranks[#value.ranks + 1] = row ~= cjson.null and row or { member = ARGV[i], score = cjson.null, rank = cjson.null }
  end
end
return cjson.encode({ outcome = "ok", value = value })

#!lua flags=allow-key-locking
-- Submits one member's score to every window of a board: rule, ranks before and after, expiry.
-- KEYS[1]        {ns}lb:{board}                    the board's hash (stamp, order, ties)
-- KEYS[3w-1]     {ns}lb:{board}:<window>:<period>  window w: member -> stored score
-- KEYS[3w]       ...:o                             window w, "earliest" ties: the ordered entries
-- KEYS[3w+1]     ...:t                             window w, "earliest" ties: member -> ms reached
-- ARGV[1]        the board's stamp the caller's settings came with
-- ARGV[2]        rule: best | sum | last | min (from those settings, checked by the stamp)
-- ARGV[3]        the member
-- ARGV[4]        the score, an integer, |score| <= 2^53 - 1
-- ARGV[5]        now, ms since the epoch (the caller's clock): when a score is reached
-- ARGV[5+w]      window w's keys expire at (ms, PEXPIREAT), or 0 for never (the all window)
-- Reply: one JSON string: {"outcome":"ok","value":[{score, changed, rank, previousRank, total}...]}
--   (scores as strings), {"outcome":"stale","def":...,"createdAt":...}, {"outcome":"missing"},
--   or {"outcome":"overflow","window":w} (a sum would leave +-(2^53 - 1); nothing written).
-- Stored scores are negated on high boards, so in every key lower is better.
local board = redis.call("HMGET", KEYS[1], "stamp", "order", "ties", "def", "createdAt")
if not board[1] then return cjson.encode({ outcome = "missing" }) end
if board[1] ~= ARGV[1] then
  return cjson.encode({ outcome = "stale", def = board[4], createdAt = board[5] })
end
local MAX = 9007199254740991
local high, earliest = board[2] == "high", board[3] == "earliest"
local rule, member, now = ARGV[2], ARGV[3], tonumber(ARGV[5])
local value = tonumber(ARGV[4])
local stored = high and -value or value
local function fmt(n) return string.format("%.0f", n + 0) end
-- One entry per member in byte order = rank order: sign, magnitude, then the time it was reached.
local function entry(s, at)
  local head = s < 0 and ("1" .. string.format("%016.0f", MAX + s)) or ("2" .. string.format("%016.0f", s))
  return head .. string.format("%015.0f", at) .. member
end
local function rank(scores, order, since, s)
  if earliest then
    return redis.call("ZLEXCOUNT", order, "-", "(" .. entry(s, tonumber(redis.call("HGET", since, member)) or 0)) + 1
  end
  return redis.call("ZCOUNT", scores, "-inf", "(" .. fmt(s)) + 1
end

local windows = (#KEYS - 1) / 3
local olds = {}
for w = 1, windows do
  olds[w] = tonumber(redis.call("ZSCORE", KEYS[3 * w - 1], member))
  -- A sum that would leave the exact range is refused before any window is written.
  if rule == "sum" and olds[w] and ((stored > 0 and olds[w] > MAX - stored) or (stored < 0 and olds[w] < -MAX - stored)) then
    return cjson.encode({ outcome = "overflow", window = w })
  end
end

local out = {}
for w = 1, windows do
  local scores, order, since = KEYS[3 * w - 1], KEYS[3 * w], KEYS[3 * w + 1]
  local old = olds[w]
  local new = stored
  if old then
    if rule == "sum" then new = old + stored
    elseif rule == "best" then new = math.min(old, stored)
    elseif rule == "min" then new = high and math.max(old, stored) or math.min(old, stored)
    end
  end
  local previousRank = old and rank(scores, order, since, old) or cjson.null
  local changed = old == nil or new ~= old
  if changed then
    redis.call("ZADD", scores, fmt(new), member)
    if earliest then
      if old then redis.call("ZREM", order, entry(old, tonumber(redis.call("HGET", since, member)) or 0)) end
      redis.call("ZADD", order, 0, entry(new, now))
      redis.call("HSET", since, member, ARGV[5])
    end
    local expireAt = ARGV[5 + w]
    if expireAt ~= "0" then
      redis.call("PEXPIREAT", scores, expireAt)
      if earliest then
        redis.call("PEXPIREAT", order, expireAt)
        redis.call("PEXPIREAT", since, expireAt)
      end
    end
  end
  out[w] = {
    score = fmt(high and -new or new),
    changed = changed,
    rank = rank(scores, order, since, new),
    previousRank = previousRank,
    total = redis.call("ZCARD", scores),
  }
end
return cjson.encode({ outcome = "ok", value = out })

#!lua flags=allow-key-locking
-- Counts one view of one page: dedup, totals, the day's counter, HyperLogLog and top list, atomically.
-- KEYS[1]  {ns}view:{p}:total            human views (EXPIREAT ARGV[4], pushed back by every hit)
-- KEYS[2]  {ns}view:{p}:bots             bot hits (EXPIREAT ARGV[4], pushed back by every hit)
-- KEYS[3]  {ns}view:{p}:day:<day>        human views today             (EXPIREAT ARGV[4])
-- KEYS[4]  {ns}view:{p}:bots:<day>       bot hits today                (EXPIREAT ARGV[4])
-- KEYS[5]  {ns}view:{p}:uniques:<day>    HLL of today's visitor ids    (EXPIREAT ARGV[4])
-- KEYS[6]  {ns}view:{p}:seen:<visitor>   time of the visitor's last counted view (ms)
--                                        (PX ARGV[3], so Redis drops it once it cannot matter)
-- KEYS[7]  {ns}views:{top}:<day>         SHARED by every page: page id -> human views today
--                                        (EXPIREAT ARGV[4]), capped at ARGV[8] members
-- KEYS[8]  {ns}views:{top}:pages:<day>   SHARED: distinct pages counted today     (EXPIREAT ARGV[4])
--                                        KEYS[7] and KEYS[8] are the only keys outside the page's slot
-- ARGV[1]  "1" when the client is a bot, "0" otherwise
-- ARGV[2]  the visitor id (daily-rotating HMAC; never an IP)
-- ARGV[3]  dedup window in milliseconds
-- ARGV[4]  unix seconds at which today's keys expire (the caller's clock; this script reads no TIME)
-- ARGV[5]  the page id, as the member of the top list
-- ARGV[6]  now, unix milliseconds (the caller's clock): a repeat inside ARGV[3] of KEYS[6] is skipped
-- ARGV[7]  distinct pages accepted per UTC day: a page not yet seen today, once KEYS[8] holds
--          this many, is refused and nothing is written
-- ARGV[8]  members kept in the day's top list (the least viewed are dropped beyond it)
-- Reply: { views (total), uniquesToday, counted (1|0), refused (1|0: over the day's page cap) }

local expire_at = ARGV[4]

-- A page is new today when it has neither of today's counters yet.
local fresh = redis.call("EXISTS", KEYS[3], KEYS[4]) == 0
if fresh and tonumber(redis.call("GET", KEYS[8]) or "0") >= tonumber(ARGV[7]) then
  return { tonumber(redis.call("GET", KEYS[1]) or "0"), redis.call("PFCOUNT", KEYS[5]), 0, 1 }
end
local function admit()
  if fresh then
    redis.call("INCR", KEYS[8])
    redis.call("EXPIREAT", KEYS[8], expire_at)
  end
end

if ARGV[1] == "1" then
  admit()
  redis.call("INCR", KEYS[2])
  redis.call("EXPIREAT", KEYS[2], expire_at)
  redis.call("EXPIREAT", KEYS[1], expire_at)
  redis.call("INCR", KEYS[4])
  redis.call("EXPIREAT", KEYS[4], expire_at)
  return { tonumber(redis.call("GET", KEYS[1]) or "0"), redis.call("PFCOUNT", KEYS[5]), 0, 0 }
end

-- The window is judged by the caller's clock (ARGV[6]), not by when Redis expires the marker.
local now = tonumber(ARGV[6])
local last = tonumber(redis.call("GET", KEYS[6]) or "")
if last and now - last < tonumber(ARGV[3]) then
  return { tonumber(redis.call("GET", KEYS[1]) or "0"), redis.call("PFCOUNT", KEYS[5]), 0, 0 }
end
redis.call("SET", KEYS[6], ARGV[6], "PX", ARGV[3])
admit()

local views = redis.call("INCR", KEYS[1])
redis.call("EXPIREAT", KEYS[1], expire_at)
redis.call("EXPIREAT", KEYS[2], expire_at)
redis.call("INCR", KEYS[3])
redis.call("EXPIREAT", KEYS[3], expire_at)
redis.call("PFADD", KEYS[5], ARGV[2])
redis.call("EXPIREAT", KEYS[5], expire_at)
redis.call("ZINCRBY", KEYS[7], 1, ARGV[5])
local kept = tonumber(ARGV[8])
local size = redis.call("ZCARD", KEYS[7])
if size > kept then
  -- Forget the least viewed pages, so made-up page ids cannot grow the list without bound.
  redis.call("ZREMRANGEBYRANK", KEYS[7], 0, size - kept - 1)
end
redis.call("EXPIREAT", KEYS[7], expire_at)
return { views, redis.call("PFCOUNT", KEYS[5]), 1, 0 }

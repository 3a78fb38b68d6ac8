#!lua flags=allow-key-locking
-- Counts one view of one page: dedup, totals, the day's counter, HyperLogLog and top list, atomically.
-- KEYS[1]  {ns}view:{p}:total            human views, kept forever
-- KEYS[2]  {ns}view:{p}:bots             bot hits, kept forever
-- KEYS[3]  {ns}view:{p}:day:<day>        human views today             (EXPIREAT ARGV[4])
-- KEYS[4]  {ns}view:{p}:bots:<day>       bot hits today                (EXPIREAT ARGV[4])
-- KEYS[5]  {ns}view:{p}:uniques:<day>    HLL of today's visitor ids    (EXPIREAT ARGV[4])
-- KEYS[6]  {ns}view:{p}:seen:<visitor>   time of the visitor's last counted view (ms)
--                                        (PX ARGV[3], so Redis drops it once it cannot matter)
-- KEYS[7]  {ns}views:{top}:<day>         SHARED by every page: page id -> human views today
--                                        (EXPIREAT ARGV[4]); the only key outside the page's slot
-- ARGV[1]  "1" when the client is a bot, "0" otherwise
-- ARGV[2]  the visitor id (daily-rotating HMAC; never an IP)
-- ARGV[3]  dedup window in milliseconds
-- ARGV[4]  unix seconds at which today's keys expire (the caller's clock; this script reads no TIME)
-- ARGV[5]  the page id, as the member of the top list
-- ARGV[6]  now, unix milliseconds (the caller's clock): a repeat inside ARGV[3] of KEYS[6] is skipped
-- Reply: { views (total), uniquesToday, counted (1|0) }

local expire_at = ARGV[4]

if ARGV[1] == "1" then
  redis.call("INCR", KEYS[2])
  redis.call("INCR", KEYS[4])
  redis.call("EXPIREAT", KEYS[4], expire_at)
  return { tonumber(redis.call("GET", KEYS[1]) or "0"), redis.call("PFCOUNT", KEYS[5]), 0 }
end

-- The window is judged by the caller's clock (ARGV[6]), not by when Redis expires the marker.
local now = tonumber(ARGV[6])
local last = tonumber(redis.call("GET", KEYS[6]) or "")
if last and now - last < tonumber(ARGV[3]) then
  return { tonumber(redis.call("GET", KEYS[1]) or "0"), redis.call("PFCOUNT", KEYS[5]), 0 }
end
redis.call("SET", KEYS[6], ARGV[6], "PX", ARGV[3])

local views = redis.call("INCR", KEYS[1])
redis.call("INCR", KEYS[3])
redis.call("EXPIREAT", KEYS[3], expire_at)
redis.call("PFADD", KEYS[5], ARGV[2])
redis.call("EXPIREAT", KEYS[5], expire_at)
redis.call("ZINCRBY", KEYS[7], 1, ARGV[5])
redis.call("EXPIREAT", KEYS[7], expire_at)
return { views, redis.call("PFCOUNT", KEYS[5]), 1 }

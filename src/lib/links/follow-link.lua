#!lua flags=allow-key-locking
-- Follows one link: looks it up, checks expiry, max clicks and password, counts the click and answers
-- the target. Atomic, so maxClicks stays exact under any concurrency. Touches only the link's own keys.
-- KEYS[1]  the link's record (hash)
-- KEYS[2]  its counts (hash: humans, bots); maxClicks is checked against humans + bots
-- KEYS[3]  its human clicks today (string; expires ARGV[2] seconds from now)
-- KEYS[4]  its unique human visitors (HyperLogLog)
-- KEYS[5]  its human clicks per referrer host (zset, capped at ARGV[8] members)
-- KEYS[6]  its human clicks per country (zset)
-- ARGV[1]  now, ms since the epoch
-- ARGV[2]  seconds today's counter lives on (to the end of the retention period, by the caller's clock)
-- ARGV[3]  the visitor id (a daily-rotating HMAC, never an IP)
-- ARGV[4]  the referrer host, or "(direct)"
-- ARGV[5]  the country code, "XX" when unknown
-- ARGV[6]  "1" when the client is a bot: served and counted against maxClicks, but counted apart
-- ARGV[7]  the password hash the caller has verified a password against, or ""
-- ARGV[8]  how many referrer hosts to keep
-- ARGV[9]  "1" to answer without counting (a HEAD request: link scanners must not spend maxClicks)
-- Reply: one JSON string {r = "ok", url, status, fq, limited} or {r = "missing" | "password"}
--        or {r = "expired" | "exhausted", fallback = expiredUrl or ""}
local f = redis.call("HMGET", KEYS[1], "url", "expiresAt", "maxClicks", "redirectStatus", "password", "expiredUrl",
  "forwardQuery")
local url = f[1]
if not url then
  return cjson.encode({ r = "missing" })
end
if f[2] and tonumber(ARGV[1]) >= tonumber(f[2]) then
  return cjson.encode({ r = "expired", fallback = f[6] or "" })
end
local counts = redis.call("HMGET", KEYS[2], "humans", "bots")
local served = (tonumber(counts[1]) or 0) + (tonumber(counts[2]) or 0)
if f[3] and served >= tonumber(f[3]) then
  return cjson.encode({ r = "exhausted", fallback = f[6] or "" })
end
if f[5] and f[5] ~= ARGV[7] then
  return cjson.encode({ r = "password" })
end
local limited = 0
if f[2] or f[3] then
  limited = 1
end
local fq = 0
if f[7] == "1" then
  fq = 1
end
local ok = cjson.encode({ r = "ok", url = url, status = tonumber(f[4]) or 302, fq = fq, limited = limited })
if ARGV[9] == "1" then
  return ok
end
if ARGV[6] == "1" then
  redis.call("HINCRBY", KEYS[2], "bots", 1)
else
  redis.call("HINCRBY", KEYS[2], "humans", 1)
  redis.call("INCR", KEYS[3])
  redis.call("EXPIRE", KEYS[3], ARGV[2])
  redis.call("PFADD", KEYS[4], ARGV[3])
  redis.call("ZINCRBY", KEYS[5], 1, ARGV[4])
  local kept = tonumber(ARGV[8])
  local size = redis.call("ZCARD", KEYS[5])
  if size > kept then
    -- Forget the least-clicked hosts, so made-up referrers cannot grow the set without bound.
    redis.call("ZREMRANGEBYRANK", KEYS[5], 0, size - kept - 1)
  end
  redis.call("ZINCRBY", KEYS[6], 1, ARGV[5])
end
return ok

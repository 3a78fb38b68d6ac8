#!lua flags=allow-key-locking
-- Rate-limit prologue, put in front of a route's own script by limited-script.ts. The same
-- sliding-window algorithm and keys as @upstash/ratelimit's slidingWindow, so both paths count
-- against one quota. A refused request returns before the route's script runs: no side effect.
-- KEYS[1]  current window counter of the identifier under the policy (keys.ts)
-- KEYS[2]  previous window counter
-- KEYS[3..]  the route script's own KEYS, seen by it as KEYS[1..]
-- ARGV[1]  limit (units per window)
-- ARGV[2]  now, ms since the epoch (the same clock as @upstash/ratelimit: Date.now())
-- ARGV[3]  window, ms
-- ARGV[4]  cost (units this request spends, >= 1)
-- ARGV[5..]  the route script's own ARGV, seen by it as ARGV[1..]
-- Reply: {-1, limit} when refused; else {remaining, limit, <the route script's reply>}.
-- The counters are not in the route record's hash tag: on a Redis Cluster the wrapped script
-- spans two slots (fine on one node: redis-server, Upstash).
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
local previous = tonumber(redis.call("GET", KEYS[2]) or "0")
local weighted = math.floor((1 - (now % window) / window) * previous)
if weighted + current + cost > limit then
  return {-1, limit}
end
local used = redis.call("INCRBY", KEYS[1], cost)
if used == cost then
  redis.call("PEXPIRE", KEYS[1], window * 2 + 1000)
end
local routeKeys = {}
for i = 3, #KEYS do routeKeys[#routeKeys + 1] = KEYS[i] end
local routeArgs = {}
for i = 5, #ARGV do routeArgs[#routeArgs + 1] = ARGV[i] end
local reply = route(routeKeys, routeArgs)
if reply == nil then reply = false end
return {limit - (used + weighted), limit, reply}

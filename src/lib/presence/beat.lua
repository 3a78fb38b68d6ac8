#!lua flags=allow-key-locking
-- A presence heartbeat (or a best-effort leave) in one step: expire members who missed their
-- heartbeats, record this connection, and publish joins and leaves to the room's channel only
-- when something changed (one event each in a small room, periodic batched deltas in a large one).
-- People are counted, not tabs: a member stays while any of their connections beats.
-- KEYS[1]  ZSET member -> last heartbeat ms of any of their connections
-- KEYS[2]  HASH member -> "conn=ms,conn=ms" (their live connections)
-- KEYS[3]  HASH member -> info JSON (up to 1 KB)
-- KEYS[4]  HASH member -> "j" | "l": changes waiting for the next batched delta (large rooms)
-- KEYS[5]  STRING ms of the last batched delta
-- KEYS[6]  the room channel's history stream, also its pub/sub channel
-- ARGV[1]  member id          ARGV[2]  connection id ([A-Za-z0-9_-], no "," or "=")
-- ARGV[3]  info JSON, or "" to keep the stored info
-- ARGV[4]  now ms             ARGV[5]  ttl ms (missed heartbeats after which a connection left)
-- ARGV[6]  batch threshold (room size above which deltas are batched)
-- ARGV[7]  batch interval ms  ARGV[8]  channel history length  ARGV[9]  channel history ttl ms
-- ARGV[10] "beat" | "leave"   ARGV[11] "1" to return the roster (up to 1000 members)
-- Reply: {count, joined (0|1), left (0|1), roster JSON or ""}
local member, conn, info = ARGV[1], ARGV[2], ARGV[3]
local now, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local cutoff = now - ttl
local joins, leaves = {}, {}

-- Members whose every connection is older than the ttl have left (bounded work per beat).
local gone = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", "(" .. cutoff, "LIMIT", 0, 1000)
for _, who in ipairs(gone) do
  redis.call("ZREM", KEYS[1], who)
  redis.call("HDEL", KEYS[2], who)
  redis.call("HDEL", KEYS[3], who)
  leaves[#leaves + 1] = {who, "timeout"}
end

-- This member's connections, minus the stale ones.
local conns = {}
local newest = 0
for id, at in string.gmatch(redis.call("HGET", KEYS[2], member) or "", "([^,=]+)=(%d+)") do
  at = tonumber(at)
  if at >= cutoff and id ~= conn then
    conns[#conns + 1] = id .. "=" .. at
    if at > newest then newest = at end
  end
end
local was = redis.call("ZSCORE", KEYS[1], member)
local joined, left = 0, 0
if ARGV[10] == "beat" then
  conns[#conns + 1] = conn .. "=" .. now
  redis.call("HSET", KEYS[2], member, table.concat(conns, ","))
  redis.call("ZADD", KEYS[1], now, member)
  if info ~= "" then redis.call("HSET", KEYS[3], member, info) end
  if not was then
    joined = 1
    joins[#joins + 1] = member
  end
elseif was then
  if #conns == 0 then
    redis.call("ZREM", KEYS[1], member)
    redis.call("HDEL", KEYS[2], member)
    redis.call("HDEL", KEYS[3], member)
    left = 1
    leaves[#leaves + 1] = {member, "left"}
  else
    redis.call("HSET", KEYS[2], member, table.concat(conns, ","))
    redis.call("ZADD", KEYS[1], newest, member)
  end
end

local count = redis.call("ZCARD", KEYS[1])
local function infoOf(who)
  return redis.call("HGET", KEYS[3], who) or "null"
end
local function emit(joinList, leaveList, batched)
  local j, l = {}, {}
  for _, who in ipairs(joinList) do j[#j + 1] = '{"member":' .. cjson.encode(who) .. ',"info":' .. infoOf(who) .. "}" end
  for _, pair in ipairs(leaveList) do
    l[#l + 1] = '{"member":' .. cjson.encode(pair[1]) .. ',"reason":"' .. pair[2] .. '"}'
  end
  local data = '{"count":' .. count .. ',"joins":[' .. table.concat(j, ",") .. '],"leaves":[' .. table.concat(l, ",")
    .. '],"batched":' .. batched .. "}"
  local id = redis.call("XADD", KEYS[6], "MAXLEN", "~", ARGV[8], "*", "e", "presence", "d", data)
  redis.call("PEXPIRE", KEYS[6], ARGV[9])
  redis.call("PUBLISH", KEYS[6], '{"id":"' .. id .. '","event":"presence","data":' .. data .. "}")
end

local large = count > tonumber(ARGV[6]) or redis.call("EXISTS", KEYS[4]) == 1
if large then
  for _, who in ipairs(joins) do redis.call("HSET", KEYS[4], who, "j") end
  for _, pair in ipairs(leaves) do redis.call("HSET", KEYS[4], pair[1], "l" .. pair[2]) end
  local last = tonumber(redis.call("GET", KEYS[5]) or "0")
  if now - last >= tonumber(ARGV[7]) and redis.call("EXISTS", KEYS[4]) == 1 then
    local pending = redis.call("HGETALL", KEYS[4])
    local j, l = {}, {}
    for i = 1, #pending, 2 do
      local state = pending[i + 1]
      if state == "j" then
        if redis.call("ZSCORE", KEYS[1], pending[i]) then j[#j + 1] = pending[i] end
      else
        l[#l + 1] = {pending[i], string.sub(state, 2)}
      end
    end
    redis.call("DEL", KEYS[4])
    redis.call("SET", KEYS[5], now, "PX", ttl * 2)
    if #j + #l > 0 then emit(j, l, "true") end
  end
elseif #joins + #leaves > 0 then
  emit(joins, leaves, "false")
end

for i = 1, 4 do redis.call("PEXPIRE", KEYS[i], ttl * 2) end

local roster = ""
if ARGV[11] == "1" then
  local members = redis.call("ZREVRANGE", KEYS[1], 0, 999, "WITHSCORES")
  local parts = {}
  for i = 1, #members, 2 do
    parts[#parts + 1] = '{"member":' .. cjson.encode(members[i]) .. ',"info":' .. infoOf(members[i]) .. ',"lastSeenAt":'
      .. members[i + 1] .. "}"
  end
  roster = "[" .. table.concat(parts, ",") .. "]"
end
return {count, joined, left, roster}

#!lua flags=allow-key-locking
-- Writes one or more places of one set, prunes its expired live positions, and computes the
-- enter/leave events of every written place against the set's geofences, atomically.
-- KEYS[1]  {ns}place:{set}:geo       GEO zset: place id -> position
-- KEYS[2]  {ns}place:{set}:data      hash: place id -> record JSON (the caller's encoding)
-- KEYS[3]  {ns}place:{set}:expiry    zset: place id -> ms at which the live position expires
-- KEYS[4]  {ns}place:{set}:inside    hash: place id -> JSON array of the fence ids it is inside
-- KEYS[5]  {ns}place:{set}:fences    hash: fence id -> definition JSON
-- KEYS[6]  {ns}place:{set}:fencegeo  GEO zset: fence id -> centre of its bounding circle
-- KEYS[7]  {ns}place:{set}:fencer    zset: fence id -> radius of its bounding circle (m)
-- KEYS[8]  {ns}place:{set}:events    stream of enter/leave events (MAXLEN ~ ARGV[3])
-- KEYS[9]  {ns}places:{index}        SHARED by every set: set name -> ms of its last write; the
--                                    only key outside the set's slot
-- ARGV[1]  now, ms since the epoch (the caller's clock)
-- ARGV[2]  the set's name (member of KEYS[9])
-- ARGV[3]  stream entries kept (approximately)
-- ARGV[4]  most expired places pruned by this call
-- ARGV[5..] five per place, in order: id, lon, lat, record JSON, expiresAt ms ("0": never)
-- Reply: one JSON string {created = n, pruned = n, events = {{index (0-based), "enter"|"leave", fence id}, ...}}
local now = tonumber(ARGV[1])

local function emit(kind, fence, id, reason)
  redis.call("XADD", KEYS[8], "MAXLEN", "~", ARGV[3], "*",
    "event", kind, "fence", fence, "place", id, "at", ARGV[1], "reason", reason)
end

-- Forgets one place whole; a leave event for every fence it was inside.
local function forget(id, reason)
  local state = redis.call("HGET", KEYS[4], id)
  if state then
    for _, fence in ipairs(cjson.decode(state)) do emit("leave", fence, id, reason) end
    redis.call("HDEL", KEYS[4], id)
  end
  redis.call("ZREM", KEYS[1], id)
  redis.call("HDEL", KEYS[2], id)
  redis.call("ZREM", KEYS[3], id)
end

local expired = redis.call("ZRANGE", KEYS[3], "-inf", ARGV[1], "BYSCORE", "LIMIT", 0, tonumber(ARGV[4]))
for _, id in ipairs(expired) do forget(id, "expired") end

-- The widest bounding circle: GEOSEARCH around a point with it finds every fence that may hold it.
local widest = redis.call("ZRANGE", KEYS[7], 0, 0, "REV", "WITHSCORES")
local reach = tonumber(widest[2] or "0")

local defs = {}
local function fence(id)
  local def = defs[id]
  if def == nil then
    local raw = redis.call("HGET", KEYS[5], id)
    def = raw and cjson.decode(raw) or false
    defs[id] = def
  end
  return def
end

-- Even-odd ray casting in the lon/lat plane; a point exactly on an edge may fall either side.
local function inPolygon(points, lon, lat)
  local inside = false
  local j = #points
  for i = 1, #points do
    local a, b = points[i], points[j]
    if (a.lat > lat) ~= (b.lat > lat) and lon < (b.lon - a.lon) * (lat - a.lat) / (b.lat - a.lat) + a.lon then
      inside = not inside
    end
    j = i
  end
  return inside
end

local created = 0
local events = {}
for i = 0, (#ARGV - 4) / 5 - 1 do
  local at = 5 + i * 5
  local id, lon, lat, expiresAt = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 4]
  -- Expired but beyond this call's pruning batch: forgotten first, as the pruning would have.
  local expiry = redis.call("ZSCORE", KEYS[3], id)
  if expiry and tonumber(expiry) <= now then forget(id, "expired") end

  created = created + redis.call("HSET", KEYS[2], id, ARGV[at + 3])
  redis.call("GEOADD", KEYS[1], lon, lat, id)
  if expiresAt == "0" then
    redis.call("ZREM", KEYS[3], id)
  else
    redis.call("ZADD", KEYS[3], expiresAt, id)
  end

  local inside = {}
  if reach > 0 then
    local x, y = tonumber(lon), tonumber(lat)
    for _, hit in ipairs(redis.call("GEOSEARCH", KEYS[6], "FROMLONLAT", lon, lat, "BYRADIUS", reach, "m", "WITHDIST")) do
      local def = fence(hit[1])
      local distance = tonumber(hit[2])
      if def then
        if def.type == "circle" then
          if distance <= def.radius then inside[#inside + 1] = hit[1] end
        elseif distance <= def.bounds.radius and inPolygon(def.points, x, y) then
          inside[#inside + 1] = hit[1]
        end
      end
    end
    table.sort(inside)
  end

  local before = {}
  local state = redis.call("HGET", KEYS[4], id)
  if state then
    -- A fence deleted since is dropped without an event.
    for _, f in ipairs(cjson.decode(state)) do
      if fence(f) then before[#before + 1] = f end
    end
  end
  local was, is = {}, {}
  for _, f in ipairs(before) do was[f] = true end
  for _, f in ipairs(inside) do
    is[f] = true
    if not was[f] then
      events[#events + 1] = { i, "enter", f }
      emit("enter", f, id, "update")
    end
  end
  for _, f in ipairs(before) do
    if not is[f] then
      events[#events + 1] = { i, "leave", f }
      emit("leave", f, id, "update")
    end
  end
  if #inside > 0 then
    redis.call("HSET", KEYS[4], id, cjson.encode(inside))
  elseif state then
    redis.call("HDEL", KEYS[4], id)
  end
end

redis.call("ZADD", KEYS[9], ARGV[1], ARGV[2])
return cjson.encode({ created = created, pruned = #expired, events = events })

#!lua flags=allow-key-locking
-- Claims one batch of a queue's due jobs. In order: (re)creates the consumer group if it is
-- missing (no NOGROUP after a lost stream), moves due delayed jobs into the stream, reclaims
-- entries whose claim lapsed (XAUTOCLAIM, min idle = the visibility timeout, on Redis's clock),
-- reads new entries (XREADGROUP, no BLOCK), then applies each endpoint's flow control: a
-- throttled job goes back to the delayed set (not failed, no attempt counted), a job for a
-- disabled endpoint goes to the dead-letter stream. Claimed entries stay in the group's pending
-- list until settle.lua acks them. The stream is never trimmed (MAXLEN would drop pending jobs).
-- KEYS[1]  the queue's settings (string JSON)
-- KEYS[2]  the work stream (group "w")
-- KEYS[3]  states (hash: job id -> state JSON)
-- KEYS[4]  specs (hash: job id -> spec JSON)
-- KEYS[5]  delayed jobs (zset: job id -> due ms)
-- KEYS[6]  endpoints (hash: origin -> state JSON)
-- KEYS[7]  the dead-letter stream
-- KEYS[8]  succeeded jobs (zset: job id -> ms), trimmed here past the retention
-- ARGV[1]  now, ms since the epoch
-- ARGV[2]  batch size
-- ARGV[3]  succeeded jobs are kept this long, ms
-- Reply: one JSON string {missing = true} or
--   {settings = <raw settings JSON>, jobs = {{entry, id, spec, state}, ...}, throttled = n, dead = n}
local now = tonumber(ARGV[1])
local size = tonumber(ARGV[2])
local settingsRaw = redis.call("GET", KEYS[1])
if not settingsRaw then return cjson.encode({missing = true}) end
local settings = cjson.decode(settingsRaw)
local visibility = settings.visibilityTimeoutMs

-- BUSYGROUP (the usual case) is ignored; a lost stream comes back with its group.
redis.pcall("XGROUP", "CREATE", KEYS[2], "w", "0", "MKSTREAM")

local old = redis.call("ZRANGEBYSCORE", KEYS[8], "-inf", now - tonumber(ARGV[3]), "LIMIT", 0, 100)
for _, id in ipairs(old) do
  redis.call("HDEL", KEYS[3], id)
  redis.call("HDEL", KEYS[4], id)
  redis.call("ZREM", KEYS[8], id)
end

for _, id in ipairs(redis.call("ZRANGEBYSCORE", KEYS[5], "-inf", now, "LIMIT", 0, size)) do
  redis.call("XADD", KEYS[2], "*", "id", id)
  redis.call("ZREM", KEYS[5], id)
end

local entries = {}
local reclaimed = redis.call("XAUTOCLAIM", KEYS[2], "w", "edgekit", visibility, "0-0", "COUNT", size)
for _, entry in ipairs(reclaimed[2]) do entries[#entries + 1] = entry end
if #entries < size then
  local read = redis.call("XREADGROUP", "GROUP", "w", "edgekit", "COUNT", size - #entries, "STREAMS", KEYS[2], ">")
  if read then
    for _, entry in ipairs(read[1][2]) do entries[#entries + 1] = entry end
  end
end

local endpoints = {}
local function endpoint(origin)
  if not endpoints[origin] then
    local raw = redis.call("HGET", KEYS[6], origin)
    local ep = raw and cjson.decode(raw) or {inflight = {}}
    if type(ep.inflight) ~= "table" then ep.inflight = {} end
    -- Leases of crashed deliveries run out with the visibility timeout.
    for job, lease in pairs(ep.inflight) do
      if lease <= now then ep.inflight[job] = nil end
    end
    endpoints[origin] = ep
  end
  return endpoints[origin]
end

local function done_with(entry)
  redis.call("XACK", KEYS[2], "w", entry)
  redis.call("XDEL", KEYS[2], entry)
end

local claimed, throttled, dead = {}, 0, 0
for _, entry in ipairs(entries) do
  local entryId, fields = entry[1], entry[2]
  local id = fields and fields[2]
  local raw = id and redis.call("HGET", KEYS[3], id)
  local state = raw and cjson.decode(raw)
  if not state or state.status == "done" or state.status == "dead" then
    done_with(entryId)
  else
    local wait = nil
    local ep = state.endpoint and endpoint(state.endpoint)
    if ep and ep.disabledAt then
      done_with(entryId)
      state.status = "dead"
      state.deadReason = "endpoint_disabled"
      state.updatedAt = now
      redis.call("HSET", KEYS[3], id, cjson.encode(state))
      redis.call("XADD", KEYS[7], "*", "id", id, "reason", "endpoint_disabled", "at", now)
      dead = dead + 1
    else
      if ep then
        local busy = 0
        for job in pairs(ep.inflight) do
          if job ~= id then busy = busy + 1 end
        end
        if settings.parallelism ~= cjson.null and settings.parallelism and busy >= settings.parallelism then
          wait = 1000
        elseif settings.rate ~= cjson.null and settings.rate then
          local limit, period = settings.rate.limit, settings.rate.periodMs
          local tokens = math.min(limit, (ep.tokens or limit) + (now - (ep.at or now)) * limit / period)
          ep.at = now
          if tokens < 1 then
            wait = math.ceil((1 - tokens) * period / limit)
            ep.tokens = tokens
          else
            ep.tokens = tokens - 1
          end
        end
      end
      if wait then
        done_with(entryId)
        state.status = "scheduled"
        state.dueAt = now + wait
        state.throttled = (state.throttled or 0) + 1
        redis.call("ZADD", KEYS[5], now + wait, id)
        throttled = throttled + 1
      else
        if ep then ep.inflight[id] = now + visibility end
        state.status = "active"
        state.attempts = state.attempts + 1
        claimed[#claimed + 1] = {entryId, id, redis.call("HGET", KEYS[4], id) or "null", ""}
      end
      state.updatedAt = now
      local encoded = cjson.encode(state)
      redis.call("HSET", KEYS[3], id, encoded)
      if not wait then claimed[#claimed][4] = encoded end
    end
  end
end

for origin, ep in pairs(endpoints) do
  redis.call("HSET", KEYS[6], origin, cjson.encode(ep))
end

return cjson.encode({settings = settingsRaw, jobs = claimed, throttled = throttled, dead = dead})

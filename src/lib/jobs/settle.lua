#!lua flags=allow-key-locking
-- Settles one batch of delivery attempts: acks each stream entry (XACK + XDEL), records the
-- attempt (the last 10 are kept), frees the endpoint's parallelism slot, then applies the
-- outcome the Worker decided: done, retry at a time (back into the delayed set), dead (into the
-- dead-letter stream), or disable (the endpoint is disabled, the job goes dead). An endpoint
-- whose every attempt has failed for the queue's disableAfterMs is disabled too. Disabling and
-- exhaustion append an event to the events stream. An outcome for a claim that is no longer
-- current (its lease lapsed and the job was claimed again) only acks.
-- KEYS[1]  the work stream (group "w")
-- KEYS[2]  states (hash: job id -> state JSON)
-- KEYS[3]  delayed jobs (zset: job id -> due ms)
-- KEYS[4]  endpoints (hash: origin -> state JSON)
-- KEYS[5]  the dead-letter stream
-- KEYS[6]  succeeded jobs (zset: job id -> ms)
-- KEYS[7]  the events stream (trimmed by age: entries older than ARGV[4] ms)
-- ARGV[1]  now, ms since the epoch
-- ARGV[2]  JSON array of {id, entry, attempt, result = "done"|"retry"|"dead"|"disable", retryAt,
--          reason, record = {attempt, at, status, error, durationMs}}
-- ARGV[3]  disable an endpoint failing this long, ms
-- ARGV[4]  events are kept this long, ms
-- Reply: an array of integers, one per outcome: 1 applied, 0 stale (acked only)
local now = tonumber(ARGV[1])
local outcomes = cjson.decode(ARGV[2])
local disableAfter = tonumber(ARGV[3])
local minId = math.max(0, now - tonumber(ARGV[4])) .. "-0"

local function event(kind, fields)
  local args = {"XADD", KEYS[7], "MINID", "~", minId, "*", "type", kind, "at", now}
  for i = 1, #fields do args[#args + 1] = fields[i] end
  redis.call(unpack(args))
end

local endpoints = {}
local function endpoint(origin)
  if not endpoints[origin] then
    local raw = redis.call("HGET", KEYS[4], origin)
    endpoints[origin] = raw and cjson.decode(raw) or {inflight = {}}
    if type(endpoints[origin].inflight) ~= "table" then endpoints[origin].inflight = {} end
  end
  return endpoints[origin]
end

local function disable(origin, ep, reason)
  if ep.disabledAt then return end
  ep.disabledAt = now
  ep.disabledReason = reason
  event("endpoint.disabled", {"endpoint", origin, "reason", reason})
end

local applied = {}
for i, o in ipairs(outcomes) do
  if o.entry ~= "" then
    redis.call("XACK", KEYS[1], "w", o.entry)
    redis.call("XDEL", KEYS[1], o.entry)
  end
  local raw = redis.call("HGET", KEYS[2], o.id)
  local state = raw and cjson.decode(raw)
  if not state or state.status ~= "active" or state.attempts ~= o.attempt then
    applied[i] = 0
  else
    applied[i] = 1
    local history = type(state.history) == "table" and state.history or {}
    history[#history + 1] = o.record
    while #history > 10 do table.remove(history, 1) end
    state.history = history
    state.updatedAt = now
    local result = o.result
    local ep = state.endpoint and endpoint(state.endpoint)
    if ep then
      ep.inflight[o.id] = nil
      if result == "done" then
        ep.failingSince = nil
      elseif result == "disable" then
        disable(state.endpoint, ep, o.reason)
      else
        ep.failingSince = ep.failingSince or now
        if now - ep.failingSince >= disableAfter then
          disable(state.endpoint, ep, "every attempt failed for " .. math.floor(disableAfter / 3600000) .. " h")
        end
      end
      if ep.disabledAt and result ~= "done" then
        result = "dead"
        o.reason = "endpoint_disabled"
      end
    end
    if result == "done" then
      state.status = "done"
      redis.call("ZADD", KEYS[6], now, o.id)
    elseif result == "retry" then
      state.status = "scheduled"
      state.dueAt = o.retryAt
      redis.call("ZADD", KEYS[3], o.retryAt, o.id)
    else
      state.status = "dead"
      state.deadReason = o.reason
      redis.call("XADD", KEYS[5], "*", "id", o.id, "reason", o.reason, "at", now)
      if o.reason == "exhausted" then
        event("message.attempt.exhausted", {"id", o.id, "attempts", state.attempts})
      end
    end
    redis.call("HSET", KEYS[2], o.id, cjson.encode(state))
  end
end

for origin, ep in pairs(endpoints) do
  redis.call("HSET", KEYS[4], origin, cjson.encode(ep))
end
return applied

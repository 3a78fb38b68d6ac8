#!lua flags=allow-key-locking
-- Replays dead letters: each chosen job gets fresh attempts (attempts = 0, status queued) under the
-- SAME job id, so receivers see the same webhook-id, and goes back into the work stream. Its
-- dead letter is deleted. The attempt history is kept.
-- KEYS[1]  the dead-letter stream
-- KEYS[2]  states (hash: job id -> state JSON)
-- KEYS[3]  the work stream
-- ARGV[1]  now, ms since the epoch
-- ARGV[2]  JSON array of job ids to replay, or "*" for every dead letter (up to ARGV[3])
-- ARGV[3]  at most this many dead letters are looked at
-- Reply: an array of the job ids replayed
local now = tonumber(ARGV[1])
local all = ARGV[2] == "*"
local wanted = {}
if not all then
  for _, id in ipairs(cjson.decode(ARGV[2])) do wanted[id] = true end
end
local replayed = {}
for _, entry in ipairs(redis.call("XRANGE", KEYS[1], "-", "+", "COUNT", tonumber(ARGV[3]))) do
  local f = {}
  for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
  if all or wanted[f.id] then
    redis.call("XDEL", KEYS[1], entry[1])
    local raw = redis.call("HGET", KEYS[2], f.id)
    if raw then
      local state = cjson.decode(raw)
      if state.status == "dead" then
        state.status = "queued"
        state.attempts = 0
        state.deadReason = nil
        state.dueAt = now
        state.updatedAt = now
        state.replays = (state.replays or 0) + 1
        redis.call("HSET", KEYS[2], f.id, cjson.encode(state))
        redis.call("XADD", KEYS[3], "*", "id", f.id)
        replayed[#replayed + 1] = f.id
      end
    end
  end
end
return replayed

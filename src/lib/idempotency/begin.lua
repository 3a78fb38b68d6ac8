#!lua flags=allow-key-locking
-- Claims an idempotency key, or answers what the key already holds, in one step. Touches only the
-- key's own record and tombstone (one hash tag).
-- KEYS[1]  the record (hash: st running|done, fp, own, att, lease, t0, code, hdr, body, done)
-- KEYS[2]  the tombstone (string "<fp>:<deadline ms>"), left when a done record's retention ends
-- ARGV[1]  the request's fingerprint (SHA-256 hex)
-- ARGV[2]  this attempt's owner token (random)
-- ARGV[3]  now (ms since the epoch)
-- ARGV[4]  lease length (ms)
-- ARGV[5]  retention of a record (ms)
-- Reply: one JSON string {o = "new"|"takeover", att} (run the handler), {o = "replay", code, hdr,
-- body}, {o = "mismatch", done = 0|1}, {o = "busy", ms} (lease ms left), {o = "expired"}
local fp, owner = ARGV[1], ARGV[2]
local now, leaseMs, retention = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local rec = redis.call("HMGET", KEYS[1], "st", "fp", "lease", "att", "done")
local st = rec[1]
-- Retention is judged on the caller's clock too, so it ends the same moment for every reader.
if st == "done" and tonumber(rec[5]) + retention <= now then
  redis.call("DEL", KEYS[1])
  st = false
end
if not st then
  local tomb = redis.call("GET", KEYS[2])
  if tomb then
    local tombFp, deadline = string.match(tomb, "^(%x+):(%d+)$")
    if deadline and tonumber(deadline) > now then
      if tombFp ~= fp then
        return cjson.encode({o = "mismatch", done = 1})
      end
      return cjson.encode({o = "expired"})
    end
  end
  redis.call("HSET", KEYS[1], "st", "running", "fp", fp, "own", owner, "att", 1,
    "lease", string.format("%.0f", now + leaseMs), "t0", ARGV[3])
  redis.call("PEXPIRE", KEYS[1], retention)
  return cjson.encode({o = "new", att = 1})
end
if rec[2] ~= fp then
  return cjson.encode({o = "mismatch", done = st == "done" and 1 or 0})
end
if st == "done" then
  local stored = redis.call("HMGET", KEYS[1], "code", "hdr", "body")
  return cjson.encode({o = "replay", code = tonumber(stored[1]), hdr = stored[2], body = stored[3]})
end
local lease = tonumber(rec[3])
if lease > now then
  return cjson.encode({o = "busy", ms = lease - now})
end
-- The lease lapsed (the attempt crashed or stalled): this one takes over, and the old owner's
-- commit will be refused.
local att = tonumber(rec[4]) + 1
redis.call("HSET", KEYS[1], "own", owner, "att", att, "lease", string.format("%.0f", now + leaseMs))
return cjson.encode({o = "takeover", att = att})

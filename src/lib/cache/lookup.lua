#!lua flags=allow-key-locking
-- The one cache lookup: reads an entry and grants the fill lease to at most one caller. Never
-- reads a tag key. Every key shares the namespace's hash tag, so it runs in one slot.
-- KEYS[1]  entry (hash: v m fr sw se ke d ep gs eb vy tg neg)
-- KEYS[2]  the entry's fill lease (string: the holder's token, PX lease)
-- KEYS[3]  namespace epoch (string; INCR = purge everything, O(1))
-- KEYS[4]  namespace invalidation counter (string; INCR by every tag purge)
-- ARGV[1]  now (ms since the epoch, from the Worker)
-- ARGV[2]  r in (0, 1], the XFetch draw (crypto.getRandomValues: Lua has no good PRNG)
-- ARGV[3]  beta, XFetch's eagerness (0 = no early refresh)
-- ARGV[4]  lease length (ms)
-- ARGV[5]  the caller's lease token
-- ARGV[6]  the Vary header names the caller keyed with ("" for none)
-- Reply: {lead, epoch, seq, pttl, v, m, fr, sw, se, ke, eb, vy, tg, neg}
--   lead 1 = this caller holds the lease; fields the entry lacks are "" (a miss has no v).
--   lead 2 = the stored Vary names (vy) differ from ARGV[6]: look up again keyed with them.
local now = tonumber(ARGV[1])
local f = redis.call("HMGET", KEYS[1], "v", "m", "fr", "sw", "se", "ke", "d", "ep", "eb", "vy", "tg", "neg")
local epoch = redis.call("GET", KEYS[3]) or "0"
local seq = redis.call("GET", KEYS[4]) or "0"
local fr, sw, se, ke = tonumber(f[3] or "0"), tonumber(f[4] or "0"), tonumber(f[5] or "0"), tonumber(f[6] or "0")
local eb = tonumber(f[9] or "0")
-- A written entry (value or Vary marker) of the current epoch that Redis has not dropped yet.
local live = (f[8] or "") == epoch and now < ke
local vy = f[10] or ""
if live and vy ~= ARGV[6] then
  return {2, epoch, seq, 0, "", "", 0, 0, 0, 0, 0, vy, "", ""}
end
local want = true
if live and f[1] and now < fr then
  -- XFetch (Vattani et al. 2015): refresh early with a probability rising as expiry nears.
  local d, beta = tonumber(f[7] or "0"), tonumber(ARGV[3])
  want = d > 0 and beta > 0 and now - d * beta * math.log(tonumber(ARGV[2])) >= fr
end
-- Error backoff: while the origin fails, at most one attempt per key per window.
if now < eb then want = false end
local lead = 0
local pttl = 0
if want then
  if redis.call("SET", KEYS[2], ARGV[5], "NX", "PX", ARGV[4]) then
    lead = 1
  else
    pttl = redis.call("PTTL", KEYS[2])
  end
end
if not live or not f[1] then
  return {lead, epoch, seq, pttl, "", "", 0, 0, 0, 0, eb, vy, "", ""}
end
return {lead, epoch, seq, pttl, f[1], f[2] or "", fr, sw, se, ke, eb, vy, f[11] or "", f[12] or ""}

#!lua flags=allow-key-locking
-- One cache lookup: the entry, and the fill lease for at most one caller. Reads no tag key.
-- KEYS[1] entry hash   KEYS[2] its lease   KEYS[3] namespace epoch   KEYS[4] invalidation counter
-- ARGV[1] now ms   ARGV[2] XFetch draw r in (0,1]   ARGV[3] beta   ARGV[4] lease ms
-- ARGV[5] lease token   ARGV[6] the caller's Vary names ("" for none)
-- Reply {lead, epoch, seq, pttl, v, m, fr, sw, se, ke, eb, vy, tg, neg, ti}: lead 1 = lease granted,
-- 2 = stored Vary names differ (look up again keyed with vy); a miss has ke 0. ti: the tag ids
-- the stored hash is indexed under (even when not live), so a commit can unindex the dropped ones.
local now = tonumber(ARGV[1])
local f = redis.call("HMGET", KEYS[1], "v", "m", "fr", "sw", "se", "ke", "d", "ep", "eb", "vy", "tg", "neg", "ti")
local epoch = redis.call("GET", KEYS[3]) or "0"
local seq = redis.call("GET", KEYS[4]) or "0"
local fr, ke, eb = tonumber(f[3] or "0"), tonumber(f[6] or "0"), tonumber(f[9] or "0")
local live = (f[8] or "") == epoch and now < ke
local vy = f[10] or ""
if live and vy ~= ARGV[6] then return {2, epoch, seq, 0, "", "", 0, 0, 0, 0, 0, vy, "", "", ""} end
local want = true
if live and f[1] and now < fr then
  -- XFetch (Vattani et al. 2015): early refresh, likelier as expiry nears.
  local d, beta = tonumber(f[7] or "0"), tonumber(ARGV[3])
  want = d > 0 and beta > 0 and now - d * beta * math.log(tonumber(ARGV[2])) >= fr
end
-- Error backoff: no origin attempt for this key until eb.
if now < eb then want = false end
local lead, pttl = 0, 0
if want then
  if redis.call("SET", KEYS[2], ARGV[5], "NX", "PX", ARGV[4]) then lead = 1 else pttl = redis.call("PTTL", KEYS[2]) end
end
local ti = f[13] or ""
if not live or not f[1] then return {lead, epoch, seq, pttl, "", "", 0, 0, 0, 0, eb, vy, "", "", ti} end
return {lead, epoch, seq, pttl, f[1], f[2] or "", fr, f[4], f[5], ke, eb, vy, f[11] or "", f[12] or "", ti}

#!lua flags=allow-key-locking
-- Enqueues one job, idempotently by dedup id. The function between the enqueue-step markers is
-- also exported (enqueue.ts: ENQUEUE_STEP, withEnqueueStep) for other primitives' scripts, so that
-- a write and its webhook happen in one atomic script (a transactional outbox).
-- KEYS[1]  the queue's settings (string; a missing queue is refused)
-- KEYS[2]  specs (hash: job id -> spec JSON)
-- KEYS[3]  states (hash: job id -> state JSON)
-- KEYS[4]  the work stream
-- KEYS[5]  delayed jobs (zset: job id -> due ms)
-- KEYS[6]  the dedup key (string, expiring after the queue's dedupWindowMs; untouched when ARGV[6] is 0)
-- ARGV[1]  the new job's id
-- ARGV[2]  its spec JSON
-- ARGV[3]  its state JSON
-- ARGV[4]  due time, ms since the epoch
-- ARGV[5]  now, ms since the epoch
-- ARGV[6]  1 when the job has a dedup id, else 0
-- Reply: {1, id} enqueued; {0, existing id} a duplicate, nothing written; {-1, ""} no such queue
-- enqueue-step:start
-- enqueue_job(keys, args, ko, ao): the six KEYS above are keys[ko + 1 .. ko + 6], the six ARGV
-- args[ao + 1 .. ao + 6]. Returns the reply described above.
local function enqueue_job(keys, args, ko, ao)
  local settings = redis.call("GET", keys[ko + 1])
  if not settings then return {-1, ""} end
  local id = args[ao + 1]
  if args[ao + 6] == "1" then
    local existing = redis.call("GET", keys[ko + 6])
    if existing then return {0, existing} end
    redis.call("SET", keys[ko + 6], id, "PX", cjson.decode(settings).dedupWindowMs)
  end
  redis.call("HSET", keys[ko + 2], id, args[ao + 2])
  redis.call("HSET", keys[ko + 3], id, args[ao + 3])
  if tonumber(args[ao + 4]) <= tonumber(args[ao + 5]) then
    redis.call("XADD", keys[ko + 4], "*", "id", id)
  else
    redis.call("ZADD", keys[ko + 5], args[ao + 4], id)
  end
  return {1, id}
end
-- enqueue-step:end
return enqueue_job(KEYS, ARGV, 0, 0)

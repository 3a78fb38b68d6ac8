#!lua flags=allow-key-locking
-- Deletes one experiment: definition, assignments, counters, and its index entry.
-- KEYS[1] {ns}exp:{key}             definition hash
-- KEYS[2] {ns}exp:{key}:assign      unit -> variant
-- KEYS[3] {ns}exp:{key}:units       variant -> units
-- KEYS[4] {ns}exp:{key}:conv        conversion counters and value sums
-- KEYS[5] {ns}exp:{key}:converted   once-per-goal markers
-- KEYS[6] {ns}exps                  the index, SHARED by every experiment (outside this slot)
-- KEYS[7] {ns}exp:{key}:daily       exposures and conversions per day
-- ARGV[1] the experiment key (index member)
-- Reply: {deleted (1 when the experiment existed, else 0)}
if redis.call("EXISTS", KEYS[1]) == 0 then
  return { 0 }
end
-- UNLINK frees a large assignment hash in the background instead of blocking Redis.
redis.call("UNLINK", KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[7])
redis.call("ZREM", KEYS[6], ARGV[1])
return { 1 }

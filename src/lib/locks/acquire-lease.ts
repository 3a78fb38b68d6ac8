import { defineScript, type RedisClient } from "../redis.ts";
import source from "./acquire.lua";
import { type AcquireOutcome, integers, type LeaseKeys, leaseToken } from "./lease.ts";

const acquireScript = defineScript(source, (reply): AcquireOutcome => {
  const [granted = 0, a = 0, b = 0] = integers(reply);
  return granted === 1 ? { granted: true, token: "", fence: a, expiresAt: b } : { granted: false, retryAfterMs: a };
});

export interface AcquireLeaseInput {
  /** Who holds it, for people reading the state (not a credential: the token is). */
  owner: string;
  ttlMs: number;
  /** Holders allowed at once: 1 for a lock, N for a semaphore. */
  limit?: number;
  now: number;
}

/**
 * Takes a slot of the lease in one round trip, or says when the first holder's lease ends.
 * Lapsed holders are dropped first, so a crashed holder blocks nobody past its deadline.
 *
 * @example
 * const lease = await acquireLease(redis, lockKeys(config, "nightly"), { owner: "cron", ttlMs: 30_000, now });
 * if (lease.granted) await fencedWrite(redis, config, { resource: "report", fence: lease.fence, value });
 */
export async function acquireLease(
  redis: RedisClient,
  keys: LeaseKeys,
  input: AcquireLeaseInput,
): Promise<AcquireOutcome> {
  const token = leaseToken();
  const outcome = await acquireScript.run(
    redis,
    [keys.holders, keys.owners, keys.fence],
    [token, input.owner, input.now, input.ttlMs, input.limit ?? 1],
  );
  return outcome.granted ? { ...outcome, token } : outcome;
}

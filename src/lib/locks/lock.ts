import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { acquireLease } from "./acquire-lease.ts";
import { extendLease } from "./extend-lease.ts";
import { lockKeys } from "./keys.ts";
import type { Lease } from "./lease.ts";
import { releaseLease } from "./release-lease.ts";

export interface LockRequest {
  name: string;
  owner: string;
  ttlMs: number;
  /** Holders allowed at once: 1 (a lock, the default) or N (a semaphore). */
  limit?: number;
  now: number;
}

/**
 * Acquires the named lock (or a slot of the named semaphore): one round trip. A 423 `locked`
 * problem with Retry-After (and `retryAfterMs`) when every slot is held.
 */
export async function acquireLock(redis: RedisClient, config: Pick<Config, "KEY_PREFIX">, request: LockRequest) {
  const outcome = await acquireLease(redis, lockKeys(config, request.name), request);
  if (!outcome.granted) {
    const limit = request.limit ?? 1;
    throw new AppError(
      "locked",
      limit === 1
        ? `"${request.name}" is held by another owner. Retry in ${outcome.retryAfterMs} ms.`
        : `All ${limit} slots of "${request.name}" are held. Retry in ${outcome.retryAfterMs} ms.`,
      {
        extensions: { retryAfterMs: outcome.retryAfterMs },
        headers: { "retry-after": String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))) },
      },
    );
  }
  const { token, fence, expiresAt } = outcome;
  return { token, fence, expiresAt };
}

const leaseLost = (name: string) =>
  new AppError(
    "lease_lost",
    `This token holds no live lease on "${name}": it was released, it lapsed, or it never held one.`,
  );

/** Extends a live lease (owner only, proved by the token); a 409 `lease-lost` problem otherwise. */
export async function extendLock(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  request: { name: string; token: string; ttlMs: number; now: number },
): Promise<Lease> {
  const lease = await extendLease(redis, lockKeys(config, request.name), request);
  if (!lease) throw leaseLost(request.name);
  return lease;
}

/** Releases a live lease (owner only); a 409 `lease-lost` problem when the token holds none. */
export async function releaseLock(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  request: { name: string; token: string; now: number },
): Promise<void> {
  if (!(await releaseLease(redis, lockKeys(config, request.name), request))) throw leaseLost(request.name);
}

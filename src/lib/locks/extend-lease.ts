import { defineScript, type RedisClient } from "../redis.ts";
import source from "./extend.lua";
import { integers, type Lease, type LeaseKeys } from "./lease.ts";

const extendScript = defineScript(source, integers);

/**
 * Moves a live lease's deadline to `now + ttlMs` (one round trip); the fence stays. Null when the
 * token holds no live lease: it was released, or it lapsed (someone else may hold it now).
 */
export async function extendLease(
  redis: RedisClient,
  keys: Pick<LeaseKeys, "holders" | "owners">,
  input: { token: string; ttlMs: number; now: number },
): Promise<Lease | null> {
  const [extended = 0, fence = 0, expiresAt = 0] = await extendScript.run(
    redis,
    [keys.holders, keys.owners],
    [input.token, input.now, input.ttlMs],
  );
  return extended === 1 ? { token: input.token, fence, expiresAt } : null;
}

import { defineScript, type RedisClient } from "../redis.ts";
import type { IdempotencyKeys } from "./keys.ts";
import source from "./release.lua";

const releaseScript = defineScript(source, (reply) => Number(reply) === 1);

/**
 * Gives the claim back, so that a retry runs the request again (after a 5xx, 408, 429 or a throw).
 * False when the claim is not this attempt's any more. One round trip.
 */
export function releaseRequest(redis: RedisClient, keys: IdempotencyKeys, owner: string): Promise<boolean> {
  return releaseScript.run(redis, [keys.record], [owner]);
}

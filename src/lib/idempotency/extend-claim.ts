import { defineScript, type RedisClient } from "../redis.ts";
import source from "./extend.lua";
import type { IdempotencyKeys } from "./keys.ts";

const extendScript = defineScript(source, (reply) => Number(reply) === 1);

/** Moves a running claim's lease to `now + leaseMs` (the middleware's heartbeat). False once lost. */
export function extendClaim(
  redis: RedisClient,
  keys: IdempotencyKeys,
  input: { owner: string; now: number; leaseMs: number },
): Promise<boolean> {
  return extendScript.run(redis, [keys.record], [input.owner, input.now, input.leaseMs]);
}

import { defineScript, type RedisClient } from "../redis.ts";
import type { LeaseKeys } from "./lease.ts";
import source from "./release.lua";

const releaseScript = defineScript(source, (reply) => Number(reply) === 1);

/** Gives a live lease back (one round trip). False when the token held none: released or lapsed. */
export async function releaseLease(
  redis: RedisClient,
  keys: Pick<LeaseKeys, "holders" | "owners">,
  input: { token: string; now: number },
): Promise<boolean> {
  return releaseScript.run(redis, [keys.holders, keys.owners], [input.token, input.now]);
}

import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { byResult, perId } from "./decode.ts";
import { dedupKeys } from "./keys.ts";
import source from "./mark.lua";

const markScript = defineScript(source, (reply) => reply);

/**
 * "Have I seen these events?" for up to a batch of ids, in one script (one round trip): answers
 * which are new and marks them seen for `ttlMs`. Exact. An id repeated in the batch is new once.
 *
 * @example
 * const { new: fresh } = await markSeen(redis, config, { namespace: "stripe", ids, ttlMs: 86_400_000, now });
 */
export async function markSeen(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  input: { namespace: string; ids: string[]; ttlMs: number; now: number },
): Promise<{ new: string[]; seen: string[] }> {
  const keys = dedupKeys(config, input.namespace);
  const reply = await markScript.run(redis, input.ids.map(keys.id), [input.ttlMs, input.now]);
  return byResult(input.ids, perId(reply, input.ids.length), ["seen", "new"] as const);
}

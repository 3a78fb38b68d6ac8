import type { Config } from "../../env.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { linkKeys } from "./keys.ts";
import source from "./read-link.lua";
import { decodeStoredLink, type StoredLink } from "./record.ts";

const readLinkScript = limitedScript(source, decodeStoredLink);

/**
 * One link's record and counts, or null (one round trip; several calls in one tick share one).
 * `limit`: a rate-limit check folded into the same script (`c.var.rateLimit.forScript()`).
 */
export async function readLink(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  slug: string,
  limit?: ScriptLimit,
): Promise<StoredLink | null> {
  const keys = linkKeys(config, slug);
  return readLinkScript.run(redis, [keys.record, keys.counts], [], limit);
}

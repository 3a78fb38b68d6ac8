import type { Config } from "../../env.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import source from "./delete-link.lua";
import { linkNotFound } from "./get-link.ts";
import { indexKey, linkKeys, retainedDayKeys } from "./keys.ts";

const deleteLinkScript = defineScript(source, (reply) => Number(reply) === 1);

/** Deletes a link and every key it owns, stats included (one round trip); a 404 problem when absent. */
export async function deleteLink(redis: RedisClient, config: Config, slug: string, now: number): Promise<void> {
  const keys = linkKeys(config, slug);
  const deleted = await deleteLinkScript.run(
    redis,
    [
      keys.record,
      keys.counts,
      keys.uniques,
      keys.referrers,
      keys.countries,
      indexKey(config),
      ...retainedDayKeys(config, slug, now),
      keys.guesses,
    ],
    [slug],
  );
  if (!deleted) throw linkNotFound(slug);
}

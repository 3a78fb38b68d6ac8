import type { Config } from "../../env.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import source from "./create-links.lua";
import { indexKey, indexMember, linkKeys } from "./keys.ts";
import type { PreparedLink } from "./prepare-link.ts";
import { randomSlug } from "./slug.ts";

const createLinks = limitedScript(source, (reply) => {
  if (!Array.isArray(reply)) throw new Error("create-links.lua: expected an array reply");
  return reply.map((n) => Number(n) === 1);
});

/** A random slug collides once in ~10^12 draws; three tries make a failure practically impossible. */
const RANDOM_SLUG_ATTEMPTS = 3;

/**
 * Writes prepared links with SET NX semantics, all in one script call (one round trip). A random
 * slug that happens to be taken is drawn again and retried; a taken custom slug answers false.
 * Mutates each item's slug on retry, so the caller reads the slug that was actually written.
 * `limit`: a rate-limit check folded into the first attempt's script (a retry spends nothing more).
 */
export async function insertLinks(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX">,
  items: PreparedLink[],
  limit?: ScriptLimit,
): Promise<boolean[]> {
  const created = items.map(() => false);
  let pending = items.map((_, index) => index);
  for (let attempt = 0; attempt < RANDOM_SLUG_ATTEMPTS && pending.length > 0; attempt++) {
    const batch = pending.map((index) => items[index] as PreparedLink);
    const results = await createLinks.run(
      redis,
      [indexKey(config), ...batch.map((item) => linkKeys(config, item.slug).record)],
      [
        JSON.stringify(
          batch.map((item) => ({ member: indexMember(Number(item.fields.createdAt), item.slug), fields: item.fields })),
        ),
      ],
      attempt === 0 ? limit : undefined,
    );
    const retry: number[] = [];
    results.forEach((ok, i) => {
      const index = pending[i] as number;
      const item = items[index] as PreparedLink;
      if (ok) created[index] = true;
      else if (item.random) {
        item.slug = randomSlug();
        retry.push(index);
      }
    });
    pending = retry;
  }
  return created;
}
